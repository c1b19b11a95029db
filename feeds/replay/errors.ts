/**
 * Errors about replay input: a stable code, and a message that starts with where the problem is
 * (`FILE:LINE: reason`, or `FILE: reason` when it is about the whole file), as compilers print them.
 */

export const REPLAY_ERROR_CODES = [
  /** The path cannot be opened or read (missing, a directory, no permission, an I/O error). */
  'UNREADABLE',
  /** The file holds no lines (or only blank ones). */
  'EMPTY',
  /** The first lines match no format tickertape reads; `--format` names one. */
  'UNKNOWN_FORMAT',
  /** The format is known but its header or setup is unusable (e.g. a trades CSV with no symbol and no `--symbol`). */
  'BAD_HEADER',
  /** A line does not parse as the file's format, or makes an invalid tick. */
  'BAD_LINE',
  /** A line longer than MAX_LINE_BYTES. */
  'LINE_TOO_LONG',
  /**
   * A tick more than MAX_OUT_OF_ORDER_MS older than the newest already read from the same file, or one more
   * than that ahead of the ticks both before and after it (`far ahead`: a bad time, not a gap in the data).
   */
  'OUT_OF_ORDER',
  /** A gzip file that ends mid-stream or holds corrupt data (found where zlib finds it: docs/feeds.md). */
  'BAD_GZIP',
  /** Options that cannot work together or out of range (flags, protocol requests). */
  'BAD_OPTION',
] as const;
export type ReplayErrorCode = (typeof REPLAY_ERROR_CODES)[number];

export class ReplayError extends Error {
  override readonly name = 'ReplayError';

  constructor(
    readonly code: ReplayErrorCode,
    /** What went wrong, without the place. */
    readonly reason: string,
    /** The file as the user named it; undefined for errors about options. */
    readonly file?: string,
    /** 1-based line number, when the problem is on one line. */
    readonly line?: number,
  ) {
    super(file === undefined ? reason : line === undefined ? `${file}: ${reason}` : `${file}:${line}: ${reason}`);
  }
}
