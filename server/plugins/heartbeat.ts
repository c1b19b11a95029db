import fp from 'fastify-plugin';
import type { WebSocket } from 'ws';

/**
 * Server pings. Every interval each connection is pinged; one that has answered none of the last two
 * pings (nor sent anything else) for two intervals is presumed gone (a vanished client, a half-open TCP
 * connection, a peer that stopped reading) and is terminated: its socket destroyed without a closing
 * handshake it could not complete, so its memory and file descriptor come back.
 */
export default fp<{ intervalMs: number }>(
  async (app, { intervalMs }) => {
    const unanswered = new WeakMap<WebSocket, number>();
    const wss = app.websocketServer;
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
          const missed = unanswered.get(socket) ?? 0;
          if (missed >= 2) {
            app.metrics.heartbeatTerminated();
            app.log.debug({ missed }, 'terminating a connection that stopped answering pings');
            socket.terminate();
          } else if (socket.readyState === socket.OPEN) {
            unanswered.set(socket, missed + 1);
            socket.ping();
          }
        }
      }, intervalMs);
    });
    app.addHook('onClose', async () => clearInterval(timer));
  },
  { name: 'tickertape-heartbeat', dependencies: ['@fastify/websocket', 'tickertape-metrics'], fastify: '5.x' },
);
