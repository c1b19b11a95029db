/**
 * Reads an `update` frame in the layout the server writes, for a third (in Chromium) to three fifths (in Node)
 * of what msgpackr takes; anything else is left to msgpackr (codec.ts).
 *
 * Why: update frames are nearly every frame a client receives (20 a second a connection, 30 to 50 entries
 * each), and msgpackr, being general, builds each entry with a keyed store per key, a site V8 sees with every
 * shape of entry and so runs megamorphic: `perf` of the benchmark's clients put half their CPU in msgpackr's
 * decode and a fifth in those stores. Here the entry's keys are the protocol's eleven one-letter keys, each
 * stored by name, numbers are read in place, and symbol names come from a small cache instead of being built
 * again for every entry. Every entry starts as one literal holding all eleven keys, undefined until the frame
 * sets them: entries then have one shape (V8's hidden class) whichever keys they carry, so each store here
 * and each read of an entry after it (SymbolView.apply, the dashboard's rows) sees one shape, where entries
 * built key by key took a shape per set of keys and ran those sites polymorphic or megamorphic: on frames
 * from a running server, a third of the reader's time, and nearly half with a loop reading three keys of
 * each entry (docs/benchmarks-log.md). The dashboard, the Node client and the benchmark's load
 * generators all decode with it (bench/micro.ts times it in Node and in Chromium).
 *
 * The result equals msgpackr's (`useRecords: false`, `mapsAsObjects`, `int64AsType: 'number'`) for every
 * frame it accepts, but for each entry's keys: all eleven, in the server's order (that of SymbolEntry), those
 * the frame does not carry undefined; the test (update-frame.test.ts) checks that on generated frames. It
 * accepts only what the server writes: a map `type`, `seq`, `time`, `updates` in that order; each
 * entry a map (≤ 15 keys) of known keys; `s` an ASCII string under 32 bytes; numbers in any integer form or
 * float64; bars as arrays (≤ 15) of arrays (≤ 15) of numbers. Anything else, or a frame that is not whole,
 * returns undefined, and msgpackr decodes (or rejects) it as before.
 */
import type { Bar, SymbolEntry, UpdateMessage } from './messages.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Thrown inside to give up on a frame: cheaper to unwind than to check a result after every read. */
const NOT_OURS = new Error('not an update frame in the server layout');

const ascii = (text: string): number[] => Array.from(text, (char) => char.charCodeAt(0));
/**
 * The fixed bytes of an update frame, which the server writes (server/hub/frames.ts) and this reads:
 * `{"type":"update","seq":` as MessagePack (a fixmap of 4, `type`, `update`, `seq`), then the keys
 * `time` and `updates` as fixstr.
 */
export const UPDATE_HEAD = Uint8Array.from([0x84, 0xa4, ...ascii('type'), 0xa6, ...ascii('update'), 0xa3, ...ascii('seq')]);
export const TIME_KEY = Uint8Array.from([0xa4, ...ascii('time')]);
export const UPDATES_KEY = Uint8Array.from([0xa7, ...ascii('updates')]);

/** Bytes a number takes, its type byte included, by type byte; 0 for a byte that does not start a number we read. */
const NUMBER_BYTES = new Uint8Array(256);
NUMBER_BYTES.fill(1, 0x00, 0x80); // positive fixint
NUMBER_BYTES.fill(1, 0xe0, 0x100); // negative fixint
NUMBER_BYTES[0xcc] = 2; // uint 8
NUMBER_BYTES[0xcd] = 3; // uint 16
NUMBER_BYTES[0xce] = 5; // uint 32
NUMBER_BYTES[0xcf] = 9; // uint 64
NUMBER_BYTES[0xd0] = 2; // int 8
NUMBER_BYTES[0xd1] = 3; // int 16
NUMBER_BYTES[0xd2] = 5; // int 32
NUMBER_BYTES[0xd3] = 9; // int 64
NUMBER_BYTES[0xcb] = 9; // float 64

const TWO_32 = 0x1_0000_0000;

