import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import type { WebSocket } from 'ws';
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

/**
 * The close code ws sent for one of its errors: the error's `kStatusCode`, a symbol ws does not export
 * (described `status-code`). The peer of a broken frame rarely answers the close frame, so the socket's
 * 'close' event says 1006; /metrics should count the code the server sent.
 */
function sentCloseCode(error: Error): number | undefined {
  const key = Object.getOwnPropertySymbols(error).find((symbol) => symbol.description === 'status-code');
  const code: unknown = key === undefined ? undefined : (error as unknown as Record<symbol, unknown>)[key];
  return typeof code === 'number' ? code : undefined;
}

/**
 * Lets go of the HTTP upgrade once the WebSocket is open. @fastify/websocket leaves every connection holding
 * it for the connection's life: the upgrade's ServerResponse stays attached to the TCP socket (and with it
 * the IncomingMessage, its headers, Fastify's Request and Reply and their listeners), and the 'error'
 * listener it puts on the WebSocket closes over the Request and Reply. About 2 KB per connection, most of
 * what an idle connection costs beyond ws itself (docs/benchmarks.md, idle). The WebSocket's errors are
 * then handled by `onError`, as the plugin's errorHandler would.
 */
function releaseUpgrade(socket: WebSocket, raw: IncomingMessage, onError: (error: Error) => void): void {
  const tcp = raw.socket as Socket & { _httpMessage?: unknown };
  const response = tcp._httpMessage;
  if (response instanceof ServerResponse) response.detachSocket(tcp);
  // At this point the only 'error' listener is the plugin's (ws adds none of its own to the WebSocket).
  socket.removeAllListeners('error');
  socket.on('error', onError);
}

/** The answer to a handshake that arrives once the server has begun closing (what Fastify answers other requests). */
const CLOSING_ANSWER = 'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/**
 * Closes the socket of an upgrade request that was answered over HTTP instead of upgraded. Node hands an
 * upgrade's socket over entirely, and @fastify/websocket answers through a ServerResponse it made itself,
 * so after a refusal (the access plugin's 401/403/429/503, a 404, Fastify's own 503 while it closes)
 * nothing else would ever close it: the client could hold it open, and `app.close()` would wait for it
 * forever. An upgraded socket's response never finishes (ws writes the 101 itself, releaseUpgrade detaches it).
 */
function closeWhenRefused(socket: Socket): void {
  const response = (socket as Socket & { _httpMessage?: unknown })._httpMessage;
  if (!(response instanceof ServerResponse)) {
    // Nobody routed it: the server is closing and @fastify/websocket has stopped listening for upgrades.
    // Node would destroy an upgrade no one listens for; this listener being there stops it doing so.
    // Node took its own 'error' listener off before the 'upgrade' event: a reset peer must not crash the process.
    socket.on('error', () => socket.destroy());
    socket.end(CLOSING_ANSWER, () => socket.destroy());
    return;
  }
  const end = (): void => {
    socket.once('finish', () => socket.destroy());
    socket.end();
  };
  if (response.writableFinished) end();
  else response.once('finish', end);
}

/** `GET /ws`: the protocol endpoint (docs/protocol.md), on the same port as the dashboard. */
export async function wsRoutes(app: FastifyInstance, config: Config): Promise<void> {
  const warnings = new SampledWarnings(app.log);
  /** Close codes the server sent for a broken frame, counted in place of the 1006 the socket may end with. */
  const sentCodes = new WeakMap<WebSocket, number>();
  /** Errors on an open WebSocket: a client's broken frame is counted (ws is already closing it), others end it. */
  const failed = (error: Error, socket: WebSocket, ip: string): void => {
    const rejection = rejectionOf((error as NodeJS.ErrnoException).code);
    if (rejection !== undefined) {
      const sent = sentCloseCode(error);
      if (sent !== undefined) sentCodes.set(socket, sent);
      app.metrics.reject(rejection);
      warnings.warn(rejection, { ip }, error.message);
      return;
    }
    app.log.debug({ err: error, ip }, 'websocket failed');
    socket.terminate();
  };
  await app.register(websocket, {
    options: {
      maxPayload: config.limits.maxInboundFrameBytes,
      maxFragments: config.limits.maxFragmentsPerMessage,
      handleProtocols: chooseSubprotocol,
      perMessageDeflate: false,
      // Ping frames are answered by the hub's RequestFlow, within the inbound rate limit. ws's own answer
      // would pong every one and terminate (1006) a connection with more than maxPendingAutoPongs (60)
      // pongs not yet written: a burst the rate limit allows (200) would kill the connection.
      autoPong: false,
    },
    // Errors before the handler took the connection (and a throwing handler); after, releaseUpgrade's.
    errorHandler: (error, socket, request) => failed(error, socket, request.ip),
  });
  // After @fastify/websocket's own 'upgrade' listener, which has routed the request by now.
  app.server.on('upgrade', (_request: IncomingMessage, socket: Socket) => closeWhenRefused(socket));
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
      const ip = request.ip;
      releaseUpgrade(socket, request.raw, (error) => failed(error, socket, ip));
      const encoding: Encoding = socket.protocol === SUBPROTOCOL_JSON ? 'json' : 'msgpack';
      const session = app.hub.accept(socket, encoding, ip);
      const opened = Date.now();
      app.log.debug({ session: session.id, ip, encoding }, 'connection open');
      socket.on('close', (code, reason) => {
        // A slow consumer counts under the 4000 it was sent, though its socket may have been destroyed unread.
        app.metrics.closed(sentCodes.get(socket) ?? session.closedAs ?? code);
        app.log.debug({ session: session.id, ip, code, reason: reason.toString(), ms: Date.now() - opened }, 'connection closed');
      });
    },
  });
}
