import fp from 'fastify-plugin';
import { CLOSE_CODES } from '../../client/protocol/messages.js';
import { flushSlices, type Config } from '../config.js';
import { startFlushClock, type FlushClock } from '../hub/flush-clock.js';
import { Hub, type HubOptions } from '../hub/hub.js';
import { SERVER_NAME } from '../version.js';

declare module 'fastify' {
  interface FastifyInstance {
    hub: Hub;
  }
}

/**
 * The hub's options from the server's configuration (also what the benchmarks build a bare hub with).
 * `slices`: the slices connections are dealt into (Hub, hub/slices.ts); the configured count unless the caller
 * flushes once per round itself (a gateway, once per ingest flush).
 */
export function hubOptions(config: Config, feed: HubOptions['feed'], slices = flushSlices(config)): HubOptions {
  const { limits } = config;
  return {
    serverName: SERVER_NAME,
    feed,
    flushIntervalMs: config.flushIntervalMs,
    slices,
    maxBufferedBytes: limits.maxBufferedBytes,
    slowClientTimeoutMs: limits.slowClientTimeoutMs,
    slowConsumerCloseGraceMs: limits.slowConsumerCloseGraceMs,
    maxSymbolsPerConnection: limits.maxSymbolsPerConnection,
    snapshotBars: limits.snapshotBars,
    historyDefaultLimit: limits.historyDefaultLimitBars,
    requests: {
      maxSymbolLength: limits.maxSymbolLength,
      maxSymbolsPerRequest: limits.maxSymbolsPerRequest,
      maxHistoryLimit: limits.historyMaxLimitBars,
    },
    maxInboundFrameBytes: limits.maxInboundFrameBytes,
    flow: {
      maxMessagesPerS: limits.maxInboundMessagesPerS,
      burstMessages: limits.inboundBurstMessages,
      maxRateLimitedMessages: limits.maxRateLimitedMessages,
      maxBufferedBytes: limits.maxBufferedBytes,
    },
  };
}

/**
 * The hub and the flush clock: every flushIntervalMs, close a market generation and fan it out; while the
 * hub rolls (its rounds of writes are long: hub/slices.ts), every flushIntervalMs / slices, serving one
 * slice of the connections each time. A flush that takes more than maxFlushBusyPercent of its period pushes
 * the next one back (hub/flush-clock.ts). With `flushOnTimer: false` something else flushes (a gateway,
 * once per ingest flush: server/cluster/), and every connection is served on every flush.
 */
export default fp<{ config: Config; flushOnTimer?: boolean }>(
  async (app, { config, flushOnTimer = true }) => {
    const slices = flushOnTimer ? flushSlices(config) : 1;
    const hub = new Hub(app.market, hubOptions(config, () => app.feed.info, slices), app.log);
    app.decorate('hub', hub);
    let clock: FlushClock | undefined;
    app.addHook('onReady', async () => {
      if (!flushOnTimer) return;
      const clockOptions = { intervalMs: config.flushIntervalMs, maxBusyPercent: config.limits.maxFlushBusyPercent, periodMs: () => hub.periodMs };
      clock = startFlushClock(clockOptions, (now) => {
        const stopTimer = app.metrics.flushSeconds.startTimer();
        hub.flush(app.market.flush(), now);
        stopTimer();
      });
    });
    // Before the HTTP server stops: tell every client to come back later (1012), give them
    // shutdownDrainMs to close cleanly, cut off the rest. Fastify answers new requests 503 meanwhile.
    app.addHook('preClose', async () => {
      clock?.stop();
      const connections = hub.connections;
      const cutOff = await hub.closeAll(CLOSE_CODES.serviceRestart, 'server restarting', config.limits.shutdownDrainMs);
      if (connections > 0) app.log.info({ connections, cutOff }, 'connections drained');
    });
  },
  // The market comes from the market plugin, or from a gateway's (server/cluster/): asked for by decorator.
  { name: 'tickertape-hub', dependencies: ['tickertape-metrics'], decorators: { fastify: ['market', 'feed'] }, fastify: '5.x' },
);
