/**
 * Generated symbol entries for property tests of the wire format: numbers at every boundary of the
 * MessagePack forms, names short and long, ASCII and not, bars of any length.
 */
import fc from 'fast-check';
import type { Bar, SymbolEntry } from '../../client/protocol/messages.js';

/** Numbers at every boundary of the MessagePack forms, and anything else a double can be. */
export const wireNumber: fc.Arbitrary<number> = fc.oneof(
  fc.double(),
  fc.integer({ min: -0x8000_0000, max: 0xffff_ffff }),
  fc.constantFrom(0, -0, 127, 128, 255, 256, 65_535, 65_536, 0xffff_ffff, 0x1_0000_0000, -32, -33, -128, -129, -32_768, -32_769, -0x8000_0000, -0x8000_0001),
  fc.maxSafeInteger(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -(2 ** 60), 1_717_425_012_345, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
);

export const wireBar = fc.tuple(wireNumber, wireNumber, wireNumber, wireNumber, wireNumber, wireNumber) as fc.Arbitrary<Bar>;

const optional = <T>(value: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(value, { nil: undefined });

/** Entries as SymbolState.entrySince makes them: every key present, in one order, undefined when unchanged. */
export const wireEntry: fc.Arbitrary<SymbolEntry> = fc
  .record({
    s: fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('AAPL', 'BTC-USD', 'ÉTÉ-€', 'x'.repeat(31), 'y'.repeat(32), 'z'.repeat(300))),
    t: optional(wireNumber),
    p: optional(wireNumber),
    b: optional(wireNumber),
    a: optional(wireNumber),
    o: optional(wireNumber),
    h: optional(wireNumber),
    l: optional(wireNumber),
    v: optional(wireNumber),
    d: optional(wireNumber),
    k: optional(fc.array(wireBar, { maxLength: 20 })),
  })
  .map(({ s, t, p, b, a, o, h, l, v, d, k }) => ({ s, t, p, b, a, o, h, l, v, d, k }));
