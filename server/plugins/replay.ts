import fp from 'fastify-plugin';
import type { Feed } from '../../feeds/tick.js';
import type { ReplayFeed } from '../../feeds/replay/index.js';
import { ReplayController } from '../replay/controller.js';

/** Whether a feed is a file replay (has a player to control). */
export function isReplayFeed(feed: Feed): feed is ReplayFeed {
  return feed.info.kind === 'replay' && 'player' in feed;
}

/** Replay controls over the protocol, when the feed is a replay; nothing otherwise. */
export default fp<{ feed: Feed; inputErrorsReported: boolean }>(
  async (app, { feed, inputErrorsReported }) => {
    if (!isReplayFeed(feed)) return;
    const controller = new ReplayController(feed, app.market, app.hub, app.log, { inputErrorsReported });
    app.addHook('onClose', async () => controller.stop());
  },
  { name: 'tickertape-replay', dependencies: ['tickertape-market', 'tickertape-hub'], fastify: '5.x' },
);
