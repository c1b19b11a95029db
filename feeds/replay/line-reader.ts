/**
 * The one streaming line reader under every replay format: reads a file in chunks (never whole), inflates it
 * when it is gzip (recognised by its magic bytes, not its name), and hands over complete lines in batches,
 * numbered, with `\r\n` and `\n` line ends removed, and a UTF-8 byte-order mark before the first line dropped
 * (editors and spreadsheets on Windows write one). Memory is one chunk and one batch, whatever the file size.
 */
import { createReadStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ReplayError } from './errors.js';

/** Longest line accepted, in bytes: far above any real message (a Binance REST depth snapshot is ~60 KiB). */
export const MAX_LINE_BYTES = 1_048_576;
/** Bytes read (and, for gzip, inflated) per chunk: one batch of lines. */
export const READ_CHUNK_BYTES = 256 * 1024;

const GZIP_MAGIC = [0x1f, 0x8b] as const;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 13;
/** A UTF-8 byte-order mark (EF BB BF) as decoded. */
const BYTE_ORDER_MARK = 0xfeff;

export interface LineBatch {
  /** Complete lines, without their line ends. */
  readonly lines: string[];
  /** 1-based number of `lines[0]`. */
  readonly firstLine: number;
}

export interface LineReaderOptions {
  /** Skip (and count) over-long lines instead of failing on the first. */
  readonly skipLongLines?: boolean;
  /** Test hook: a smaller cap, so tests need not write megabytes. */
  readonly maxLineBytes?: number;
  /** Test hook: smaller chunks, to exercise lines split across chunks. */
  readonly chunkBytes?: number;
}

export class LineReader {
  /** Bytes of the file read so far (compressed bytes for gzip): progress against `size`. */
  get bytesRead(): number {
    return this.raw?.bytesRead ?? 0;
  }
  /** Size of the file in bytes. */
  size = 0;
  gzip = false;
  /** Over-long lines skipped (with `skipLongLines`). */
  longLinesSkipped = 0;
  /** The gzip stream was cut short (next() threw BAD_GZIP for it): the data before the cut may be whole. */
  truncated = false;
  /** The whole file was read (for gzip: inflated, and its checksums matched). */
  ended = false;

  private raw: (Readable & { bytesRead: number }) | undefined;
  /** What lines are split from: the raw stream, or the inflater behind it. */
  private stream: Readable | undefined;
  private chunks: AsyncIterator<Buffer> | undefined;
  private handle: FileHandle | undefined;
  /** Lines numbered so far. */
  private lineNumber = 0;
  /** Bytes of the line being assembled, not yet ended by a newline. */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** Inside an over-long line being skipped. */
  private discarding = false;
  private done = false;
  /** An error to throw once the lines before it have been handed over. */
  private failure: ReplayError | undefined;
  private readonly maxLineBytes: number;
  private readonly chunkBytes: number;

  constructor(
    /** The path as the user gave it: every message names it so. */
    readonly path: string,
    private readonly options: LineReaderOptions = {},
  ) {
    this.maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
    this.chunkBytes = options.chunkBytes ?? READ_CHUNK_BYTES;
  }

