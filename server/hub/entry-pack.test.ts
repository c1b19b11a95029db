import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { packPrepared, toWireValue } from '../../client/protocol/codec.js';
import type { Bar, SymbolEntry } from '../../client/protocol/messages.js';
import { wireEntry as entry } from '../../test/helpers/entry-arbitraries.js';
import { packEntry } from './entry-pack.js';

/** The codec's general route, which packEntry must equal byte for byte. */
const viaCodec = (entry: SymbolEntry): Uint8Array => packPrepared(toWireValue(entry));

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
