/**
 * A feed that records what it plays: every tick another feed yields is written to a TickRecorder on its
 * way through (`serve --record`). When the disk falls behind, the feed waits for it rather than dropping
 * ticks or queueing without bound.
 *
 * When writing fails (a full disk), the recording stops and the feed plays on: a server's clients keep
 * their market, and the failure is the recorder's `error` and this feed's `failed`, which the server logs
 * and reports (/readyz, /metrics, its exit status; server/plugins/recording.ts).
 */
import { throughStage, type Feed } from '../tick.js';
import { RecorderError, type TickRecorder } from './recorder.js';

export interface RecordingFeed extends Feed {
  readonly recording: {
    readonly recorder: TickRecorder;
    /** Settles with the failure when writing fails; pending while the recording goes well. */
    readonly failed: Promise<RecorderError>;
  };
}

export function isRecordingFeed(feed: Feed): feed is RecordingFeed {
  return 'recording' in feed;
}

export function recordingFeed(feed: Feed, recorder: TickRecorder): RecordingFeed {
  /** The disk catching up, after a write said the file has more queued than written. */
  let catchingUp: Promise<void> | undefined;
  let stopped = false;
  let announce: (error: RecorderError) => void = () => {};
  const failed = new Promise<RecorderError>((resolve) => (announce = resolve));
  const fail = (error: unknown): void => {
    stopped = true;
    catchingUp = undefined;
    announce(recorder.error ?? (error instanceof RecorderError ? error : new RecorderError(String(error))));
  };
  const stage = throughStage(feed, {
    admit(tick) {
      if (stopped) return true;
      try {
        if (!recorder.write(tick)) {
          catchingUp = recorder.drain().then(() => {
            catchingUp = undefined;
          }, fail);
        }
      } catch (error) {
        fail(error);
      }
      return true;
    },
    hold: () => catchingUp,
    // Closing the file may be where writing fails (its last block): reported as any failure is.
    close: () => recorder.close().catch(fail),
  });
  return Object.assign(stage, { recording: { recorder, failed } });
}
