/**
 * A feed that records what it plays: every tick another feed yields is written to a TickRecorder on its
 * way through (`serve --record`). When the disk falls behind, the feed waits for it rather than dropping
 * ticks or queueing without bound.
 */
import type { Feed, Tick } from '../tick.js';
import type { TickRecorder } from './recorder.js';

export function recordingFeed(feed: Feed, recorder: TickRecorder): Feed {
  return {
    info: feed.info,
    instruments: feed.instruments,
    [Symbol.asyncIterator](): AsyncIterator<Tick> {
      const ticks = feed[Symbol.asyncIterator]();
      return {
        async next() {
          const result = await ticks.next();
          if (result.done !== true && !recorder.write(result.value)) await recorder.drain();
          return result;
        },
        async return() {
          const result = (await ticks.return?.()) ?? { done: true, value: undefined };
          await recorder.close();
          return result;
        },
      };
    },
  };
}
