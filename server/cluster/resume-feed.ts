import type { Feed, Tick } from '../../feeds/tick.js';

/**
 * The feed without its ticks before `from` (ms, event time): an ingest that restored the market from
 * Redis has those already, and applying them again would count their trades twice (a simulator's warm-up
 * replays the last minutes; a replay starts from its first file).
 */
export function resumeFrom(feed: Feed, from: number): Feed {
  if (!Number.isFinite(from)) return feed;
  return {
    info: feed.info,
    instruments: feed.instruments,
    [Symbol.asyncIterator](): AsyncIterator<Tick> {
      const ticks = feed[Symbol.asyncIterator]();
      return {
        async next() {
          for (;;) {
            const result = await ticks.next();
            if (result.done === true || result.value.ts >= from) return result;
          }
        },
        // Passed straight through (not an async generator, whose return() would wait for a pending next()):
        // stopping must reach a feed that is waiting for its next tick.
        return: async () => (await ticks.return?.()) ?? { value: undefined, done: true },
      };
    },
  };
}
