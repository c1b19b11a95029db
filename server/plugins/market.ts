import fp from 'fastify-plugin';
import type { Feed } from '../../feeds/tick.js';
import type { Config } from '../config.js';
import { Market, type MarketOptions } from '../market/market.js';
import { FeedRunner, type FeedSource } from '../market/feed-runner.js';

declare module 'fastify' {
  interface FastifyInstance {
    market: Market;
    /** Where the market comes from: the feed this process runs, or (a gateway) the ingest it follows. */
    feed: FeedSource;
  }
}

/** The market's retention and size limits from the configuration. */
export function marketOptions(config: Config): MarketOptions {
  return {
    retention: { secondBars: config.limits.barRetention1sBars, minuteBars: config.limits.barRetention1mBars },
    maxSymbols: config.limits.maxSymbols,
  };
}

export interface MarketPluginOptions {
  readonly config: Config;
  readonly feed: Feed;
}

/** The market state and the feed that drives it; the feed stops when the app closes. */
export default fp<MarketPluginOptions>(
  async (app, { config, feed }) => {
    const market = new Market(feed.instruments, marketOptions(config));
    const runner = new FeedRunner(feed, market, app.log);
    app.decorate('market', market);
    app.decorate('feed', runner);
    app.addHook('onReady', async () => runner.start());
    app.addHook('onClose', async () => runner.stop());
  },
  { name: 'tickertape-market', fastify: '5.x' },
);
