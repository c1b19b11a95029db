/**
 * Writes normalized ticks to tickertape's recording format (feeds/replay/formats/tickertape.ts), plain or
 * gzip, into one file or a numbered series rotated by size. Lines are gathered and written in blocks, and
 * flushed (gzip included: a sync flush, so everything written so far inflates) at least every
 * RECORDER_FLUSH_INTERVAL_MS: a crash loses at most that much, and what was written replays.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { createGzip, constants as zlib, type Gzip } from 'node:zlib';
import { tickProblem, type Tick } from '../tick.js';
import { RECORDING_HEADER } from '../replay/formats/tickertape.js';
import { plural } from '../replay/summary.js';
import { TickLineWriter } from './tick-lines.js';

/** Bytes of lines gathered before they are handed to the file (or the compressor). */
export const RECORDER_BLOCK_BYTES = 64 * 1024;
/** Longest time a recorded tick waits in memory before it is written and flushed. */
export const RECORDER_FLUSH_INTERVAL_MS = 1_000;
/** Smallest rotation size: below this a series would be mostly headers. */
export const MIN_ROTATE_BYTES = 64 * 1024;
/** Largest rotation size the flags take (1 TiB): past it is no rotation at all, and most likely a typo. */
export const MAX_ROTATE_BYTES = 1024 ** 4;
/**
 * gzip's compression levels, 1 (fastest) to 9 (smallest). The default, 6, is zlib's; level 1's compression
 * costs a quarter to three fifths of level 6's CPU, for about a fifth more bytes (docs/feeds.md#performance).
 */
export const MIN_GZIP_LEVEL = 1;
export const MAX_GZIP_LEVEL = 9;
export const DEFAULT_GZIP_LEVEL = 6;
/** Room past a block's size for the line that fills it, so a block is one buffer, never grown. */
const LINE_MARGIN_BYTES = 1024;

export interface RecorderOptions {
  /** The file, e.g. `ticks.tape` or `ticks.tape.gz`; with rotation, the pattern `ticks-0001.tape.gz` follows it. */
  readonly file: string;
  /** Compress with gzip (default: when `file` ends in `.gz`, or a level is given). */
  readonly gzip?: boolean;
  /** gzip's level, MIN_GZIP_LEVEL to MAX_GZIP_LEVEL (default DEFAULT_GZIP_LEVEL); given, it means gzip. */
  readonly gzipLevel?: number;
  /** Start the next file of the series once one holds this many bytes on disk; default: never. */
  readonly rotateBytes?: number;
}

export interface RecorderStats {
  /** Ticks written. */
  ticks: number;
  /** Ticks refused: invalid (feeds/tick.ts), or a symbol a line cannot hold. */
  refused: number;
  /** Files written so far, in order. */
  readonly files: string[];
}

export class RecorderError extends Error {
  readonly code = 'RECORD_FAILED';
}

/** The n-th file of a rotated series: `ticks.tape.gz` → `ticks-0001.tape.gz`. */
export function rotatedName(file: string, index: number): string {
  const gz = file.endsWith('.gz');
  const plain = gz ? file.slice(0, -3) : file;
  const extension = extname(basename(plain));
  const stem = join(dirname(plain), basename(plain, extension));
  return `${stem}-${String(index).padStart(4, '0')}${extension}${gz ? '.gz' : ''}`;
}

export class TickRecorder {
  readonly stats: RecorderStats = { ticks: 0, refused: 0, files: [] };
  private readonly gzip: boolean;
  private readonly gzipLevel: number;
  private readonly rotateBytes: number;
  private out: WriteStream | undefined;
  private compressor: Gzip | undefined;
  /** Lines not yet handed to the file, as bytes. */
  private readonly lines = new TickLineWriter(RECORDER_BLOCK_BYTES + LINE_MARGIN_BYTES);
  /** Bytes handed to the current file (before compression). */
  private writtenBytes = 0;
  /**
   * The current file has reached the rotation size: write() answers false until drain() has started the
   * next. Set after each hand-off of lines, by a write() that fills a block and by the timer's flush alike.
   */
  private rotateDue = false;
  /** A rotating gzip file: settles once zlib has given out the last block handed to it, and its size is judged. */
  private sizeKnown: Promise<void> | undefined;
  private index = 0;
  private timer: NodeJS.Timeout | undefined;
  private failure: RecorderError | undefined;
  /** Aborted when a write fails: a wait for the file to drain, which then never comes, ends with it. */
  private readonly failing = new AbortController();
  /** Settles when a write fails, ending any wait on zlib, which a failed file can leave unable to go on. */
  private readonly failed = new Promise<void>((resolve) => this.failing.signal.addEventListener('abort', () => resolve(), { once: true }));
  private closed = false;

