import { throughStage, type Feed } from '../../feeds/tick.js';

/**
 * The feed without its ticks before `from` (ms, event time): an ingest that restored the market from
 * Redis has those already, and applying them again would count their trades twice (a simulator's warm-up
 * replays the last minutes; a replay starts from its first file).
 */
export function resumeFrom(feed: Feed, from: number): Feed {
  if (!Number.isFinite(from)) return feed;
  return throughStage(feed, { admit: (tick) => tick.ts >= from });
}
