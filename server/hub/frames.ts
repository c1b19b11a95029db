/**
 * Update frames assembled from pieces encoded once per flush. An update frame is the MessagePack map
 * `{type: "update", seq, time, updates: [entry, ...]}`; the entries are pre-encoded MessagePack values, so a
 * frame is a short per-connection prefix (the map up to the array header) followed by the shared body (the
 * concatenated entries). Nothing here re-encodes an entry.
 */
import { packPrepared, wireTime } from '../../client/protocol/codec.js';
import { pieceText, type Piece } from './piece-cache.js';

/** MessagePack array header for `count` items (fixarray, array 16 or array 32). */
export function arrayHeader(count: number): Uint8Array {
  if (count < 16) return Uint8Array.of(0x90 | count);
  if (count < 0x1_0000) return Uint8Array.of(0xdc, count >>> 8, count & 0xff);
  return Uint8Array.of(0xdd, count >>> 24, (count >>> 16) & 0xff, (count >>> 8) & 0xff, count & 0xff);
}

/** Entries shared by every connection that receives the same update content in one flush. */
export class Body {
  readonly count: number;
  /** Concatenated MessagePack entries (no array header). */
  readonly binary: Buffer;
  private text: string | undefined;

  constructor(private readonly pieces: readonly Piece[]) {
    this.count = pieces.length;
    this.binary = Buffer.concat(pieces.map((piece) => piece.binary));
  }

  /** The entries as comma-separated JSON, joined the first time a JSON connection needs them. */
  get json(): string {
    this.text ??= this.pieces.map(pieceText).join(',');
    return this.text;
  }
}

export function binaryFrame(seq: number, time: number, body: Body): Buffer {
  // `updates: []` packs to a trailing 0x90; drop it and put the real array header in its place.
  const prefix = packPrepared({ type: 'update', seq, time: wireTime(time), updates: [] });
  const header = arrayHeader(body.count);
  const frame = Buffer.allocUnsafe(prefix.length - 1 + header.length + body.binary.length);
  frame.set(prefix.subarray(0, prefix.length - 1), 0);
  frame.set(header, prefix.length - 1);
  frame.set(body.binary, prefix.length - 1 + header.length);
  return frame;
}

export function textFrame(seq: number, time: number, body: Body): string {
  return `{"type":"update","seq":${seq},"time":${Math.floor(time)},"updates":[${body.json}]}`;
}
