import { describe, expect, test } from 'vitest';
import { encode } from '@msgpack/msgpack';
import { stringsAreUtf8 } from './utf8-strings.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('stringsAreUtf8', () => {
  test('accepts well-formed strings anywhere: keys, values, nested, every length header', () => {
    const value = { type: 'subscribe', symbols: ['AAPL', 'ÄÖÜ', '日本', '😀'], nested: { deep: [['x'.repeat(40)], 'y'.repeat(300)] }, n: [1, -1, 1.5, 2 ** 40, true, null] };
    expect(stringsAreUtf8(encode(value))).toBe(true);
    expect(stringsAreUtf8(encode('z'.repeat(70_000)))).toBe(true);
  });

  test.each([
    ['a lone continuation byte in a value', bytes(0x81, 0xa1, 0x61, 0xa1, 0x80)],
    ['an overlong "t" in a key', bytes(0x81, 0xa2, 0xc1, 0xb4, 0xc0)],
    ['an encoded surrogate (CESU-8)', bytes(0x91, 0xa3, 0xed, 0xa0, 0x80)],
    ['a truncated sequence in a str 8', bytes(0xd9, 0x02, 0xe6, 0x97)],
    ['0xFF inside an array inside a map', bytes(0x81, 0xa1, 0x6b, 0x92, 0x01, 0xa1, 0xff)],
  ])('refuses %s', (_name, frame) => {
    expect(stringsAreUtf8(frame)).toBe(false);
  });

  test('skips binary, extension and number payloads that are not text', () => {
    expect(stringsAreUtf8(bytes(0x93, 0xc4, 0x01, 0xff, 0xd4, 0x01, 0xff, 0xcb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))).toBe(true);
  });

  test('leaves truncated or malformed frames to the decoder, without reading past the end', () => {
    expect(stringsAreUtf8(bytes(0xdd, 0xff, 0xff, 0xff, 0xff, 0xa1))).toBe(true);
    expect(stringsAreUtf8(bytes(0xdb, 0xff, 0xff, 0xff, 0xff, 0xff))).toBe(true);
    expect(stringsAreUtf8(bytes(0xc1))).toBe(true);
    expect(stringsAreUtf8(bytes())).toBe(true);
  });
});
