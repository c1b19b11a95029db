import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

/** `GET /` and its assets: the built dashboard, or a plain answer saying how to build it. */
export async function webRoutes(app: FastifyInstance, webRoot: string | undefined): Promise<void> {
  if (webRoot !== undefined && existsSync(join(webRoot, 'index.html'))) {
    await app.register(fastifyStatic, { root: webRoot, index: 'index.html', wildcard: false });
    return;
  }
  app.get('/', async (_request, reply) =>
    reply
      .code(503)
      .type('text/plain')
      .send(`The dashboard is not built${webRoot === undefined ? '' : ` (no ${join(webRoot, 'index.html')})`}: run "npm run build".\n`),
  );
}
