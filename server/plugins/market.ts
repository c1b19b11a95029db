import fp from 'fastify-plugin';
import type { Feed } from '../../feeds/tick.js';
import type { Config } from '../config.js';
import { Market } from '../market/market.js';
import { FeedRunner } from '../market/feed-runner.js';

declare module 'fastify' {
  interface FastifyInstance {
    market: Market;
    feed: FeedRunner;
  }
}

export interface MarketPluginOptions {
  readonly config: Config;
  readonly feed: Feed;
}

/** The market state and the feed that drives it; the feed stops when the app closes. */
export default fp<MarketPluginOptions>(
  async (app, { config, feed }) => {
    const market = new Market(feed.instruments, {
      retention: { secondBars: config.limits.barRetention1sBars, minuteBars: config.limits.barRetention1mBars },
      maxSymbols: config.limits.maxSymbols,
    });
    const runner = new FeedRunner(feed, market, app.log);
    app.decorate('market', market);
    app.decorate('feed', runner);
    app.addHook('onReady', async () => runner.start());
    app.addHook('onClose', async () => runner.stop());
  },
  { name: 'tickertape-market', fastify: '5.x' },
);
