import fp from 'fastify-plugin';
import { ServerMetrics } from '../metrics/server-metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ServerMetrics;
  }
}

/** `app.metrics` and `GET /metrics` (Prometheus text format). `clients: false` (an ingest) leaves out connection metrics. */
export default fp<{ clients?: boolean }>(
  async (app, { clients = true }) => {
    const metrics = new ServerMetrics({
      hub: () => app.hub,
      market: () => app.market,
      feed: () => app.feed,
      sockets: () => app.websocketServer.clients,
    }, clients);
    app.decorate('metrics', metrics);
    app.get('/metrics', async (_request, reply) => {
      reply.type(metrics.contentType);
      return metrics.text();
    });
  },
  { name: 'tickertape-metrics', fastify: '5.x' },
);
