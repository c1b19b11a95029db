/**
 * Update frames assembled from pieces encoded once per flush. An update frame is the MessagePack map
 * `{type: "update", seq, time, updates: [entry, ...]}`; the entries are pre-encoded MessagePack values, so a
 * frame is a short per-connection prefix (the map up to the array header, written here byte by byte)
 * followed by the entries. Nothing here re-encodes an entry, and a frame is one allocation and one copy of
 * its entries.
 */
import { TIME_KEY, UPDATES_KEY, UPDATE_HEAD } from '../../client/protocol/update-frame.js';
import { PieceList, pieceText, type Piece, type PieceSource } from './piece-cache.js';
import { arrayHeaderLength, uintLength, writeArrayHeader, writeUint } from './msgpack-write.js';
import { frameInPlace, headerLength } from './websocket-frame.js';

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
   * The entries are the pieces of `source` under the first `count` of `keys`. `shared`: the body goes to
   * more than one connection, so it is joined once and each frame copies it whole; a body for one
   * connection is copied into its frame piece by piece and never joined. `byteLength`: their bytes, summed
   * by the caller as it gathered them (group.ts), so the hot path does not walk the pieces twice.
   */
  constructor(
    private readonly source: PieceSource,
    private readonly keys: ArrayLike<number>,
    count: number,
    byteLength: number,
    private readonly shared: boolean,
  ) {
    this.count = count;
    this.byteLength = byteLength;
  }

  /** A body of these pieces, in order. */
  static of(pieces: readonly Piece[], shared = true): Body {
    let bytes = 0;
    for (const piece of pieces) bytes += piece.binary.length;
    return new Body(new PieceList(pieces), Array.from(pieces.keys()), pieces.length, bytes, shared);
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
    const { source, keys, count } = this;
    for (let i = 0; i < count; i++) {
      const binary = source.binary(keys[i]!);
      target.set(binary, offset);
      offset += binary.length;
    }
  }

  /** The entries as comma-separated JSON, joined the first time a JSON connection needs them. */
  get json(): string {
    if (this.text === undefined) {
      const texts: string[] = [];
      for (let i = 0; i < this.count; i++) texts.push(pieceText(this.source.piece(this.keys[i]!)));
      this.text = texts.join(',');
    }
    return this.text;
  }
}

/**
 * A Buffer over part of an ArrayBuffer, made without Buffer.prototype.subarray: Node's subarray reads the
 * source's `buffer`, a getter V8 runs in C++ and does not inline, and costs about 140 ns a frame against 45
 * for this constructor (docs/benchmarks.md). It is what Node's own FastBuffer is, a Uint8Array whose
 * prototype chain holds Buffer.prototype and whose `constructor` is Buffer, so it is a Buffer to Node
 * (`Buffer.isBuffer`, `instanceof`, every Buffer method, a socket's write()).
 */
class FrameBuffer extends Uint8Array {}
Object.setPrototypeOf(FrameBuffer.prototype, Buffer.prototype);
Object.defineProperty(FrameBuffer.prototype, 'constructor', { value: Buffer, writable: true, configurable: true });

function frameBuffer(memory: ArrayBuffer, offset: number, size: number): Buffer {
  return new FrameBuffer(memory, offset, size) as unknown as Buffer;
}

/**
 * Memory for update frames, reused frame after frame: a flush writes one frame per connection, and the
 * kernel usually takes all of it at once, after which the frame's bytes can hold the next connection's.
 *
 * Why: a Buffer per frame is an ArrayBuffer per few frames (Node's 8 KiB pool), tens of MB a second at a
 * thousand connections, and V8 counts ArrayBuffer memory allocated since its last full collection against
 * the old generation's limit. That kept a full (mark-compact) collection going every half second with
 * 22 MB live; the benchmark's default scenario spent 15 % of the server's CPU in it (perf, docs/benchmarks.md).
 *
 * Frames are cut from a slab in order. release() hands back the latest one when nothing holds it any more;
 * a frame something still holds (a write the socket queued) keeps its bytes, and the next frames go after
 * it. A full slab is replaced by a new one: the old one lives as long as the writes that hold it.
 */
export class FrameArena {
  private slab: ArrayBuffer;
  private used = 0;
  /** The latest frame cut from the slab, until it is released, and where it starts. */
  private latest: Buffer | undefined;
  private latestStart = 0;

  constructor(private readonly slabBytes = 256 * 1024) {
    this.slab = newSlab(slabBytes);
  }

  /** `size` bytes for a frame; a frame larger than a quarter of a slab gets its own memory. */
  alloc(size: number): Buffer {
    if (size > this.slabBytes / 4) return frameBuffer(newSlab(size), 0, size);
    if (this.used + size > this.slabBytes) {
      this.slab = newSlab(this.slabBytes);
      this.used = 0;
    }
    const frame = frameBuffer(this.slab, this.used, size);
    this.latest = frame;
    this.latestStart = this.used;
    this.used += size;
    return frame;
  }

  /**
   * Gives back the memory of `frame`, the latest frame alloc() made, for the next one. Only once nothing
   * refers to its bytes: the kernel took them all (no write queued them) or they were never sent.
   */
  release(frame: Buffer): void {
    if (frame !== this.latest) return;
    this.used = this.latestStart;
    this.latest = undefined;
  }
}

/** Memory not zeroed first (every frame writes all its bytes) and outside Node's shared pool. */
function newSlab(bytes: number): ArrayBuffer {
  return Buffer.allocUnsafeSlow(bytes).buffer as ArrayBuffer;
}

/**
 * The update message as a whole WebSocket frame (websocket-frame.ts): header, then the MessagePack map.
 * Times are whole milliseconds on the wire. With an `arena` the frame's memory comes from it (and should go
 * back with FrameArena.release once sent).
 */
export function binaryFrame(seq: number, time: number, body: Body, arena?: FrameArena): Buffer {
  const ms = Math.floor(time);
  const prefixLength =
    UPDATE_HEAD.length + uintLength(seq) + TIME_KEY.length + uintLength(ms) + UPDATES_KEY.length + arrayHeaderLength(body.count);
  // Exactly the frame's size: the header's length follows from the payload's.
  const header = headerLength(prefixLength + body.byteLength);
  const size = header + prefixLength + body.byteLength;
  const frame = arena === undefined ? Buffer.allocUnsafe(size) : arena.alloc(size);
  frame.set(UPDATE_HEAD, header);
  let offset = writeUint(frame, header + UPDATE_HEAD.length, seq);
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
