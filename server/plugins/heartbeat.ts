import fp from 'fastify-plugin';
import type { WebSocket } from 'ws';

/**
 * Server pings. Every interval each connection is pinged; one that has answered none of the last two
 * pings (nor sent anything else) for two intervals is presumed gone (a vanished client, a half-open TCP
 * connection, a frozen tab) and is terminated: its socket destroyed without a closing handshake it could
 * not complete, so its memory and file descriptor come back.
 *
 * Two kinds of connection are on another clock, and the heartbeat leaves them alone:
 *
 * - One the hub holds back (its unsent bytes over the bound): its pings would wait behind the bytes it is
 *   not reading, so a missing pong says nothing the hold does not already say. It is the slow-consumer
 *   rule's: it drains, or is closed with 4000 when held back too long (and destroyed if it cannot take
 *   even that: Hub.closeSlowConsumer). It is not pinged meanwhile, and starts afresh if it drains.
 * - One already closing: the close's own timer ends it (ws's, or the slow consumer's grace).
 *
 * So a client that stops reading is cut off by whichever rule first has it: the heartbeat, if two
 * intervals pass without a pong before the hub holds it back, or else the slow-consumer rule; and it is
 * counted once, under that rule.
 */
export default fp<{ intervalMs: number }>(
  async (app, { intervalMs }) => {
    const unanswered = new WeakMap<WebSocket, number>();
    const wss = app.websocketServer;
    const hub = app.hub;
    // One listener for every connection (ws calls it with the socket as `this`): no closure per connection.
    function alive(this: WebSocket): void {
      unanswered.set(this, 0);
    }
    wss.on('connection', (socket: WebSocket) => {
      unanswered.set(socket, 0);
      socket.on('pong', alive);
      socket.on('message', alive);
    });

    let timer: NodeJS.Timeout | undefined;
    app.addHook('onReady', async () => {
      timer = setInterval(() => {
        for (const socket of wss.clients) {
          if (socket.readyState !== socket.OPEN) continue;
          if (hub.isHeldBack(socket)) {
            unanswered.set(socket, 0);
            continue;
          }
          const missed = unanswered.get(socket) ?? 0;
          if (missed >= 2) {
            app.metrics.heartbeatTerminated();
            app.log.debug({ missed }, 'terminating a connection that stopped answering pings');
            socket.terminate();
          } else {
            unanswered.set(socket, missed + 1);
            socket.ping();
          }
        }
      }, intervalMs);
    });
    app.addHook('onClose', async () => clearInterval(timer));
  },
  { name: 'tickertape-heartbeat', dependencies: ['@fastify/websocket', 'tickertape-metrics', 'tickertape-hub'], fastify: '5.x' },
);
