/**
 * What both fake exchanges share: a real WebSocket server on port 0 that plays a "tape" of real recorded
 * messages (../shared/data) to whoever subscribed, like an exchange broadcasting its market, in batches on
 * a timer. Playback runs whether or not anyone is connected: a client that drops misses what played
 * meanwhile, exactly as on a real exchange.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface TapeMessage {
  /** The raw JSON text, as the exchange sent it. */
  readonly text: string;
  /** The subscription that receives it: a Binance stream (`ethusdt@trade`), a Coinbase `channel:product`. */
  readonly topic: string;
}

export interface PlaybackOptions {
  /** Messages sent per batch (default 100). */
  readonly batch?: number;
  /** Time between batches, ms (default 1). */
  readonly everyMs?: number;
  /** Play only the first N messages. */
  readonly limit?: number;
}

export interface FakeConnection {
  readonly socket: WebSocket;
  readonly topics: Set<string>;
  readonly openedAt: number;
  /** Text messages the client sent, parsed. */
  readonly received: unknown[];
}

export abstract class FakeVenue {
  readonly connections: FakeConnection[] = [];
  /** Messages played so far (the tape's position). */
  played = 0;
  private downUntil = 0;
  protected readonly server: WebSocketServer;
  private timer: NodeJS.Timeout | undefined;
  private finished: (() => void) | undefined;

  protected constructor(readonly tape: readonly TapeMessage[]) {
    this.server = new WebSocketServer({
      port: 0,
      host: '127.0.0.1',
      // While "down", handshakes are answered 503, as an exchange in maintenance would.
      verifyClient: (_info, answer) => (Date.now() < this.downUntil ? answer(false, 503) : answer(true)),
    });
    this.server.on('connection', (socket, request) => {
      const connection: FakeConnection = { socket, topics: new Set(), openedAt: Date.now(), received: [] };
      this.connections.push(connection);
      socket.on('message', (data) => {
        let message: unknown;
        try {
          message = JSON.parse(data.toString());
        } catch {
          message = data.toString();
        }
        connection.received.push(message);
        this.request(connection, message);
      });
      socket.on('error', () => undefined);
      this.connected(connection, request.url ?? '/');
    });
  }

  protected async listening(): Promise<void> {
    if (this.server.address() === null) await once(this.server, 'listening');
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Connections open now. */
  get open(): FakeConnection[] {
    return this.connections.filter((connection) => connection.socket.readyState === connection.socket.OPEN);
  }

  /** Plays the tape; resolves once every message has been played. */
  play(options: PlaybackOptions = {}): Promise<void> {
    const batch = options.batch ?? 100;
    const end = Math.min(this.tape.length, options.limit ?? this.tape.length);
    const done = new Promise<void>((resolve) => (this.finished = resolve));
    this.timer = setInterval(() => {
      const stop = Math.min(end, this.played + batch);
      for (; this.played < stop; this.played++) this.broadcast(this.tape[this.played]!);
      if (this.played >= end) {
        clearInterval(this.timer);
        this.finished?.();
      }
    }, options.everyMs ?? 1);
    return done;
  }

  /** Cuts every connection without a closing handshake, as a network failure would, and refuses new ones for `downMs`. */
  dropAll(downMs = 0): void {
    this.downUntil = Date.now() + downMs;
    for (const connection of this.open) connection.socket.terminate();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const connection of this.connections) connection.socket.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  protected broadcast(message: TapeMessage): void {
    this.sent(message);
    for (const connection of this.open) if (connection.topics.has(message.topic)) connection.socket.send(message.text);
  }

  /** Called for each message played, before it is sent (to keep state such as each product's last trade). */
  protected sent(_message: TapeMessage): void {}

  protected abstract connected(connection: FakeConnection, path: string): void;
  protected abstract request(connection: FakeConnection, message: unknown): void;
}