  /** Opens the file; a missing, unreadable or empty one is a ReplayError naming it. */
  async open(): Promise<void> {
    try {
      const info = await stat(this.path);
      if (info.isDirectory()) throw new ReplayError('UNREADABLE', 'cannot read: it is a directory', this.path);
      this.size = info.size;
      this.handle = await open(this.path, 'r');
      const magic = Buffer.alloc(2);
      const { bytesRead } = await this.handle.read(magic, 0, 2, 0);
      this.gzip = bytesRead === 2 && magic[0] === GZIP_MAGIC[0] && magic[1] === GZIP_MAGIC[1];
    } catch (error) {
      await this.close();
      if (error instanceof ReplayError) throw error;
      throw new ReplayError('UNREADABLE', `cannot read: ${systemMessage(error)}`, this.path);
    }
    if (this.size === 0) {
      await this.close();
      throw new ReplayError('EMPTY', 'empty file', this.path);
    }
    const raw = this.handle.createReadStream({ start: 0, highWaterMark: this.chunkBytes, autoClose: true });
    this.raw = raw;
    let stream: Readable = raw;
    if (this.gzip) {
      const gunzip = createGunzip({ chunkSize: this.chunkBytes });
      raw.on('error', (error) => gunzip.destroy(error));
      stream = raw.pipe(gunzip);
    }
    this.stream = stream;
    this.chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /**
   * The next lines, or undefined at the end of the file. Throws a ReplayError for an over-long line (unless
   * skipped), a truncated or corrupt gzip stream, or a read error, after the complete lines before it (for
   * gzip, but those of the chunk zlib failed in). Damage that decodes is found only by the checksum at the end
   * of the gzip member: that error names no line.
   */
  async next(): Promise<LineBatch | undefined> {
    const chunks = this.chunks;
    if (chunks === undefined) throw new Error('LineReader.next() before open()');
    for (;;) {
      if (this.failure !== undefined) {
        await this.close();
        throw this.failure;
      }
      if (this.done) return undefined;
      let result: IteratorResult<Buffer>;
      try {
        result = await chunks.next();
      } catch (error) {
        this.done = true;
        await this.close();
        throw this.readError(error);
      }
      if (result.done === true) {
        this.done = true;
        this.ended = true;
        await this.close();
        return this.lastLine();
      }
      const batch = this.split(result.value);
      if (batch !== undefined) return batch;
    }
  }

  /** Stops reading and releases the file (safe to call twice, and before the end). */
  async close(): Promise<void> {
    this.done = true;
    this.stream?.destroy();
    this.raw?.destroy();
    const handle = this.handle;
    this.handle = undefined;
    // The stream closes the handle when it is destroyed; a handle with no stream yet is closed here.
    if (handle !== undefined && this.chunks === undefined) await handle.close().catch(() => undefined);
  }

  /** The complete lines of one chunk (with the partial line before it); undefined when it ends none. */
  private split(chunk: Buffer): LineBatch | undefined {
    const last = chunk.lastIndexOf(NEWLINE);
    if (last < 0) {
      if (!this.discarding) this.hold(chunk);
      return undefined;
    }
    const lines: string[] = [];
    let start = 0;
    if (this.discarding || this.partialBytes > 0) {
      const end = chunk.indexOf(NEWLINE);
      this.lineNumber++;
      if (this.discarding) this.discarding = false;
      else if (this.partialBytes + end > this.maxLineBytes) {
        this.tooLong(this.lineNumber);
        // Strict: nothing after the over-long line is handed over.
        if (this.failure !== undefined) return undefined;
      } else {
        this.partial.push(chunk.subarray(0, end));
        lines.push(stripReturn(Buffer.concat(this.partial, this.partialBytes + end).toString('utf8')));
      }
      this.partial = [];
      this.partialBytes = 0;
      start = end + 1;
    }
    const firstLine = this.lineNumber + 1 - lines.length;
    if (start <= last) {
      const split = chunk.toString('utf8', start, last).split('\n');
      for (const line of split) lines.push(stripReturn(line));
      this.lineNumber += split.length;
    }
    if (last + 1 < chunk.length) this.hold(chunk.subarray(last + 1));
    if (lines.length === 0) return undefined;
    if (firstLine === 1) dropByteOrderMark(lines);
    return { lines, firstLine };
  }

  private hold(bytes: Buffer): void {
    this.partial.push(bytes);
    this.partialBytes += bytes.length;
    if (this.partialBytes > this.maxLineBytes) {
      this.tooLong(this.lineNumber + 1);
      this.partial = [];
      this.partialBytes = 0;
      this.discarding = true;
    }
  }

  /** Counts an over-long line, or (strict) fails at it once the lines before it are handed over. */
  private tooLong(line: number): void {
    if (this.options.skipLongLines === true) {
      this.longLinesSkipped++;
      return;
    }
    this.failure ??= new ReplayError('LINE_TOO_LONG', `line longer than ${formatBytes(this.maxLineBytes)}`, this.path, line);
  }

  /** The last line when the file does not end with a newline. */
  private lastLine(): LineBatch | undefined {
    if (this.discarding) {
      this.discarding = false;
      this.lineNumber++;
      return undefined;
    }
    if (this.partialBytes === 0) return undefined;
    const line = stripReturn(Buffer.concat(this.partial, this.partialBytes).toString('utf8'));
    this.partial = [];
    this.partialBytes = 0;
    this.lineNumber++;
    const lines = [line];
    if (this.lineNumber === 1) dropByteOrderMark(lines);
    return { lines, firstLine: this.lineNumber };
  }

  private readError(error: unknown): ReplayError {
    const line = this.lineNumber + 1;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'Z_BUF_ERROR') {
      this.truncated = true;
      return new ReplayError('BAD_GZIP', 'truncated gzip: the file ends in the middle of the compressed stream', this.path, line);
    }
    if (code === 'Z_DATA_ERROR') {
      const message = systemMessage(error);
      // A checksum is checked at the end of the stream: it says nothing of where the damage is.
      if (isChecksumError(message)) return new ReplayError('BAD_GZIP', `${corruptGzip(message)}: the lines read from it may hold damaged data`, this.path);
      return new ReplayError('BAD_GZIP', corruptGzip(message), this.path, line);
    }
    return new ReplayError('UNREADABLE', `read failed: ${systemMessage(error)}`, this.path, line);
  }
}

