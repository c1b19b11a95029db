import fc from 'fast-check';
import { Unpackr } from 'msgpackr';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, test } from 'vitest';
import { binaryFrame, Body } from '../../server/hub/frames.js';
import { ENTRY_KEYS, packEntry } from '../../server/hub/entry-pack.js';
import { payloadOf } from '../../server/hub/websocket-frame.js';
import { wireEntry } from '../../test/helpers/entry-arbitraries.js';
import { decodeBinary, encodeBinary } from './codec.js';
import type { SymbolEntry, UpdateMessage } from './messages.js';
import { readUpdateFrame } from './update-frame.js';

/** The reference: msgpackr with the options the codec gives it. */
const msgpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

/** Every object's keys in order, depth first: equal values may still list their keys differently. */
function keyOrder(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(keyOrder).join(',')}]`;
  if (value !== null && typeof value === 'object') return `{${Object.entries(value).map(([key, item]) => `${key}:${keyOrder(item)}`).join(',')}}`;
  return '';
}

/** `actual` is `expected`: equal values (NaN and -0 told apart), keys in the same order. */
function expectSame(actual: unknown, expected: unknown): void {
  expect(isDeepStrictEqual(actual, expected), `${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`).toBe(true);
  expect(keyOrder(actual)).toBe(keyOrder(expected));
}

/** `actual` is what msgpackr gives for the same bytes. */
function expectSameAsMsgpackr(actual: unknown, bytes: Uint8Array): void {
  expectSame(actual, msgpackr.unpack(bytes));
}

/** `entry` in the reader's shape: every key of the protocol, in the server's order, undefined where it has none. */
function inReaderShape(entry: Partial<SymbolEntry>): Record<string, unknown> {
  return Object.fromEntries(ENTRY_KEYS.map((key) => [key, entry[key]]));
}

/** `actual` is what msgpackr gives for the same update frame, but for each entry's shape (inReaderShape). */
function expectReadAsMsgpackr(actual: unknown, bytes: Uint8Array): void {
  const message = msgpackr.unpack(bytes) as UpdateMessage;
  expectSame(actual, { ...message, updates: message.updates.map(inReaderShape) });
}

/** Whether the server would write this entry in the layout readUpdateFrame takes (ASCII names under 32 bytes, ≤ 15 bars). */
function inServerLayout(entry: SymbolEntry): boolean {
  return /^[\x00-\x7f]{0,31}$/.test(entry.s) && (entry.k === undefined || entry.k.length <= 15);
}

const updateMessage: fc.Arbitrary<UpdateMessage> = fc.record({
  type: fc.constant('update' as const),
  seq: fc.oneof(fc.integer({ min: 1, max: 70_000 }), fc.maxSafeInteger()),
  time: fc.oneof(fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 }), fc.constantFrom(0, 127, 128, 2 ** 32, 2 ** 53 - 1)),
  updates: fc.array(wireEntry, { maxLength: 40 }),
});

describe('readUpdateFrame', () => {
  test('reads any update frame in the server layout as msgpackr does, each entry with every key; decodeBinary reads every other frame as msgpackr', () => {
    fc.assert(
      fc.property(updateMessage, (message) => {
        const bytes = encodeBinary(message);
        const read = readUpdateFrame(bytes);
        if (message.updates.every(inServerLayout)) expect(read).toBeDefined();
        if (read === undefined) expectSameAsMsgpackr(decodeBinary(bytes), bytes);
        else {
          expectReadAsMsgpackr(read, bytes);
          expectReadAsMsgpackr(decodeBinary(bytes), bytes);
        }
      }),
      { numRuns: 3_000 },
    );
  });

  test('frames as the hub writes them (entries packed by packEntry, 16 and more in an array 16) are read here', () => {
    for (const count of [0, 1, 15, 16, 300]) {
      const entries: SymbolEntry[] = Array.from({ length: count }, (_, i) => ({
        s: `SYM${i}`,
        t: 1_722_470_400_000 + i,
        p: 100 + i / 100,
        v: i * 1_000_000,
        k: [[1_722_470_400_000, 1, 2, 0.5, 1.5, i]],
      }));
      const bytes = payloadOf(binaryFrame(9, 1_722_470_400_999, Body.of(entries.map((entry) => ({ entry, binary: packEntry(entry) })))));
      const read = readUpdateFrame(bytes);
      expect(read).toEqual({ type: 'update', seq: 9, time: 1_722_470_400_999, updates: entries });
      expectReadAsMsgpackr(read, bytes);
    }
  });

  test('every entry read has one shape: the eleven keys in the server order, undefined where the frame has none', () => {
    const updates: SymbolEntry[] = [
      { s: 'AAPL', t: 1_722_470_400_998, p: 190.01, v: 1_200 },
      { s: 'MSFT', b: 410.5, a: 410.52 },
      { s: 'BTC-USD', o: 64_000, h: 64_100, l: 63_900, d: 1_722_470_400_000, k: [[1_722_470_400_000, 1, 2, 0.5, 1.5, 7]] },
      { s: 'ETH-USD' },
    ];
    const read = readUpdateFrame(encodeBinary({ type: 'update', seq: 1, time: 1, updates }));
    expect(read?.updates.map((entry) => Object.keys(entry))).toEqual(updates.map(() => ENTRY_KEYS));
    expect(read?.updates[1]).toStrictEqual(inReaderShape({ s: 'MSFT', b: 410.5, a: 410.52 }));
  });

  test('a frame cut short anywhere, or followed by a byte more, is left to msgpackr', () => {
    const bytes = encodeBinary({ type: 'update', seq: 3, time: 1_722_470_400_999, updates: [{ s: 'AAPL', t: 1_722_470_400_998, p: 190.01, k: [[1_722_470_400_000, 1, 2, 0.5, 1.5, 7]] }, { s: 'MSFT', b: 410.5, a: 410.52 }] });
    expect(readUpdateFrame(bytes)).toBeDefined();
    for (let end = 0; end < bytes.length; end++) {
      const cut = bytes.subarray(0, end);
      expect(readUpdateFrame(cut), `cut at ${end}`).toBeUndefined();
      expect(() => decodeBinary(cut)).toThrow();
    }
    const longer = new Uint8Array([...bytes, 0xc0]);
    expect(readUpdateFrame(longer)).toBeUndefined();
  });

  test('any other frame, or an update not in the server layout, is left to msgpackr and decodes as before', () => {
    const others: unknown[] = [
      { type: 'pong', time: 1 },
      { type: 'snapshot', symbol: 'AAPL', data: { s: 'AAPL', p: 1 } },
      // Keys in another order, a key the protocol does not have, a name not in ASCII, a price as a string.
      { type: 'update', time: 1, seq: 2, updates: [] },
      { type: 'update', seq: 2, time: 1, updates: [{ s: 'AAPL', x: 1 }] },
      { type: 'update', seq: 2, time: 1, updates: [{ s: 'ÉTÉ', p: 1 }] },
      { type: 'update', seq: 2, time: 1, updates: [{ s: 'AAPL', p: '1.5' }] },
      { type: 'update', seq: 2, time: 1, updates: [{ s: 'AAPL', p: null }] },
      { type: 'update', seq: 2, time: 1, updates: [{ s: 'AAPL', p: 1 }], extra: true },
    ];
    for (const message of others) {
      const bytes = encodeBinary(message as UpdateMessage);
      expect(readUpdateFrame(bytes), JSON.stringify(message)).toBeUndefined();
      expectSameAsMsgpackr(decodeBinary(bytes), bytes);
    }
  });

  test('names whose bytes hash alike, and more names than the cache holds, still read as themselves', () => {
    // Names over 8 bytes are cached by a 31-multiplier hash, under which "Aa" and "BB" collide, and so do
    // names made of them.
    const colliding = ['AaAaAaAaAa', 'BBBBBBBBBB', 'AaAaAaAaBB', 'BBAaAaAaAa', 'AaBBBBBBBBBBBBBBBBBBBBBBBBBBBBB'];
    // Names of up to 8 bytes are cached by their bytes: the same bytes in other places or lengths, NULs
    // included, and names either side of the 4-byte split and of the 8-byte limit.
    const near = ['A', 'A\0', '\0A', '\0\0A', '', 'ABCD', 'ABCD\0', 'ABC\0D', '\0ABCD', 'ABCDEFGH', 'ABCDEFGHI', 'ABCDEFG', 'BCDEFGH', 'Aa', 'BB'];
    const many = Array.from({ length: 10_000 }, (_, i) => `N${i.toString(36)}`);
    const longMany = many.map((name) => `${name}.long-name`);
    for (const names of [colliding, colliding.slice().reverse(), near, near.slice().reverse(), many, longMany, near, colliding]) {
      for (let i = 0; i < names.length; i += 10) {
        const updates = names.slice(i, i + 10).map((s) => ({ s, p: 1 }));
        expect(readUpdateFrame(encodeBinary({ type: 'update', seq: 1, time: 1, updates }))?.updates).toEqual(updates);
      }
    }
  });
});
