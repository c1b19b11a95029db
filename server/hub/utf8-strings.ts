/**
 * Checks that every string in a MessagePack value (map keys included) is well-formed UTF-8, before
 * decoding. The reference decoder decodes short strings with its own loop, which turns invalid bytes and
 * overlong forms into characters (`C1 B4` becomes "t"), so a check on decoded text could be bypassed and
 * garbage echoed back (an `id`) would leave the server as invalid UTF-8. One linear pass, no allocation:
 * only string headers are read; every other value is skipped by its declared size.
 */
import { isUtf8 } from 'node:buffer';

interface Step {
  /** Offset of the next value. */
  readonly next: number;
  /** Values this one contains (array items; map keys and values). */
  readonly items: number;
  /** For a string: offset of its first byte. */
  readonly text?: number;
}

function readLength(bytes: Uint8Array, at: number, size: number): number | undefined {
  if (at + 1 + size > bytes.length) return undefined;
  let n = 0;
  for (let i = 1; i <= size; i++) n = n * 256 + bytes[at + i]!;
  return n;
}

/** Fixed sizes after the type byte (ints, floats, fixext incl. its type byte). */
const FIXED_SIZE: Readonly<Record<number, number>> = {
  0xc0: 0, 0xc2: 0, 0xc3: 0,
  0xcc: 1, 0xd0: 1, 0xcd: 2, 0xd1: 2, 0xca: 4, 0xce: 4, 0xd2: 4, 0xcb: 8, 0xcf: 8, 0xd3: 8,
  0xd4: 2, 0xd5: 3, 0xd6: 5, 0xd7: 9, 0xd8: 17,
};
/** Length-prefixed types: [length bytes, bytes between length and data (ext type), is a string]. */
const SIZED: Readonly<Record<number, readonly [number, number, boolean]>> = {
  0xd9: [1, 0, true], 0xda: [2, 0, true], 0xdb: [4, 0, true],
  0xc4: [1, 0, false], 0xc5: [2, 0, false], 0xc6: [4, 0, false],
  0xc7: [1, 1, false], 0xc8: [2, 1, false], 0xc9: [4, 1, false],
};
/** Containers: [length bytes, values per counted item]. */
const COUNTED: Readonly<Record<number, readonly [number, number]>> = { 0xdc: [2, 1], 0xdd: [4, 1], 0xde: [2, 2], 0xdf: [4, 2] };

function step(bytes: Uint8Array, at: number): Step | undefined {
  const type = bytes[at]!;
  if (type <= 0x7f || type >= 0xe0) return { next: at + 1, items: 0 };
  if (type <= 0x8f) return { next: at + 1, items: 2 * (type & 0x0f) };
  if (type <= 0x9f) return { next: at + 1, items: type & 0x0f };
  if (type <= 0xbf) return { next: at + 1 + (type & 0x1f), items: 0, text: at + 1 };
  const fixed = FIXED_SIZE[type];
  if (fixed !== undefined) return { next: at + 1 + fixed, items: 0 };
  const sized = SIZED[type];
  if (sized !== undefined) {
    const [lengthBytes, extra, isString] = sized;
    const n = readLength(bytes, at, lengthBytes);
    if (n === undefined) return undefined;
    const start = at + 1 + lengthBytes + extra;
    return isString ? { next: start + n, items: 0, text: start } : { next: start + n, items: 0 };
  }
  const counted = COUNTED[type];
  if (counted !== undefined) {
    const n = readLength(bytes, at, counted[0]);
    return n === undefined ? undefined : { next: at + 1 + counted[0], items: counted[1] * n };
  }
  return undefined; // 0xc1: never used
}

/**
 * Whether every string in the MessagePack bytes is valid UTF-8. Malformed input (truncation, 0xC1) ends
 * the scan with true: the decoder that runs next reports it with a better message.
 */
export function stringsAreUtf8(bytes: Uint8Array): boolean {
  let at = 0;
  let pending = 1;
  while (pending > 0 && at < bytes.length) {
    const found = step(bytes, at);
    if (found === undefined || found.next > bytes.length) return true;
    if (found.text !== undefined && !isUtf8(bytes.subarray(found.text, found.next))) return false;
    pending += found.items - 1;
    at = found.next;
  }
  return true;
}