/**
 * The whole of a gzip file inflated, the output thrown away: zlib's message when the compressed data is
 * corrupt (a deflate block that cannot be, or data that does not match the CRC-32 or length at the end of a
 * member), else undefined (whole, cut short, or unreadable: the reader itself reports those).
 */
export async function gzipDamage(path: string, signal?: AbortSignal): Promise<string | undefined> {
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  try {
    await pipeline(createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }), createGunzip({ chunkSize: READ_CHUNK_BYTES }), discard, signal === undefined ? {} : { signal });
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'Z_DATA_ERROR' ? systemMessage(error) : undefined;
  }
}

/** zlib's messages for data that does not match a gzip member's trailer, and what each checked. */
const TRAILER_CHECKS: Readonly<Record<string, string>> = {
  'incorrect data check': 'the CRC-32 checksum',
  'incorrect length check': 'the length recorded',
};

/** What a gzip stream's Z_DATA_ERROR means, for messages. */
export function corruptGzip(zlibMessage: string): string {
  if (!isChecksumError(zlibMessage)) return `corrupt gzip data (${zlibMessage})`;
  return `corrupt gzip data (${zlibMessage}): the data does not match ${TRAILER_CHECKS[zlibMessage]} at the end of the compressed stream`;
}

function isChecksumError(zlibMessage: string): boolean {
  return Object.hasOwn(TRAILER_CHECKS, zlibMessage);
}

/** The first line of a file without the byte-order mark it may start with. */
function dropByteOrderMark(lines: string[]): void {
  const first = lines[0]!;
  if (first.charCodeAt(0) === BYTE_ORDER_MARK) lines[0] = first.slice(1);
}

function stripReturn(line: string): string {
  return line.charCodeAt(line.length - 1) === CARRIAGE_RETURN ? line.slice(0, -1) : line;
}

function systemMessage(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const known: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EISDIR: 'it is a directory',
    ENOTDIR: 'a part of the path is not a directory',
  };
  if (code !== undefined && known[code] !== undefined) return known[code];
  return error instanceof Error ? error.message : String(error);
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1_048_576 && bytes % 1_048_576 === 0) return `${bytes / 1_048_576} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