/** The number at `at` (its type byte); the caller moves on by NUMBER_BYTES of that byte. */
function numberAt(bytes: Uint8Array, view: DataView, at: number): number {
  const type = bytes[at]!;
  if (type === 0xcb) return view.getFloat64(at + 1);
  if (type < 0x80) return type;
  // Times: whole ms beyond 32 bits. Rounded once, as msgpackr's 'number' int64 is.
  if (type === 0xcf) return view.getUint32(at + 1) * TWO_32 + view.getUint32(at + 5);
  if (type >= 0xe0) return type - 0x100;
  switch (type) {
    case 0xcc:
      return bytes[at + 1]!;
    case 0xcd:
      return view.getUint16(at + 1);
    case 0xce:
      return view.getUint32(at + 1);
    case 0xd0:
      return view.getInt8(at + 1);
    case 0xd1:
      return view.getInt16(at + 1);
    case 0xd2:
      return view.getInt32(at + 1);
    case 0xd3:
      return view.getInt32(at + 1) * TWO_32 + view.getUint32(at + 5);
    default:
      throw NOT_OURS;
  }
}

/**
 * Symbol names already read, so that an entry's name is the same string object each time rather than a new
 * one: by their bytes when they have at most 8 (nearly every ticker), else by a hash of their bytes. A name
 * whose slot is taken replaces the one there.
 */
const NAME_SLOT_BITS = 12;
const NAME_SLOTS = 1 << NAME_SLOT_BITS;
/** Names of up to 8 bytes, with those bytes as two 32-bit words (see nameAt) and their length. */
const shortNames: (string | undefined)[] = new Array<string | undefined>(NAME_SLOTS).fill(undefined);
const shortFirst = new Int32Array(NAME_SLOTS);
const shortRest = new Int32Array(NAME_SLOTS);
const shortLength = new Int8Array(NAME_SLOTS).fill(-1);
/** Longer names, compared character by character. */
const longNames: (string | undefined)[] = new Array<string | undefined>(NAME_SLOTS).fill(undefined);

/** The ASCII string of `length` (< 32) bytes at `at`: the same string object each time, while it keeps its slot. */
function nameAt(bytes: Uint8Array, view: DataView, at: number, length: number): string {
  if (length > 8) return longNameAt(bytes, at, length);
  // The bytes themselves are the key: two words and the length tell any two names of 8 bytes or fewer apart,
  // so a hit needs three comparisons instead of one per character. From 4 bytes on, the words are the first
  // four bytes and the last four (overlapping below 8): two reads instead of a loop over the bytes.
  let first = 0;
  let rest = 0;
  if (length >= 4) {
    first = view.getInt32(at);
    rest = view.getInt32(at + length - 4);
  } else {
    for (let i = at; i < at + length; i++) first = (first << 8) | bytes[i]!;
  }
  // The slot: the top bits of a multiplicative hash of both words and the length, which keeps names that
  // differ only in their last characters (SYN0001, SYN0002...) in different slots.
  const slot = Math.imul(first ^ Math.imul(rest ^ length, 0x9e37_79b1), 0x85eb_ca6b) >>> (32 - NAME_SLOT_BITS);
  if (shortFirst[slot] === first && shortRest[slot] === rest && shortLength[slot] === length) return shortNames[slot]!;
  const name = asciiAt(bytes, at, length);
  shortNames[slot] = name;
  shortFirst[slot] = first;
  shortRest[slot] = rest;
  shortLength[slot] = length;
  return name;
}

function longNameAt(bytes: Uint8Array, at: number, length: number): string {
  let hash = length;
  for (let i = at; i < at + length; i++) hash = (Math.imul(hash, 31) + bytes[i]!) | 0;
  const slot = hash & (NAME_SLOTS - 1);
  const known = longNames[slot];
  if (known !== undefined && known.length === length) {
    let i = 0;
    while (i < length && known.charCodeAt(i) === bytes[at + i]) i++;
    if (i === length) return known;
  }
  const name = asciiAt(bytes, at, length);
  longNames[slot] = name;
  return name;
}

function asciiAt(bytes: Uint8Array, at: number, length: number): string {
  let name = '';
  for (let i = at; i < at + length; i++) {
    const byte = bytes[i]!;
    // UTF-8 beyond ASCII: msgpackr's reading of it (invalid sequences included) is the reference.
    if (byte >= 0x80) throw NOT_OURS;
    name += String.fromCharCode(byte);
  }
  return name;
}

/** Where the bars read by barsAt() end (one module-level slot rather than an object per call). */
let barsEnd = 0;

function barsAt(bytes: Uint8Array, view: DataView, at: number): Bar[] {
  const header = bytes[at++]!;
  if ((header & 0xf0) !== 0x90) throw NOT_OURS;
  const bars = new Array<Bar>(header & 0x0f);
  for (let i = 0; i < bars.length; i++) {
    const barHeader = bytes[at++]!;
    if ((barHeader & 0xf0) !== 0x90) throw NOT_OURS;
    const bar = new Array<number>(barHeader & 0x0f);
    for (let j = 0; j < bar.length; j++) {
      bar[j] = numberAt(bytes, view, at);
      at += NUMBER_BYTES[bytes[at]!]!;
    }
    bars[i] = bar as Bar;
  }
  barsEnd = at;
  return bars;
}

