import fp from 'fastify-plugin';
import type { FeedStatusMessage } from '../../client/protocol/messages.js';
import type { Config } from '../config.js';
import { Market } from '../market/market.js';
import { marketOptions } from '../plugins/market.js';
import { registerGatewayMetrics } from './cluster-metrics.js';
import type { ClusterConfig } from './config.js';
import { Gateway } from './gateway.js';
import { clusterKeys } from './keys.js';
import { RedisLink } from './redis-link.js';
import './status.js';

export interface GatewayPluginOptions {
  readonly config: Config;
  readonly cluster: ClusterConfig;
}

/**
 * `tickertape gateway`: a replica of the ingest's market, followed through Redis (gateway.ts), under the
 * same hub as a single process. Decorates `app.market`, `app.feed` (the ingest's feed, as Redis describes
 * it) and `app.cluster`. The hub is flushed once per flush record read, not by its own clock.
 */
export default fp<GatewayPluginOptions>(
  async (app, { config, cluster }) => {
    const market = new Market([], marketOptions(config));
    const link = new RedisLink(cluster.redisUrl, 'gateway', app.log);
    const reader = new RedisLink(cluster.redisUrl, 'gateway-stream', app.log);
    const gateway = new Gateway(
      link,
      reader,
      clusterKeys(cluster.prefix),
      market,
      {
        fanOut: (now) => {
          const stopTimer = app.metrics.flushSeconds.startTimer();
          app.hub.flush(market.flush(), now);
          stopTimer();
        },
        resync: () => app.hub.resync(market.flush().gen),
        broadcast: (message) => app.hub.broadcast(message),
        replayControl: (control) => {
          app.hub.replay = control;
        },
        feedStatus: (message) => {
          if (message === undefined) {
            app.hub.feedStatus = undefined;
            return;
          }
          // `time` is the sending server's clock, which clients measure gap marks' age against: this
          // gateway's when it sends, as a single process stamps its own (since and gapAt are the ingest's).
          const stamped = (): FeedStatusMessage => ({ ...message, time: Date.now() });
          app.hub.feedStatus = stamped;
          app.hub.broadcast(stamped());
        },
      },
      app.log,
    );
    registerGatewayMetrics(app.metrics.registry, gateway);
    app.decorate('market', market);
    app.decorate('feed', gateway);
    app.decorate('cluster', gateway);
    app.addHook('onReady', async () => gateway.start());
    app.addHook('onClose', async () => {
      gateway.stop();
      await reader.close();
      await link.close();
    });
  },
  { name: 'tickertape-gateway', dependencies: ['tickertape-metrics'], fastify: '5.x' },
);
