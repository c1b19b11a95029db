import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { SampledWarnings } from '../logging/sampled-warnings.js';
import type { EdgeRejection } from '../metrics/server-metrics.js';
import { ACCESS_TOKEN_PARAM, bearerChallenge, redactToken, TokenVerifier, tokenOf } from '../security/auth.js';
import { ConnectionLimits } from '../security/connection-limits.js';
import { originAllowed } from '../security/origin.js';

/** Retry-After for a client at its address's connection limit. */
export const IP_LIMIT_RETRY_AFTER_S = 10;
/** Retry-After when the server is at its connection cap. */
export const SERVER_FULL_RETRY_AFTER_S = 5;
/** Retry-After from a gateway that has not loaded the market yet (server/cluster/). */
export const NOT_READY_RETRY_AFTER_S = 1;
/** Paths that need a token when auth is on. The dashboard's files, /healthz and /readyz stay open. */
const PROTECTED_PATHS = [/^\/ws$/, /^\/api\//, /^\/metrics$/];

/**
 * Who gets in, decided before anything else runs: a WebSocket handshake is checked (subprotocol list,
 * Origin, token, connection limits) before the upgrade, so a refused client gets a plain HTTP answer and
 * never a socket; HTTP API requests are checked for the token.
 */
export default fp<{ config: Config }>(
  async (app, { config }) => {
    const verifier = new TokenVerifier(config.access);
    const limits = new ConnectionLimits(config.limits.maxConnectionsPerIp, config.limits.maxConnections);
    const warnings = new SampledWarnings(app.log);

    function refuse(
      request: FastifyRequest,
      reply: FastifyReply,
      status: number,
      reason: EdgeRejection,
      code: string,
      message: string,
      headers: Record<string, string> = {},
    ): FastifyReply {
      app.metrics.reject(reason);
      warnings.warn(reason, { ip: request.ip, url: redactToken(request.url) }, message);
      // An upgrade request's socket is closed once this answer is sent (closeWhenRefused in routes/ws.ts).
      if (request.headers.upgrade !== undefined) headers = { ...headers, Connection: 'close' };
      return reply.code(status).headers(headers).send({ statusCode: status, code, error: STATUS_CODES[status], message });
    }

    app.addHook('onRequest', async (request, reply) => {
      const path = request.url.split('?', 1)[0]!;
      // The token is the access layer's parameter, not the route's: routes with strict query schemas never see it.
      const token = tokenOf(request.headers.authorization, request.query);
      if (typeof request.query === 'object' && request.query !== null) delete (request.query as Record<string, unknown>)[ACCESS_TOKEN_PARAM];
      const handshake = path === '/ws' && request.headers.upgrade?.toLowerCase() === 'websocket';

      if (handshake) {
        const offered = request.headers['sec-websocket-protocol'];
        if (offered !== undefined && offered.split(',').length > config.limits.maxOfferedSubprotocols) {
          return refuse(request, reply, 400, 'subprotocols', 'BAD_HANDSHAKE', `at most ${config.limits.maxOfferedSubprotocols} subprotocols may be offered`);
        }
        if (!originAllowed(request.headers.origin, request.headers.host, config.access.allowedOrigins)) {
          return refuse(request, reply, 403, 'origin', 'ORIGIN_NOT_ALLOWED', `pages from ${request.headers.origin?.slice(0, 100)} may not connect`);
        }
      }
      if (verifier.required && PROTECTED_PATHS.some((pattern) => pattern.test(path))) {
        const result = await verifier.verify(token);
        if (!result.ok) {
          return refuse(request, reply, 401, 'unauthorized', 'UNAUTHORIZED', result.reason, {
            'WWW-Authenticate': bearerChallenge(result),
          });
        }
      }
      if (handshake && app.feed.state === 'idle') {
        // No market yet (a gateway still loading it from Redis): every subscription would be refused as an
        // unknown symbol. Another server can take the client (nginx's proxy_next_upstream, the SDK's URL list).
        return refuse(request, reply, 503, 'not_ready', 'NOT_READY', 'the server has not loaded the market yet', {
          'Retry-After': String(NOT_READY_RETRY_AFTER_S),
        });
      }
      if (handshake) {
        const ip = request.ip;
        const admission = limits.admit(ip);
        if (admission === 'ip') {
          return refuse(request, reply, 429, 'ip_connection_limit', 'TOO_MANY_CONNECTIONS', `at most ${config.limits.maxConnectionsPerIp} connections from one address`, {
            'Retry-After': String(IP_LIMIT_RETRY_AFTER_S),
          });
        }
        if (admission === 'total') {
          return refuse(request, reply, 503, 'connection_limit', 'SERVER_FULL', `the server is at its limit of ${config.limits.maxConnections} connections`, {
            'Retry-After': String(SERVER_FULL_RETRY_AFTER_S),
          });
        }
        // The slot is held until the TCP connection closes: after the WebSocket ends, or a failed upgrade.
        request.raw.socket.once('close', () => limits.release(ip));
      }
      return undefined;
    });
  },
  { name: 'tickertape-access', dependencies: ['tickertape-metrics'], decorators: { fastify: ['feed'] }, fastify: '5.x' },
);
