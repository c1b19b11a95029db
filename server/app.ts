import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Feed } from '../feeds/tick.js';
import { createFeed } from '../feeds/index.js';
import type { Config } from './config.js';
import marketPlugin from './plugins/market.js';
import hubPlugin from './plugins/hub.js';
import metricsPlugin from './plugins/metrics.js';
import accessPlugin from './plugins/access.js';
import heartbeatPlugin from './plugins/heartbeat.js';
import replayPlugin from './plugins/replay.js';
import livePlugin from './plugins/live.js';
import { redactToken } from './security/auth.js';
import { fastifyTrustProxy } from './security/access-config.js';
import { wsRoutes } from './routes/ws.js';
import { apiRoutes } from './routes/api.js';
import { healthRoutes } from './routes/health.js';
import { webRoutes } from './routes/web.js';
import type { ClusterConfig } from './cluster/config.js';
import ingestPlugin from './cluster/ingest-plugin.js';
import gatewayPlugin from './cluster/gateway-plugin.js';
import recordingPlugin from './plugins/recording.js';

export interface AppOptions {
  readonly config: Config;
  /** The feed to serve; default: the one the config describes. */
  readonly feed?: Feed;
  /** Fastify's logger option; default: pino at config.logLevel. */
  readonly logger?: FastifyServerOptions['logger'];
  /**
   * One role of a scaled-out deployment (docs/deploy.md): `ingest` runs the feed and publishes to Redis
   * (no clients), `gateway` serves clients from Redis (no feed). Absent: everything in one process.
   */
  readonly cluster?: ClusterConfig;
  /**
   * The caller tells the user of a replay's input errors (a bad line, a corrupt gzip) itself, as `tickertape
   * replay` does on stderr: the log then has them at debug only (server/replay/controller.ts).
   */
  readonly replayInputErrorsReported?: boolean;
}

/**
 * Builds the whole server without listening, so the process entry, tests and benchmarks all build the same
 * app, listen where they like (port 0 in tests) and close it.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config } = options;
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    bodyLimit: 64 * 1024,
    // Unknown query parameters are an error (usually a typo), not silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
    // Two info lines per asset request drown what matters; requests are logged at debug below.
    logController: new LogController({ disableRequestLogging: true }),
    // Behind a reverse proxy, its X-Forwarded-For names the client (per-address limits, logs).
    trustProxy: fastifyTrustProxy(config.access.trustProxy),
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug({ method: request.method, url: redactToken(request.url), status: reply.statusCode, ms: reply.elapsedTime }, 'request');
  });
  const { cluster } = options;
  const role = cluster?.role;
  await app.register(metricsPlugin, { clients: role !== 'ingest' });
  // A gateway has no feed of its own: it follows the market an ingest publishes to Redis.
  let feed: Feed | undefined;
  if (cluster?.role === 'gateway') {
    await app.register(gatewayPlugin, { config, cluster });
  } else {
    feed = options.feed ?? (await createFeed(config.feed));
    if (cluster?.role === 'ingest') await app.register(ingestPlugin, { config, cluster, feed });
    else await app.register(marketPlugin, { config, feed });
  }
  await app.register(accessPlugin, { config });
  if (feed !== undefined) await app.register(recordingPlugin, { feed });
  await healthRoutes(app);
  if (role === 'ingest') return app;
  await app.register(hubPlugin, { config, flushOnTimer: role !== 'gateway' });
  if (feed !== undefined) {
    await app.register(replayPlugin, { feed, inputErrorsReported: options.replayInputErrorsReported === true });
    await app.register(livePlugin, { feed });
  }
  await wsRoutes(app, config);
  await app.register(heartbeatPlugin, { intervalMs: config.limits.heartbeatIntervalMs });
  await apiRoutes(app);
  await webRoutes(app, config.webRoot);
  return app;
}
