/** Builds live feeds pointed at the fake exchanges, drains them into arrays, and compares bars. */
import { INTERVALS, type Bar, type Interval } from '../../client/protocol/messages.js';
import { openLiveFeed, type LiveFeed, type LiveFeedHooks } from '../../feeds/live/feed.js';
import { DEFAULT_LIVE_OPTIONS, parseFeedSpec, type LiveFeedOptions } from '../../feeds/live/options.js';
import { openReplay } from '../../feeds/replay/index.js';
import type { Tick } from '../../feeds/tick.js';
import { BAR_RETENTION_1M_BARS, BAR_RETENTION_1S_BARS, MAX_SYMBOLS } from '../../server/config.js';
import { Market } from '../../server/market/market.js';

/** Fast backoff and short timeouts, so tests see reconnects in well under a second. */
export function liveOptions(specs: readonly string[], endpoints: Partial<LiveFeedOptions['endpoints']>, overrides: Partial<LiveFeedOptions> = {}): LiveFeedOptions {
  return {
    ...DEFAULT_LIVE_OPTIONS,
    backoff: { minDelayMs: 50, maxDelayMs: 200 },
    feeds: specs.map(parseFeedSpec),
    endpoints: { ...DEFAULT_LIVE_OPTIONS.endpoints, ...endpoints },
    ...overrides,
  };
}

/** A live feed being drained into `ticks` as the market would pull it. */
export interface Drained {
  readonly feed: LiveFeed;
  readonly ticks: Tick[];
  stop(): Promise<void>;
}

export function drain(options: LiveFeedOptions, hooks?: LiveFeedHooks): Drained {
  const feed = openLiveFeed(options, hooks);
  const ticks: Tick[] = [];
  const iterator = feed[Symbol.asyncIterator]();
  const pumping = (async () => {
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      ticks.push(next.value);
    }
  })();
  return {
    feed,
    ticks,
    async stop() {
      await iterator.return?.();
      await pumping;
    },
  };
}

export function trades(ticks: readonly Tick[]): Tick[] {
  return ticks.filter((tick) => tick.price !== undefined);
}

/** Every tick of `files` through the replay readers, as fast as they go. */
export async function replayed(files: string[]): Promise<Tick[]> {
  const feed = await openReplay({ files, speed: 'max' });
  const ticks: Tick[] = [];
  for await (const tick of feed) ticks.push(tick);
  return ticks;
}

export function marketOf(ticks: readonly Tick[]): Market {
  const market = new Market([], { retention: { secondBars: BAR_RETENTION_1S_BARS, minuteBars: BAR_RETENTION_1M_BARS }, maxSymbols: MAX_SYMBOLS });
  for (const tick of ticks) market.apply(tick);
  return market;
}

/** Every bar of every symbol at every interval, for toEqual. */
export function allBars(market: Market): Record<string, Partial<Record<Interval, Bar[] | undefined>>> {
  const bars: Record<string, Partial<Record<Interval, Bar[] | undefined>>> = {};
  for (const state of market.all()) {
    bars[state.symbol] = Object.fromEntries(INTERVALS.map((interval) => [interval, market.history(state.symbol, interval, 5_000)]));
  }
  return bars;
}

/** Trade ticks in a canonical order (by symbol, time, price, size), for comparing sets. */
export function sortedTrades(ticks: readonly Tick[]): Tick[] {
  return trades(ticks)
    .map(({ symbol, ts, price, size, side }) => ({ symbol, ts, price, size, side }))
    .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : a.ts - b.ts || a.price! - b.price! || a.size! - b.size!));
}

/** The same live feed, counting the trades it yields per symbol on their way to the market. */
export function countingTrades(feed: LiveFeed): { feed: LiveFeed; trades: Map<string, number> } {
  const counts = new Map<string, number>();
  const counted: LiveFeed = {
    info: feed.info,
    instruments: feed.instruments,
    live: feed.live,
    [Symbol.asyncIterator]() {
      const ticks = feed[Symbol.asyncIterator]();
      return {
        async next() {
          const next = await ticks.next();
          if (next.done !== true && next.value.price !== undefined) counts.set(next.value.symbol, (counts.get(next.value.symbol) ?? 0) + 1);
          return next;
        },
        return: () => ticks.return?.() ?? Promise.resolve({ value: undefined, done: true }),
      };
    },
  };
  return { feed: counted, trades: counts };
}
