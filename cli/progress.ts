/**
 * Progress lines on a terminal (stderr), redrawn in place with `\r` every PROGRESS_INTERVAL_MS:
 * - `replay`: share of the files read, ticks per second applied, the replayed time, and the replay's state;
 * - `record`: ticks written, ticks per second, the file being written and its size, and each exchange
 *   connection's state with --feed.
 * The commands show them only when stderr is a TTY, and clear() them before writing any other line.
 */
import type { LiveStatus } from '../feeds/live/status.js';
import type { RecorderStats } from '../feeds/recording/recorder.js';
import type { ReplayFeed } from '../feeds/replay/index.js';
import { isoTime } from '../feeds/time.js';
import type { Market } from '../server/market/market.js';

/** How often a line is redrawn. */
export const PROGRESS_INTERVAL_MS = 250;
const BAR_CELLS = 24;
const DEFAULT_COLUMNS = 120;

export interface ProgressLine {
  /** Clears the line (before other output) and stops redrawing. */
  stop(): void;
  /** Clears the line so a message can be written; it is redrawn at the next tick. */
  clear(): void;
}

/** Redraws `text()` in place until stopped, cut to the terminal's width. */
export function statusLine(text: () => string, out: NodeJS.WriteStream = process.stderr): ProgressLine {
  let drawn = false;
  const draw = (): void => {
    // A terminal whose size is unknown (a pseudo-terminal nobody sized) says 0 columns.
    const columns = out.columns > 0 ? out.columns : DEFAULT_COLUMNS;
    out.write(`\r${text().slice(0, Math.max(20, columns - 1))}\u001b[K`);
    drawn = true;
  };
  const timer = setInterval(draw, PROGRESS_INTERVAL_MS);
  timer.unref();
  const clear = (): void => {
    if (drawn) out.write('\r\u001b[K');
    drawn = false;
  };
  return {
    stop() {
      clearInterval(timer);
      clear();
    },
    clear,
  };
}

/** Per second since the previous call, of a count that only grows: a line's ticks/s. */
function rateOf(count: () => number): () => number {
  let last = count();
  let lastAt = performance.now();
  let rate = 0;
  return () => {
    const now = performance.now();
    const seconds = (now - lastAt) / 1000;
    const value = count();
    if (seconds > 0) rate = (value - last) / seconds;
    last = value;
    lastAt = now;
    return rate;
  };
}

const count = (value: number): string => Math.round(value).toLocaleString('en-US');

export function progressLine(feed: ReplayFeed, market: Market, out: NodeJS.WriteStream = process.stderr): ProgressLine {
  const rate = rateOf(() => market.counters.ticks);
  return statusLine(() => {
    const { player } = feed;
    const share = feed.progress();
    const filled = Math.round(share * BAR_CELLS);
    const position = player.currentPosition();
    const speed = player.speed === 'max' ? 'max' : `${player.speed}×`;
    return (
      `[${'#'.repeat(filled)}${'.'.repeat(BAR_CELLS - filled)}] ${(share * 100).toFixed(1).padStart(5)}%  ` +
      `${count(rate()).padStart(9)} ticks/s  ${Number.isFinite(position) ? isoTime(position) : '-'}  ${player.phase} ${speed}`
    );
  }, out);
}

/** What the recording line reads of a recorder (TickRecorder). */
export interface RecordingProgress {
  readonly stats: Readonly<RecorderStats>;
  /** Bytes of the file being written, on disk or about to be. */
  readonly fileBytes: number;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

/** `record`'s line: `1,234,567 ticks  2,013 ticks/s  ticks.tape.gz 12.4 MB  binance live, coinbase waiting`. */
export function recordingLine(recorder: RecordingProgress, live: LiveStatus | undefined, out: NodeJS.WriteStream = process.stderr): ProgressLine {
  const rate = rateOf(() => recorder.stats.ticks);
  return statusLine(() => {
    const { stats } = recorder;
    const links = live === undefined ? '' : `  ${[...live.venues.values()].map((venue) => `${venue.venue} ${venue.state}`).join(', ')}`;
    return (
      `${count(stats.ticks).padStart(11)} ticks  ${count(rate()).padStart(7)} ticks/s  ` +
      `${stats.files.at(-1) ?? '-'} ${megabytes(recorder.fileBytes)}${links}`
    );
  }, out);
}