  private constructor(private readonly options: RecorderOptions) {
    this.gzip = options.gzip ?? (options.gzipLevel !== undefined || options.file.endsWith('.gz'));
    this.gzipLevel = options.gzipLevel ?? DEFAULT_GZIP_LEVEL;
    if (!(Number.isInteger(this.gzipLevel) && this.gzipLevel >= MIN_GZIP_LEVEL && this.gzipLevel <= MAX_GZIP_LEVEL)) {
      throw new RecorderError(`the gzip level must be a whole number from ${MIN_GZIP_LEVEL} to ${MAX_GZIP_LEVEL}, got ${this.gzipLevel}`);
    }
    this.rotateBytes = options.rotateBytes ?? Number.POSITIVE_INFINITY;
    if (!(this.rotateBytes >= MIN_ROTATE_BYTES)) throw new RecorderError(`rotation size must be at least ${MIN_ROTATE_BYTES} bytes, got ${this.rotateBytes}`);
  }

  /** Creates the first file; refuses to overwrite an existing one. */
  static async open(options: RecorderOptions): Promise<TickRecorder> {
    const recorder = new TickRecorder(options);
    await recorder.startFile();
    recorder.timer = setInterval(() => void recorder.flush(), RECORDER_FLUSH_INTERVAL_MS);
    recorder.timer.unref();
    return recorder;
  }

  /**
   * Records one tick. Returns false when the file has more queued than it has written: await drain()
   * before the next (a recording never drops ticks, so a disk that cannot keep up slows the feed).
   */
  write(tick: Tick): boolean {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new RecorderError('the recorder is closed');
    if (tickProblem(tick) !== undefined || !this.lines.append(tick)) {
      this.stats.refused++;
      return true;
    }
    this.stats.ticks++;
    if (this.lines.length >= RECORDER_BLOCK_BYTES) return this.writeBlock();
    return !this.rotateDue;
  }

