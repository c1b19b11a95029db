import fp from 'fastify-plugin';
import type { Feed } from '../../feeds/tick.js';
import { isRecordingFeed } from '../../feeds/recording/record-feed.js';
import { scrapedMetrics } from '../metrics/server-metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Set when the feed is recorded (`serve --record`): how the recording stands, for /readyz. */
    recording: RecordingState;
  }
}

export interface RecordingState {
  /** `recording` while every tick is written; `failed` once writing failed (the server serves on). */
  readonly state: 'recording' | 'failed';
  /** Why writing failed. */
  readonly error?: string;
}

/**
 * A recorded feed's recording, reported: in /metrics (ticks written, whether it failed), in the log when
 * writing fails, and in /readyz (routes/health.ts). A failed recording does not stop the server: the feed
 * plays on unrecorded (feeds/recording/record-feed.ts) and `serve` exits 1 at the end. Nothing for other feeds.
 */
export default fp<{ feed: Feed }>(
  async (app, { feed }) => {
    if (!isRecordingFeed(feed)) return;
    const { recorder, failed } = feed.recording;
    let state: RecordingState = { state: 'recording' };
    app.decorate('recording', {
      getter: () => state,
    });
    void failed.then((error) => {
      state = { state: 'failed', error: error.message };
      app.log.error({ code: error.code, file: recorder.stats.files.at(-1) }, `recording failed, the server goes on without it: ${error.message}`);
    });
    const metrics = scrapedMetrics(app.metrics.registry);
    metrics.value('tickertape_recorded_ticks_total', 'Ticks recorded (serve --record); after a failure the last of them may be missing from the file.', () => recorder.stats.ticks);
    metrics.gauge('tickertape_recording_failed', '1 once writing the recording failed (the server serves on, unrecorded), else 0.', () =>
      state.state === 'failed' ? 1 : 0,
    );
  },
  { name: 'tickertape-recording', dependencies: ['tickertape-metrics'], fastify: '5.x' },
);
