/**
 * The replay's progress line on a terminal (stderr): share of the files read, ticks per second applied,
 * the replayed time, and the replay's state. Redrawn in place with `\r`; nothing when stderr is not a TTY.
 */
import type { Market } from '../server/market/market.js';
import type { ReplayFeed } from '../feeds/replay/index.js';
import { isoTime } from '../feeds/time.js';

/** How often the line is redrawn. */
export const PROGRESS_INTERVAL_MS = 250;
const BAR_CELLS = 24;

export interface ProgressLine {
  /** Clears the line (before other output) and stops redrawing. */
  stop(): void;
  /** Clears the line so a message can be written; it is redrawn at the next tick. */
  clear(): void;
}

export function progressLine(feed: ReplayFeed, market: Market, out: NodeJS.WriteStream = process.stderr): ProgressLine {
  let lastTicks = market.counters.ticks;
  let lastAt = performance.now();
  let rate = 0;
  let drawn = false;
  const draw = (): void => {
    const now = performance.now();
    const ticks = market.counters.ticks;
    const seconds = (now - lastAt) / 1000;
    if (seconds > 0) rate = (ticks - lastTicks) / seconds;
    lastTicks = ticks;
    lastAt = now;
    const { player } = feed;
    const share = feed.progress();
    const filled = Math.round(share * BAR_CELLS);
    const position = player.currentPosition();
    const speed = player.speed === 'max' ? 'max' : `${player.speed}×`;
    const line =
      `[${'#'.repeat(filled)}${'.'.repeat(BAR_CELLS - filled)}] ${(share * 100).toFixed(1).padStart(5)}%  ` +
      `${Math.round(rate).toLocaleString('en-US').padStart(9)} ticks/s  ${Number.isFinite(position) ? isoTime(position) : '-'}  ${player.phase} ${speed}`;
    out.write(`\r${line.slice(0, Math.max(20, (out.columns ?? 120) - 1))}\u001b[K`);
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
