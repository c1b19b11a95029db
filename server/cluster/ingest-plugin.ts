import fp from 'fastify-plugin';
import type { Histogram } from 'prom-client';
import type { Feed } from '../../feeds/tick.js';
import type { Config } from '../config.js';
import { FeedRunner, type FeedSource } from '../market/feed-runner.js';
import { isLiveFeed } from '../../feeds/live/feed.js';
import { logLiveFeed } from '../live/feed-log.js';
import { registerLiveMetrics } from '../metrics/live-metrics.js';
import { isReplayFeed } from '../plugins/replay.js';
import { ReplayController } from '../replay/controller.js';
import { Market } from '../market/market.js';
import { marketOptions } from '../plugins/market.js';
import { registerIngestMetrics } from './cluster-metrics.js';
import type { ClusterConfig } from './config.js';
import { FeedStatusRelay } from './feed-status-relay.js';
import { Ingest } from './ingest.js';
import { clusterKeys } from './keys.js';
import { RedisLink } from './redis-link.js';
import { resumeFrom } from './resume-feed.js';
import './status.js';

export interface IngestPluginOptions {
  readonly config: Config;
  readonly cluster: ClusterConfig;
  readonly feed: Feed;
}

/**
 * `tickertape ingest`: the market and its feed, published to Redis every flush (ingest.ts). Decorates
 * `app.market`, `app.feed` (idle until this ingest holds the lease) and `app.cluster`.
 */
export default fp<IngestPluginOptions>(
  async (app, { config, cluster, feed }) => {
    const options = marketOptions(config);
    const market = new Market(feed.instruments, options);
    const link = new RedisLink(cluster.redisUrl, 'ingest', app.log);
    let runner: FeedRunner | undefined;
    const source: FeedSource = {
      get state() {
        return runner?.state ?? 'idle';
      },
      info: feed.info,
    };
    let publishSeconds: Histogram | undefined;
    // A live feed's `feed` messages, limited in rate as in a single process, go to the gateways' clients
    // through Redis (feed-status-relay.ts); its per-venue metrics stay the ingest's.
    const feedStatus = isLiveFeed(feed) ? new FeedStatusRelay(feed.live) : undefined;
    const ingest = new Ingest(
      link,
      clusterKeys(cluster.prefix),
      market,
      {
        flushIntervalMs: config.flushIntervalMs,
        maxFlushBusyPercent: config.limits.maxFlushBusyPercent,
        streamMaxEntries: cluster.streamMaxEntries,
        retention: options.retention,
        feed: feed.info,
        startFeed: (from) => {
          runner = new FeedRunner(resumeFrom(feed, from), market, app.log);
          runner.start();
        },
        stopFeed: async () => runner?.stop(),
        observePublish: (seconds) => publishSeconds?.observe(seconds),
        replaying: isReplayFeed(feed),
        feedStatus,
      },
      app.log,
    );
    // A replay is controlled from the gateways: its controller reports to the relay, which publishes.
    const controller = isReplayFeed(feed) && ingest.replay !== undefined ? new ReplayController(feed, market, ingest.replay, app.log) : undefined;
    publishSeconds = registerIngestMetrics(app.metrics.registry, ingest);
    if (isLiveFeed(feed)) registerLiveMetrics(app.metrics.registry, feed.live);
    // Its connection losses and missed trades in this process's log, as a single process writes them.
    const unlistenLog = isLiveFeed(feed) ? logLiveFeed(feed.live, app.log) : undefined;
    app.decorate('market', market);
    app.decorate('feed', source);
    app.decorate('cluster', ingest);
    app.addHook('onReady', async () => ingest.start());
    app.addHook('onClose', async () => {
      controller?.stop();
      await ingest.stop();
      feedStatus?.stop();
      unlistenLog?.();
      await link.close();
    });
  },
  { name: 'tickertape-ingest', dependencies: ['tickertape-metrics'], fastify: '5.x' },
);
