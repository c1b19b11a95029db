import { describe, expect, test } from 'vitest';
import { epochParser, epochUnitOf, firstSampleTimeParser, parseIsoTime, timestampParser } from './time.js';

describe('parseIsoTime', () => {
  test.each([
    ['2013-10-07T08:00:00.614Z', Date.UTC(2013, 9, 7, 8, 0, 0, 614)],
    ['2013-10-07T08:00:00Z', Date.UTC(2013, 9, 7, 8)],
    ['2013-10-07 08:00:00', Date.UTC(2013, 9, 7, 8)],
    ['2013-10-07T10:00:00+02:00', Date.UTC(2013, 9, 7, 8)],
    ['2013-10-07T03:30:00-0430', Date.UTC(2013, 9, 7, 8)],
    ['2013-10-07T08:00:00.5Z', Date.UTC(2013, 9, 7, 8, 0, 0, 500)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
  ])('%s is read as UTC ms', (text, expected) => {
    expect(parseIsoTime(text)).toBe(expected);
  });

  test('keeps microseconds as a fraction of a millisecond (to the ~0.25 µs a double holds at today\'s times)', () => {
    expect(parseIsoTime('2021-04-17T16:43:37.089723Z') - Date.UTC(2021, 3, 17, 16, 43, 37, 89)).toBeCloseTo(0.723, 3);
    expect(parseIsoTime('2021-04-17T16:43:37.000001500Z') - Date.UTC(2021, 3, 17, 16, 43, 37)).toBeCloseTo(0.0015, 3);
  });

  test('agrees with Date.parse wherever both read a zoned time', () => {
    for (let i = 0; i < 2_000; i++) {
      const ms = Math.floor(Math.random() * 2e12);
      const text = new Date(ms).toISOString();
      expect(parseIsoTime(text)).toBe(Date.parse(text));
    }
  });

  test.each(['', '2013-10-07', '2013-13-07T08:00:00Z', '2013-02-30T08:00:00Z', '2013-10-07T25:00:00Z', '2013-10-07T08:00:00.Z', '2013-10-07T08:00:00Q', 'yesterday'])(
    '%j is not a time',
    (text) => {
      expect(parseIsoTime(text)).toBeNaN();
    },
  );
});

describe('epoch timestamps', () => {
  test('the unit is judged by size', () => {
    expect([1_723_161_255, 1_723_161_255_611, 1_723_161_255_611_000, 1_723_161_254_024_619_568].map(epochUnitOf)).toEqual(['s', 'ms', 'us', 'ns']);
  });

  test('a file is judged by its first timestamp, ISO or epoch', () => {
    expect(timestampParser('1723161255.5')!('1723161256')).toBe(1_723_161_256_000);
    expect(timestampParser('1723161255611000')!('1723161255612000')).toBe(1_723_161_255_612);
    expect(timestampParser('2024-08-08T23:54:15Z')!('2024-08-08T23:54:16Z')).toBe(Date.UTC(2024, 7, 8, 23, 54, 16));
    expect(timestampParser('soon')).toBeUndefined();
    const parse = firstSampleTimeParser();
    expect(parse('1723161255611')).toBe(1_723_161_255_611);
    // Later values keep the first one's unit, even when their size alone would say otherwise.
    expect(parse('1723161255')).toBe(1_723_161_255);
  });

  test('anything but a plain decimal number is refused', () => {
    const parse = epochParser('ms');
    for (const text of ['', '-5', '1e12', '0x10', ' 12', '12 ']) expect(parse(text), text).toBeNaN();
  });
});
