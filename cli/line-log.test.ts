import { describe, expect, test } from 'vitest';
import { formatLine, lineLog } from './line-log.js';

const AT = new Date('2026-12-03T17:40:12.503Z');

describe('line log', () => {
  test('a line: time, level, message, then key=value, quoted only when needed and undefined left out', () => {
    expect(formatLine(AT, 'warn', { venue: 'binance', reason: 'closed (1006)', code: undefined, reconnects: 2, quote: 'a"b' }, 'exchange connection lost: reconnecting')).toBe(
      '2026-12-03T17:40:12.503Z warn exchange connection lost: reconnecting venue=binance reason="closed (1006)" reconnects=2 quote="a\\"b"\n',
    );
    expect(formatLine(AT, 'info', { empty: '', eq: 'a=b' }, 'm')).toBe('2026-12-03T17:40:12.503Z info m empty="" eq="a=b"\n');
  });

  test.each([
    ['info', ['info', 'warn']],
    ['debug', ['info', 'warn']],
    ['warn', ['warn']],
    ['error', []],
    ['silent', []],
  ])('at --log-level %s it writes %j', (level, written) => {
    const lines: string[] = [];
    const log = lineLog(level, (line) => lines.push(line), () => AT);
    log.info({ state: 'live' }, 'exchange connection');
    log.warn({ missed: 3 }, 'trades missed');
    expect(lines.map((line) => line.split(' ')[1])).toEqual(written);
  });
});
