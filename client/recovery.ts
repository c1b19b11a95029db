/**
 * Filling the bars a client missed while away (docs/client.md#recovery). After a reconnect or a lost
 * frame, each symbol is restored from a snapshot, which holds only the most recent 1 s bars; the seconds
 * between the newest bar told before the disruption and the oldest bar of the snapshot are fetched with
 * `history`, paging backwards, and merged by time. Nothing is told until a symbol is whole again, so
 * consumers see the missed bars in time order, then the newer ones.
 */
import type { Bar } from './protocol/messages.js';

/** 1 s bars asked for per `history` page (the server keeps 900 by default: one page covers them all). */
export const RECOVERY_PAGE_BARS = 1_000;
/** Pages fetched per symbol at most; beyond that the fill is reported incomplete. */
export const RECOVERY_MAX_PAGES = 5;
/** `history` requests in flight at once during a recovery, so a big watchlist does not burst the server. */
export const RECOVERY_CONCURRENT_REQUESTS = 4;
const SECOND_MS = 1_000;

/** What happened, told by the `recovered` event once every symbol is whole again. */
export interface Recovery {
  /** `reconnect`: a new connection (perhaps to a restarted server); `gap`: a lost frame on this one. */
  readonly reason: 'reconnect' | 'gap';
  /** Symbols restored from a snapshot. */
  readonly symbols: readonly string[];
  /** 1 s bars fetched with `history` that the client did not have (the seconds it missed). */
  readonly filledBars: number;
  /**
   * Symbols whose bar series may have a hole: the server no longer had every bar since the last one told
   * (away longer than its retention, 15 minutes by default, or a restarted server without that past).
   * `after` is the last bar told before the disruption, `resumedAt` the oldest bar the server still had.
   */
  readonly incomplete: readonly { readonly symbol: string; readonly after: number; readonly resumedAt: number }[];
  /** From the disruption (connection lost, gap detected) to now, in ms. */
  readonly durationMs: number;
}

/** A symbol being recovered: its bar changes are collected here, not told, until it is whole. */
export interface RecoveringSymbol {
  /** Start of the newest bar told before the disruption; undefined if none was. */
  readonly from: number | undefined;
  /** Start times of bars that changed since the disruption. */
  readonly dirty: Set<number>;
  /** Oldest bar of the restoring snapshot; undefined until it comes (or if it had no bars). */
  anchor: number | undefined;
  /**
   * Bars filled from history so far. A round cut short (the connection lost again, a gap) keeps what it
   * merged, and the next round finds those bars already there: the count carries over, so the `recovered`
   * event counts every bar the disruption cost.
   */
  filled: number;
}

/** What fillMissedBars() did for one symbol. */
export interface FillOutcome {
  /** Bars merged that changed something. */
  readonly filled: number;
  /** Oldest bar the server had in the range, when it no longer had the bar at `from`. */
  readonly holeUntil: number | undefined;
}

/** One `history('1s')` request for the symbol being filled. */
export type HistoryPage = (options: { limit: number; end?: number }) => Promise<readonly Bar[]>;

/**
 * Fetches the 1 s bars from `from` up to `anchor` (exclusive; undefined = up to now) page by page, oldest
 * last, handing each to `merge` (which returns whether it changed anything).
 */
export async function fillMissedBars(from: number, anchor: number | undefined, page: HistoryPage, merge: (bar: Readonly<Bar>) => boolean): Promise<FillOutcome> {
  if (anchor !== undefined && anchor <= from) return { filled: 0, holeUntil: undefined };
  let end = anchor;
  let filled = 0;
  for (let pages = 0; pages < RECOVERY_MAX_PAGES; pages++) {
    // With an end, at most one bar per second from `from` to it can exist: ask for exactly that many.
    const limit = end === undefined ? RECOVERY_PAGE_BARS : Math.min(RECOVERY_PAGE_BARS, Math.ceil((end - from) / SECOND_MS));
    const bars = await page(end === undefined ? { limit } : { limit, end });
    for (const bar of bars) if (bar[0] >= from && merge(bar)) filled++;
    const oldest = bars[0]?.[0];
    if (oldest !== undefined && oldest <= from) return { filled, holeUntil: undefined };
    // A short page is everything the server has before `end`: the bar at `from` is gone.
    if (oldest === undefined || bars.length < limit) return { filled, holeUntil: oldest ?? anchor ?? from };
    end = oldest;
  }
  return { filled, holeUntil: end };
}

/** Runs `task` over `items`, at most `limit` at a time. */
export async function forEachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