  /**
   * Resolves once the file has caught up with what was written; rejects with a RecorderError when writing
   * it failed (before the wait or during it).
   */
  async drain(): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    const out = this.compressor ?? this.out;
    if (out !== undefined && out.writableNeedDrain) {
      // A failed write never drains, and a failed file under gzip leaves the compressor full: the failure ends the wait.
      await once(out, 'drain', { signal: this.failing.signal }).catch((error: unknown) => {
        throw this.failure ?? error;
      });
    }
    // gzip: 'drain' comes once zlib has taken the block in, before it has given out all it made of it.
    if (this.sizeKnown !== undefined) {
      await Promise.race([this.sizeKnown, this.failed]);
      if (this.failure !== undefined) throw this.failure;
    }
    if (this.rotateDue) await this.rotate();
  }

  /**
   * Writes what is gathered and flushes it to disk (gzip: a sync flush). Resolves once gzip has given out
   * everything written so far (at once for a plain file).
   */
  flush(): Promise<void> {
    if (this.closed || this.failure !== undefined) return Promise.resolve();
    if (this.lines.length > 0) this.writeBlock();
    const compressor = this.compressor;
    if (compressor === undefined) return Promise.resolve();
    // After writeBlock's own flush (a rotating series), zlib has nothing more to give: this one adds no bytes.
    return new Promise((resolve) => compressor.flush(zlib.Z_SYNC_FLUSH, () => resolve()));
  }

  /** Rotation is on: files have a size to stop at. */
  private get rotating(): boolean {
    return Number.isFinite(this.rotateBytes);
  }

  /** Records the first failure and ends any wait for the file to drain. */
  private fail(error: RecorderError): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.failing.abort(error);
  }

  /** Writes everything, ends the file and releases it; rejects with the RecorderError of a write that failed. */
  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.timer);
    if (this.lines.length > 0) this.writeBlock();
    this.closed = true;
    await this.endFile();
    if (this.failure !== undefined) throw this.failure;
  }

  private writeBlock(): boolean {
    // After a failure the file takes nothing more (its stream is destroyed): the lines go nowhere.
    if (this.failure !== undefined) {
      this.lines.take();
      return true;
    }
    const block = this.lines.take();
    this.writtenBytes += block.length;
    const compressor = this.compressor;
    if (compressor === undefined) {
      const ready = this.out!.write(block);
      if (this.writtenBytes >= this.rotateBytes) this.rotateDue = true;
      return ready && !this.rotateDue;
    }
    const ready = compressor.write(block);
    // A file that never rotates has no size to watch: the timer's sync flush is enough.
    if (!this.rotating) return ready;
    // A gzip file's size shows only once zlib has given out what it holds: a sync flush with each block makes
    // it give out everything, and the size is judged when it has. Read without it, the size trailed by a block
    // or two, and files of the least size, 64 KiB, came out up to half as big again. It costs a few bytes a block.
    this.sizeKnown = new Promise((resolve) =>
      compressor.flush(zlib.Z_SYNC_FLUSH, () => {
        if (compressor === this.compressor && this.writtenOnDisk() >= this.rotateBytes) this.rotateDue = true;
        resolve();
      }),
    );
    return ready && !this.rotateDue;
  }

  /**
   * Why writing the file failed, once it has: the file then ends where the failure cut it (it replays up to
   * the cut; gzip with --skip-bad), and the ticks recorded after that point are not in it.
   */
  get error(): RecorderError | undefined {
    return this.failure;
  }

  /**
   * The line that ends a recording (`record`, `serve --record`): the ticks taken and the files; after a
   * failure, that the last file stops short of them.
   */
  summary(): string {
    const { ticks, refused, files } = this.stats;
    const recorded = `recorded ${plural(ticks, 'tick')}${refused > 0 ? ` (${refused} refused)` : ''} to ${files.join(', ')}`;
    if (this.failure === undefined) return recorded;
    return `${recorded}, but writing failed: ${files.at(-1)} ends short of the last of them, and replays up to where it ends (gzip: with --skip-bad)`;
  }

  /** Bytes of the file being written, on disk or about to be (for gzip, behind by what zlib holds). */
  get fileBytes(): number {
    return this.writtenOnDisk();
  }

  /**
   * Bytes of the current file on disk, or about to be: for gzip, what zlib has given out, whether written,
   * queued for the file or waiting in the compressor for the file to take it (behind by what zlib holds).
   */
  private writtenOnDisk(): number {
    if (!this.gzip) return this.writtenBytes;
    return (this.out?.bytesWritten ?? 0) + (this.out?.writableLength ?? 0) + (this.compressor?.readableLength ?? 0);
  }

  private async rotate(): Promise<void> {
    if (this.lines.length > 0) this.writeBlock();
    await this.endFile();
    if (this.failure !== undefined) throw this.failure;
    await this.startFile();
  }

  private async startFile(): Promise<void> {
    this.index++;
    const file = Number.isFinite(this.rotateBytes) ? rotatedName(this.options.file, this.index) : this.options.file;
    const out = createWriteStream(file, { flags: 'wx' });
    try {
      await once(out, 'open');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new RecorderError(
        code === 'EEXIST'
          ? `${file} already exists: name another file (a recording is never overwritten)`
          : code === 'ENOENT' || code === 'ENOTDIR'
            ? `cannot create ${file}: its folder ${dirname(file)} does not exist`
            : `cannot write ${file}: ${(error as Error).message}`,
      );
    }
    out.on('error', (error) => this.fail(new RecorderError(`writing ${file} failed: ${error.message}`)));
    this.out = out;
    this.writtenBytes = 0;
    this.rotateDue = false;
    this.sizeKnown = undefined;
    if (this.gzip) {
      const compressor = createGzip({ level: this.gzipLevel });
      compressor.on('error', (error) => this.fail(new RecorderError(`compressing ${file} failed: ${error.message}`)));
      compressor.pipe(out);
      this.compressor = compressor;
    }
    this.stats.files.push(file);
    const header = `${RECORDING_HEADER}\n`;
    this.writtenBytes += header.length;
    (this.compressor ?? out).write(header);
  }

  private async endFile(): Promise<void> {
    const out = this.out;
    const compressor = this.compressor;
    this.out = undefined;
    this.compressor = undefined;
    if (out === undefined) return;
    if (this.failure !== undefined) {
      // A failed file is closed already, or closing; the compressor, unpiped from it, is dropped.
      compressor?.destroy();
      out.destroy();
      await finished(out).catch(() => undefined);
      return;
    }
    const closed = once(out, 'close');
    (compressor ?? out).end();
    // A last write that fails is the recorder's failure (the 'error' listener): the caller reads it there.
    await closed.catch(() => undefined);
  }
}
