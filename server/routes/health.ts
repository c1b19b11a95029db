import type { FastifyInstance } from 'fastify';

/**
 * Probes for orchestrators and load balancers. `/healthz`: the process answers (liveness: restart it if
 * not). `/readyz`: it is worth sending clients to, i.e. the feed is running and, for a cluster role, Redis
 * is connected and it is in step (readiness: take it out of rotation if not). From the moment shutdown
 * begins Fastify answers every request, these included, with 503 and `Connection: close`, so a draining
 * server drops out of rotation at once.
 */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const feed = app.feed.state;
    // A cluster role is ready when its Redis link is up and it is in step (server/cluster/status.ts).
    const cluster = app.hasDecorator('cluster') ? app.cluster.readiness() : undefined;
    if (cluster !== undefined && !cluster.ready) return reply.code(503).send({ status: cluster.status, feed, ...cluster.detail });
    if (feed !== 'running') return reply.code(503).send({ status: 'feed not running', feed, ...cluster?.detail });
    return { status: 'ready', feed, ...cluster?.detail };
  });
}
