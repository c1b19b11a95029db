import fp from 'fastify-plugin';
import type { Feed } from '../../feeds/tick.js';
import { isLiveFeed } from '../../feeds/live/feed.js';
import { logLiveFeed } from '../live/feed-log.js';
import { FeedStatusBroadcaster } from '../live/feed-status.js';
import { registerLiveMetrics } from '../metrics/live-metrics.js';

/** A live feed's health to clients (`feed` messages), /metrics and the log; nothing for other feeds. */
export default fp<{ feed: Feed }>(
  async (app, { feed }) => {
    if (!isLiveFeed(feed)) return;
    registerLiveMetrics(app.metrics.registry, feed.live);
    const broadcaster = new FeedStatusBroadcaster(feed.live, app.hub);
    const unlisten = logLiveFeed(feed.live, app.log);
    app.addHook('onClose', async () => {
      unlisten();
      broadcaster.stop();
    });
  },
  { name: 'tickertape-live', dependencies: ['tickertape-market', 'tickertape-hub', 'tickertape-metrics'], fastify: '5.x' },
);
