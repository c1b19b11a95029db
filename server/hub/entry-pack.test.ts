import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { packPrepared, toWireValue } from '../../client/protocol/codec.js';
import type { Bar, SymbolEntry } from '../../client/protocol/messages.js';
import { packEntry } from './entry-pack.js';

/** The codec's general route, which packEntry must equal byte for byte. */
const viaCodec = (entry: SymbolEntry): Uint8Array => packPrepared(toWireValue(entry));

/** Numbers at every boundary of the MessagePack forms, and anything else a double can be. */
const number = fc.oneof(
  fc.double(),
  fc.integer({ min: -0x8000_0000, max: 0xffff_ffff }),
  fc.constantFrom(0, -0, 127, 128, 255, 256, 65_535, 65_536, 0xffff_ffff, 0x1_0000_0000, -32, -33, -128, -129, -32_768, -32_769, -0x8000_0000, -0x8000_0001),
  fc.maxSafeInteger(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -(2 ** 60), 1_717_425_012_345, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
);
const bar = fc.tuple(number, number, number, number, number, number) as fc.Arbitrary<Bar>;
const optional = <T>(value: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(value, { nil: undefined });

/** Entries as SymbolState.entrySince makes them: every key present, in one order, undefined when unchanged. */
const entry: fc.Arbitrary<SymbolEntry> = fc
  .record({
    s: fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('AAPL', 'BTC-USD', 'ÉTÉ-€', 'x'.repeat(31), 'y'.repeat(32), 'z'.repeat(300))),
    t: optional(number),
    p: optional(number),
    b: optional(number),
    a: optional(number),
    o: optional(number),
    h: optional(number),
    l: optional(number),
    v: optional(number),
    d: optional(number),
    k: optional(fc.array(bar, { maxLength: 20 })),
  })
  .map(({ s, t, p, b, a, o, h, l, v, d, k }) => ({ s, t, p, b, a, o, h, l, v, d, k }));

describe('packEntry', () => {
  test('writes the bytes the codec writes, for any entry', () => {
    fc.assert(
      fc.property(entry, (e) => {
        expect(Buffer.from(packEntry(e)).toString('hex')).toBe(Buffer.from(viaCodec(e)).toString('hex'));
      }),
      { numRuns: 20_000 },
    );
  });

  test('entries share slabs but never each other\'s bytes: every one still reads right after thousands more', () => {
    const entries: SymbolEntry[] = fc.sample(entry, { numRuns: 5_000, seed: 7 });
    const packed = entries.map(packEntry);
    entries.forEach((e, i) => expect(Buffer.from(packed[i]!).equals(Buffer.from(viaCodec(e))), `entry ${i}`).toBe(true));
    // More than one 64 KiB slab was used: the early views point into one that is no longer written.
    expect(new Set(packed.map((bytes) => bytes.buffer)).size).toBeGreaterThan(1);
  });

  test('a piece with hundreds of bars (a held-back connection catching up) grows the buffer it writes in', () => {
    const bars: Bar[] = Array.from({ length: 900 }, (_, i) => [1_717_425_000_000 + i * 1_000, 190.01, 190.5, 189.75, 190.25, 1_000 + i]);
    const e: SymbolEntry = { s: 'AAPL', t: 1_717_425_899_000, p: 190.25, b: undefined, a: undefined, o: undefined, h: undefined, l: undefined, v: 12_345, d: undefined, k: bars };
    expect(Buffer.from(packEntry(e)).equals(Buffer.from(viaCodec(e)))).toBe(true);
    const small: SymbolEntry = { s: 'MSFT', p: 410.5 };
    expect(Buffer.from(packEntry(small)).equals(Buffer.from(viaCodec(small)))).toBe(true);
  });
});
