/**
 * Update frames assembled from pieces encoded once per flush. An update frame is the MessagePack map
 * `{type: "update", seq, time, updates: [entry, ...]}`; the entries are pre-encoded MessagePack values, so a
 * frame is a short per-connection prefix (the map up to the array header, written here byte by byte)
 * followed by the entries. Nothing here re-encodes an entry, and a frame is one allocation and one copy of
 * its entries.
 */
import { pieceText, type Piece } from './piece-cache.js';
import { frameInPlace, headerLength } from './websocket-frame.js';

const ascii = (text: string): number[] => Array.from(text, (char) => char.charCodeAt(0));
/** `{` (fixmap of 4) `"type": "update", "seq":` */
const PREFIX_HEAD = Uint8Array.from([0x84, 0xa4, ...ascii('type'), 0xa6, ...ascii('update'), 0xa3, ...ascii('seq')]);
const TIME_KEY = Uint8Array.from([0xa4, ...ascii('time')]);
const UPDATES_KEY = Uint8Array.from([0xa7, ...ascii('updates')]);
const TWO_POW_32 = 0x1_0000_0000;

/**
 * Bytes of a non-negative whole number in the shortest MessagePack form; beyond 32 bits int64, as the codec
 * writes every such number (client/protocol/codec.ts), so a frame's prefix is byte for byte the codec's.
 */
function uintLength(value: number): number {
  return value < 0x80 ? 1 : value < 0x100 ? 2 : value < 0x1_0000 ? 3 : value < TWO_POW_32 ? 5 : 9;
}

function writeUint(target: Uint8Array, offset: number, value: number): number {
  if (value < 0x80) {
    target[offset] = value;
    return offset + 1;
  }
  if (value < 0x100) {
    target[offset] = 0xcc;
    target[offset + 1] = value;
    return offset + 2;
  }
  if (value < 0x1_0000) {
    target[offset] = 0xcd;
    target[offset + 1] = value >>> 8;
    target[offset + 2] = value & 0xff;
    return offset + 3;
  }
  if (value < TWO_POW_32) {
    target[offset] = 0xce;
    writeUint32(target, offset + 1, value);
    return offset + 5;
  }
  target[offset] = 0xd3;
  writeUint32(target, offset + 1, Math.floor(value / TWO_POW_32));
  writeUint32(target, offset + 5, value % TWO_POW_32);
  return offset + 9;
}

function writeUint32(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value >>> 24;
  target[offset + 1] = (value >>> 16) & 0xff;
  target[offset + 2] = (value >>> 8) & 0xff;
  target[offset + 3] = value & 0xff;
}

function arrayHeaderLength(count: number): number {
  return count < 16 ? 1 : count < 0x1_0000 ? 3 : 5;
}

/** Writes the MessagePack array header for `count` items (fixarray, array 16 or array 32). */
function writeArrayHeader(target: Uint8Array, offset: number, count: number): number {
  if (count < 16) {
    target[offset] = 0x90 | count;
    return offset + 1;
  }
  if (count < 0x1_0000) {
    target[offset] = 0xdc;
    target[offset + 1] = count >>> 8;
    target[offset + 2] = count & 0xff;
    return offset + 3;
  }
  target[offset] = 0xdd;
  writeUint32(target, offset + 1, count);
  return offset + 5;
}

/** The MessagePack array header for `count` items. */
export function arrayHeader(count: number): Uint8Array {
  const header = new Uint8Array(arrayHeaderLength(count));
  writeArrayHeader(header, 0, count);
  return header;
}

/** Entries shared by every connection that receives the same update content in one flush. */
export class Body {
  readonly count: number;
  /** Bytes of the concatenated MessagePack entries (no array header). */
  readonly byteLength: number;
  private joined: Uint8Array | undefined;
  private text: string | undefined;

  /**
   * The first `count` of `pieces` (all by default) are the entries. `shared`: the body goes to more than one
   * connection, so it is joined once and each frame copies it whole; a body for one connection is copied
   * into its frame piece by piece and never joined.
   */
  constructor(
    private readonly pieces: readonly Piece[],
    private readonly shared = true,
    count = pieces.length,
  ) {
    this.count = count;
    let bytes = 0;
    for (let i = 0; i < count; i++) bytes += pieces[i]!.binary.length;
    this.byteLength = bytes;
  }

  /** Copies the entries into `target` at `offset`. */
  copyTo(target: Uint8Array, offset: number): void {
    if (this.shared) {
      if (this.joined === undefined) {
        this.joined = new Uint8Array(this.byteLength);
        this.copyPieces(this.joined, 0);
      }
      target.set(this.joined, offset);
    } else {
      this.copyPieces(target, offset);
    }
  }

  private copyPieces(target: Uint8Array, offset: number): void {
    const { pieces, count } = this;
    for (let i = 0; i < count; i++) {
      const binary = pieces[i]!.binary;
      target.set(binary, offset);
      offset += binary.length;
    }
  }

  /** The entries as comma-separated JSON, joined the first time a JSON connection needs them. */
  get json(): string {
    this.text ??= this.pieces.slice(0, this.count).map(pieceText).join(',');
    return this.text;
  }
}

/**
 * The update message as a whole WebSocket frame (websocket-frame.ts): header, then the MessagePack map.
 * Times are whole milliseconds on the wire.
 */
export function binaryFrame(seq: number, time: number, body: Body): Buffer {
  const ms = Math.floor(time);
  const prefixLength =
    PREFIX_HEAD.length + uintLength(seq) + TIME_KEY.length + uintLength(ms) + UPDATES_KEY.length + arrayHeaderLength(body.count);
  // Exactly the frame's size: the header's length follows from the payload's.
  const header = headerLength(prefixLength + body.byteLength);
  const frame = Buffer.allocUnsafe(header + prefixLength + body.byteLength);
  frame.set(PREFIX_HEAD, header);
  let offset = writeUint(frame, header + PREFIX_HEAD.length, seq);
  frame.set(TIME_KEY, offset);
  offset = writeUint(frame, offset + TIME_KEY.length, ms);
  frame.set(UPDATES_KEY, offset);
  offset = writeArrayHeader(frame, offset + UPDATES_KEY.length, body.count);
  body.copyTo(frame, offset);
  return frameInPlace(frame, header);
}

export function textFrame(seq: number, time: number, body: Body): string {
  return `{"type":"update","seq":${seq},"time":${Math.floor(time)},"updates":[${body.json}]}`;
}
