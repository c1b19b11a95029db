import type { Feed } from '../../feeds/tick.js';

/**
 * The feed without its ticks at or before `after` (ms, event time): an ingest that restored the market
 * from Redis has those already, and applying them again would count their trades twice (a simulator's
 * warm-up replays the last minutes; a replay starts from its first file).
 */
export function resumeAfter(feed: Feed, after: number): Feed {
  if (!Number.isFinite(after)) return feed;
  return {
    info: feed.info,
    instruments: feed.instruments,
    async *[Symbol.asyncIterator]() {
      for await (const tick of feed) if (tick.ts > after) yield tick;
    },
  };
}
