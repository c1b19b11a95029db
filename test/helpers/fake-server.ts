import { WebSocketServer, type WebSocket } from 'ws';
import { decodeBinary, encodeBinary } from '../../client/protocol/codec.js';
import type { ClientMessage } from '../../client/protocol/messages.js';

/**
 * A scripted stand-in for the server, on a real socket (port 0): for what a real server never does (speak
 * another protocol version, go silent, send messages of a newer version). It speaks MessagePack.
 */
export class FakeServer {
  readonly connections: WebSocket[] = [];
  readonly received: ClientMessage[] = [];

  private constructor(
    private readonly wss: WebSocketServer,
    readonly url: string,
  ) {}

  /** `onConnection` scripts each connection; `onMessage` answers each request. */
  static async start(script: {
    onConnection?: (socket: WebSocket, server: FakeServer) => void;
    onMessage?: (message: ClientMessage, socket: WebSocket, server: FakeServer) => void;
  }): Promise<FakeServer> {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: (offered) => [...offered][0] ?? false });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const address = wss.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const server = new FakeServer(wss, `ws://127.0.0.1:${address.port}/ws`);
    wss.on('connection', (socket) => {
      server.connections.push(socket);
      socket.on('message', (data: Buffer) => {
        const message = decodeBinary(data) as ClientMessage;
        server.received.push(message);
        script.onMessage?.(message, socket, server);
      });
      script.onConnection?.(socket, server);
    });
    return server;
  }

  static send(socket: WebSocket, message: Record<string, unknown>): void {
    socket.send(encodeBinary(message as unknown as ClientMessage));
  }

  async close(): Promise<void> {
    for (const socket of this.connections) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

/** A greeting as the real server sends it, with `fields` changed. */
export function greeting(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'hello',
    protocol: 1,
    protocols: [1],
    server: 'fake/0',
    feed: { kind: 'live', description: 'fake' },
    flushMs: 50,
    time: Date.now(),
    intervals: ['1s'],
    ...fields,
  };
}
