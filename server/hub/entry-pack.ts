/**
 * A symbol entry as MessagePack, written field by field: the bytes the codec writes for it
 * (`packPrepared(toWireValue(entry))`, client/protocol/codec.ts), for a fifth of the cost.
 *
 * Why: the fan-out encodes each changed symbol once per flush, and the rolling flush (hub.ts) flushes
 * several times per interval, so encoding is on the hot path. The general route copies the entry to turn
 * its 64-bit times into bigints, then lets msgpackr walk an object of optional keys; here an entry's
 * known keys are written straight into a shared slab (with msgpack-write.ts) and the symbol's bytes are made
 * once per symbol. The test (entry-pack.test.ts) checks byte equality with the codec on generated entries.
 *
 * The encoding is the codec's, msgpackr with `useRecords: false`: a map of the present keys in the
 * entry's order (undefined ones are left out), strings in the shortest str form, whole numbers in 32
 * bits in the shortest int form (positive fixint up to 127), other whole numbers up to 2^53 as int64, every
 * other number as float64.
 */
import type { Bar, SymbolEntry } from '../../client/protocol/messages.js';
import { writeArrayHeader, writeNumber } from './msgpack-write.js';

/** Bytes one number takes at most: a type byte and 8. */
const MAX_NUMBER_BYTES = 9;
/**
 * The keys an entry may have, in the order entries are made (SymbolState.entrySince), packed here, and laid
 * out by the client's update-frame reader.
 */
export const ENTRY_KEYS = ['s', 't', 'p', 'b', 'a', 'o', 'h', 'l', 'v', 'd', 'k'] as const;

/** A symbol's name as a MessagePack string, made once per symbol (a market holds at most 10,000). */
const symbolBytes = new Map<string, Uint8Array>();
const utf8 = new TextEncoder();

function packedString(text: string): Uint8Array {
  let packed = symbolBytes.get(text);
  if (packed === undefined) {
    const bytes = utf8.encode(text);
    const n = bytes.length;
    const header = n < 32 ? [0xa0 | n] : n < 0x100 ? [0xd9, n] : n < 0x1_0000 ? [0xda, n >>> 8, n & 0xff] : [0xdb, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
    packed = new Uint8Array(header.length + n);
    packed.set(header, 0);
    packed.set(bytes, header.length);
    symbolBytes.set(text, packed);
  }
  return packed;
}

/**
 * Entries are written one after another into a slab and handed out as views of it, as msgpackr does: an
 * ArrayBuffer per entry (thousands a second) costs more to allocate and to collect than writing the entry.
 * A full slab is replaced; the old one lives as long as the pieces that view it (one flush, usually).
 */
const SLAB_BYTES = 64 * 1024;
let scratch = new Uint8Array(SLAB_BYTES);
let view = new DataView(scratch.buffer);
/** Where the next entry starts in the slab. */
let start = 0;

function writeBars(offset: number, bars: readonly Bar[]): number {
  offset = writeArrayHeader(scratch, offset, bars.length);
  for (const bar of bars) {
    offset = writeArrayHeader(scratch, offset, bar.length);
    for (let i = 0; i < bar.length; i++) offset = writeNumber(scratch, view, offset, bar[i]!);
  }
  return offset;
}

/** Makes sure the slab has room for `bytes` more; a new slab when not. */
function reserve(bytes: number): void {
  if (start + bytes <= scratch.length) return;
  scratch = new Uint8Array(Math.max(bytes, SLAB_BYTES));
  view = new DataView(scratch.buffer);
  start = 0;
}

/** Writes key `key` (one ASCII letter) and the number `value`. */
function writeField(offset: number, key: number, value: number): number {
  scratch[offset] = 0xa1;
  scratch[offset + 1] = key;
  return writeNumber(scratch, view, offset + 2, value);
}

/**
 * The entry as the codec packs it, for entries as SymbolState.entrySince makes them (keys in ENTRY_KEYS' order):
 * a Uint8Array of exactly its bytes, a view of a slab shared with other entries (never written again).
 */
export function packEntry(entry: SymbolEntry): Uint8Array {
  const symbol = packedString(entry.s);
  const bars = entry.k;
  let barBytes = 0;
  if (bars !== undefined) for (const bar of bars) barBytes += 5 + bar.length * MAX_NUMBER_BYTES;
  // The most an entry can take: map header, "s" and the name, nine numeric keys, "k" and its bars.
  reserve(1 + 2 + symbol.length + ENTRY_KEYS.length * (2 + MAX_NUMBER_BYTES) + 5 + barBytes);

  // The map header goes in front once the number of present keys is known: 11 at most, a fixmap.
  const first = start;
  scratch[first + 1] = 0xa1;
  scratch[first + 2] = 0x73; // s
  scratch.set(symbol, first + 3);
  let offset = first + 3 + symbol.length;
  let keys = 1;
  const { t, p, b, a, o, h, l, v, d } = entry;
  if (t !== undefined) (offset = writeField(offset, 0x74, t)), keys++;
  if (p !== undefined) (offset = writeField(offset, 0x70, p)), keys++;
  if (b !== undefined) (offset = writeField(offset, 0x62, b)), keys++;
  if (a !== undefined) (offset = writeField(offset, 0x61, a)), keys++;
  if (o !== undefined) (offset = writeField(offset, 0x6f, o)), keys++;
  if (h !== undefined) (offset = writeField(offset, 0x68, h)), keys++;
  if (l !== undefined) (offset = writeField(offset, 0x6c, l)), keys++;
  if (v !== undefined) (offset = writeField(offset, 0x76, v)), keys++;
  if (d !== undefined) (offset = writeField(offset, 0x64, d)), keys++;
  if (bars !== undefined) {
    scratch[offset] = 0xa1;
    scratch[offset + 1] = 0x6b; // k
    offset = writeBars(offset + 2, bars);
    keys++;
  }
  scratch[first] = 0x80 | keys;
  start = offset;
  return scratch.subarray(first, offset);
}
