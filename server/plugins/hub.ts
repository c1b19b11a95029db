import fp from 'fastify-plugin';
import { CLOSE_CODES } from '../../client/protocol/messages.js';
import type { Config } from '../config.js';
import { Hub } from '../hub/hub.js';
import { SERVER_NAME } from '../version.js';

declare module 'fastify' {
  interface FastifyInstance {
    hub: Hub;
  }
}

/** The hub and the flush clock: every flushIntervalMs, close a market generation and fan it out. */
export default fp<{ config: Config }>(
  async (app, { config }) => {
    const hub = new Hub(
      app.market,
      {
        serverName: SERVER_NAME,
        feed: () => app.feed.info,
        flushIntervalMs: config.flushIntervalMs,
        maxBufferedBytes: config.limits.maxBufferedBytes,
        slowClientTimeoutMs: config.limits.slowClientTimeoutMs,
        maxSymbolsPerConnection: config.limits.maxSymbolsPerConnection,
        snapshotBars: config.limits.snapshotBars,
        historyDefaultLimit: config.limits.historyDefaultLimitBars,
        requests: {
          maxSymbolLength: config.limits.maxSymbolLength,
          maxSymbolsPerRequest: config.limits.maxSymbolsPerRequest,
          maxHistoryLimit: config.limits.historyMaxLimitBars,
        },
      },
      app.log,
    );
    app.decorate('hub', hub);
    let timer: NodeJS.Timeout | undefined;
    app.addHook('onReady', async () => {
      timer = setInterval(() => hub.flush(app.market.flush()), config.flushIntervalMs);
    });
    app.addHook('preClose', async () => {
      clearInterval(timer);
      hub.closeAll(CLOSE_CODES.goingAway, 'server shutting down');
    });
  },
  { name: 'tickertape-hub', dependencies: ['tickertape-market'], fastify: '5.x' },
);
