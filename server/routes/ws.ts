import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import { SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK, type Encoding } from '../../client/protocol/messages.js';
import type { Config } from '../config.js';

/**
 * Picks the subprotocol: `json` if offered (people with a terminal), else `msgpack`. A client that offers
 * only protocols we do not speak gets none selected, which a conforming client treats as a failed handshake.
 */
export function chooseSubprotocol(offered: Set<string>, _request: IncomingMessage): string | false {
  if (offered.has(SUBPROTOCOL_JSON)) return SUBPROTOCOL_JSON;
  if (offered.has(SUBPROTOCOL_MSGPACK)) return SUBPROTOCOL_MSGPACK;
  return false;
}

/** `GET /ws`: the protocol endpoint (docs/protocol.md), on the same port as the dashboard. */
export async function wsRoutes(app: FastifyInstance, config: Config): Promise<void> {
  await app.register(websocket, {
    options: {
      maxPayload: config.limits.maxInboundFrameBytes,
      handleProtocols: chooseSubprotocol,
      perMessageDeflate: false,
    },
  });
  app.get('/ws', { websocket: true }, (socket, request) => {
    const encoding: Encoding = socket.protocol === SUBPROTOCOL_JSON ? 'json' : 'msgpack';
    app.hub.accept(socket, encoding, request.ip);
  });
}