function startsWith(bytes: Uint8Array, at: number, expected: Uint8Array): boolean {
  for (let i = 0; i < expected.length; i++) if (bytes[at + i] !== expected[i]) return false;
  return true;
}

function read(bytes: Uint8Array): UpdateMessage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = UPDATE_HEAD.length;
  const seq = numberAt(bytes, view, at);
  at += NUMBER_BYTES[bytes[at]!]!;
  if (!startsWith(bytes, at, TIME_KEY)) throw NOT_OURS;
  at += TIME_KEY.length;
  const time = numberAt(bytes, view, at);
  at += NUMBER_BYTES[bytes[at]!]!;
  if (!startsWith(bytes, at, UPDATES_KEY)) throw NOT_OURS;
  at += UPDATES_KEY.length;

  const arrayHeader = bytes[at++]!;
  let count: number;
  if ((arrayHeader & 0xf0) === 0x90) count = arrayHeader & 0x0f;
  else if (arrayHeader === 0xdc) (count = view.getUint16(at)), (at += 2);
  else if (arrayHeader === 0xdd) (count = view.getUint32(at)), (at += 4);
  else throw NOT_OURS;
  // Every entry takes at least one byte: a count beyond the frame is not a frame of ours.
  if (count > bytes.length - at) throw NOT_OURS;

  const updates = new Array<SymbolEntry>(count);
  for (let i = 0; i < count; i++) {
    const mapHeader = bytes[at++]!;
    if ((mapHeader & 0xf0) !== 0x80) throw NOT_OURS;
    // Every key in one literal, in the server's order, so that every entry has one shape (see the top).
    const entry: Mutable<Partial<SymbolEntry>> = {
      s: undefined,
      t: undefined,
      p: undefined,
      b: undefined,
      a: undefined,
      o: undefined,
      h: undefined,
      l: undefined,
      v: undefined,
      d: undefined,
      k: undefined,
    };
    for (let keys = mapHeader & 0x0f; keys > 0; keys--) {
      // Every key is a one-letter fixstr.
      if (bytes[at] !== 0xa1) throw NOT_OURS;
      const key = bytes[at + 1];
      at += 2;
      if (key === 0x73) {
        // s: a fixstr
        const header = bytes[at++]!;
        if ((header & 0xe0) !== 0xa0) throw NOT_OURS;
        entry.s = nameAt(bytes, view, at, header & 0x1f);
        at += header & 0x1f;
        continue;
      }
      if (key === 0x6b) {
        entry.k = barsAt(bytes, view, at);
        at = barsEnd;
        continue;
      }
      // Prices and sizes are float 64, times uint 64: read those in place before the general case.
      const type = bytes[at]!;
      let value: number;
      if (type === 0xcb) (value = view.getFloat64(at + 1)), (at += 9);
      else if (type === 0xcf) (value = view.getUint32(at + 1) * TWO_32 + view.getUint32(at + 5)), (at += 9);
      else (value = numberAt(bytes, view, at)), (at += NUMBER_BYTES[type]!);
      switch (key) {
        case 0x74:
          entry.t = value;
          break;
        case 0x70:
          entry.p = value;
          break;
        case 0x62:
          entry.b = value;
          break;
        case 0x61:
          entry.a = value;
          break;
        case 0x6f:
          entry.o = value;
          break;
        case 0x68:
          entry.h = value;
          break;
        case 0x6c:
          entry.l = value;
          break;
        case 0x76:
          entry.v = value;
          break;
        case 0x64:
          entry.d = value;
          break;
        default:
          throw NOT_OURS;
      }
    }
    updates[i] = entry as SymbolEntry;
  }
  // Whole: neither cut short (reads past the end see undefined and fail the checks above) nor followed by more.
  if (at !== bytes.length) throw NOT_OURS;
  return { type: 'update', seq, time, updates };
}

/**
 * The update message `bytes` holds, when they are an update frame in the server's layout; undefined for any
 * other frame (decode it with msgpackr).
 */
export function readUpdateFrame(bytes: Uint8Array): UpdateMessage | undefined {
  if (!startsWith(bytes, 0, UPDATE_HEAD)) return undefined;
  try {
    return read(bytes);
  } catch {
    // NOT_OURS, or a read past the end of a frame cut short (a DataView's RangeError).
    return undefined;
  }
}
