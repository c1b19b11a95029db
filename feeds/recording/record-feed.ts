/**
 * A feed that records what it plays: every tick another feed yields is written to a TickRecorder on its
 * way through (`serve --record`). When the disk falls behind, the feed waits for it rather than dropping
 * ticks or queueing without bound.
 */
import { throughStage, type Feed } from '../tick.js';
import type { TickRecorder } from './recorder.js';

export function recordingFeed(feed: Feed, recorder: TickRecorder): Feed {
  /** The disk catching up, after a write said the file has more queued than written. */
  let catchingUp: Promise<void> | undefined;
  return throughStage(feed, {
    admit(tick) {
      if (!recorder.write(tick)) {
        const drained = recorder.drain().finally(() => (catchingUp = undefined));
        // next() awaits it; should the feed stop first, a failed disk still surfaces, at the recorder's close().
        drained.catch(() => undefined);
        catchingUp = drained;
      }
      return true;
    },
    hold: () => catchingUp,
    close: () => recorder.close(),
  });
}
