import type { FastifyInstance } from 'fastify';

/**
 * Probes for orchestrators and load balancers. `/healthz`: the process answers (liveness: restart it if
 * not). `/readyz`: it is worth sending clients to, i.e. the feed is running (a replay's runs until the
 * server stops, whatever the replay's phase) and, for a cluster role, Redis is connected and it is in step
 * (readiness: take it out of rotation if not). From the moment shutdown begins Fastify answers every
 * request, these included, with 503 and `Connection: close`, so a draining server drops out of rotation at
 * once.
 */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const feed = app.feed.state;
    // A replay stays ready whatever its phase: ended or failed, it serves the market it has read, and a
    // seek back plays it again. The body says where it stands.
    const replay = app.hasDecorator('hub') ? app.hub.replay?.state() : undefined;
    // A recording that failed leaves the server serving, unrecorded (plugins/recording.ts): still ready, and said.
    const recording = app.hasDecorator('recording') ? app.recording : undefined;
    const detail = {
      ...(replay === undefined ? {} : { replay: replay.state, ...(replay.error === undefined ? {} : { replayError: replay.error }) }),
      ...(recording === undefined ? {} : { recording: recording.state, ...(recording.error === undefined ? {} : { recordingError: recording.error }) }),
    };
    // A cluster role is ready when its Redis link is up and it is in step (server/cluster/status.ts).
    const cluster = app.hasDecorator('cluster') ? app.cluster.readiness() : undefined;
    if (cluster !== undefined && !cluster.ready) return reply.code(503).send({ status: cluster.status, feed, ...detail, ...cluster.detail });
    if (feed !== 'running') return reply.code(503).send({ status: 'feed not running', feed, ...detail, ...cluster?.detail });
    return { status: 'ready', feed, ...detail, ...cluster?.detail };
  });
}
