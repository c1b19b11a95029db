import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import { SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK, type Encoding } from '../../client/protocol/messages.js';
import type { Config } from '../config.js';
import type { EdgeRejection } from '../metrics/server-metrics.js';
import { SampledWarnings } from '../logging/sampled-warnings.js';

/**
 * Picks the subprotocol: `json` if offered (people with a terminal), else `msgpack`. A client that offers
 * only protocols we do not speak gets none selected, which a conforming client treats as a failed handshake.
 */
export function chooseSubprotocol(offered: Set<string>, _request: IncomingMessage): string | false {
  if (offered.has(SUBPROTOCOL_JSON)) return SUBPROTOCOL_JSON;
  if (offered.has(SUBPROTOCOL_MSGPACK)) return SUBPROTOCOL_MSGPACK;
  return false;
}

/** ws's errors for frames that break RFC 6455 or our limits; ws has already sent the close frame. */
function rejectionOf(code: unknown): EdgeRejection | undefined {
  if (typeof code !== 'string' || !code.startsWith('WS_ERR_')) return undefined;
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return 'frame_too_big';
  if (code === 'WS_ERR_INVALID_UTF8') return 'invalid_utf8';
  if (code === 'WS_ERR_TOO_MANY_BUFFERED_PARTS') return 'too_many_fragments';
  return 'websocket_protocol';
}

/** `GET /ws`: the protocol endpoint (docs/protocol.md), on the same port as the dashboard. */
export async function wsRoutes(app: FastifyInstance, config: Config): Promise<void> {
  const warnings = new SampledWarnings(app.log);
  await app.register(websocket, {
    options: {
      maxPayload: config.limits.maxInboundFrameBytes,
      maxFragments: config.limits.maxFragmentsPerMessage,
      handleProtocols: chooseSubprotocol,
      perMessageDeflate: false,
    },
    errorHandler: (error, socket, request) => {
      const rejection = rejectionOf((error as NodeJS.ErrnoException).code);
      if (rejection !== undefined) {
        // A client's broken frame: ws is already closing the connection with the matching code.
        app.metrics.reject(rejection);
        warnings.warn(rejection, { ip: request.ip }, error.message);
        return;
      }
      request.log.debug({ err: error }, 'websocket failed');
      socket.terminate();
    },
  });
  app.route({
    method: 'GET',
    url: '/ws',
    handler: async (_request, reply) => {
      app.metrics.reject('not_websocket');
      return reply.code(426).header('Upgrade', 'websocket').send({
        statusCode: 426,
        code: 'UPGRADE_REQUIRED',
        error: 'Upgrade Required',
        message: '/ws speaks WebSocket only (docs/protocol.md)',
      });
    },
    wsHandler: (socket, request) => {
      const encoding: Encoding = socket.protocol === SUBPROTOCOL_JSON ? 'json' : 'msgpack';
      const session = app.hub.accept(socket, encoding, request.ip);
      const opened = Date.now();
      request.log.debug({ session: session.id, ip: request.ip, encoding }, 'connection open');
      socket.on('close', (code, reason) => {
        app.metrics.closed(code);
        request.log.debug({ session: session.id, ip: request.ip, code, reason: reason.toString(), ms: Date.now() - opened }, 'connection closed');
      });
    },
  });
}
