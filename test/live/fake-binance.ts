/**
 * A fake Binance spot stream server speaking Binance's protocol: `/stream` combined streams, SUBSCRIBE /
 * UNSUBSCRIBE / LIST_SUBSCRIPTIONS with ids answered `{"result":...,"id":N}`, a ping with a payload every
 * `pingEveryMs` (the pong must carry the same payload), a connection closed when a client sends more than 5
 * messages in a second, and every connection cut `maxAgeMs` after it opened (Binance's 24 hours, shortened).
 * It plays the real capture's `@trade` and `@bookTicker` messages to their subscribers.
 */
import { randomBytes } from 'node:crypto';
import { captureLines } from './shared-captures.js';
import { FakeVenue, type FakeConnection, type TapeMessage } from './fake-venue.js';

export interface FakeBinanceOptions {
  readonly pingEveryMs?: number;
  readonly maxAgeMs?: number;
}

/** Binance allows 5 incoming messages per second per connection. */
const MAX_MESSAGES_PER_S = 5;

export class FakeBinance extends FakeVenue {
  /** Every SUBSCRIBE (and other request) received, in order. */
  readonly requests: { method: string; params: unknown; id: unknown }[] = [];
  /** Pings sent and the pongs that came back, by payload. */
  readonly pings: string[] = [];
  readonly pongs: string[] = [];
  /** Connections closed for sending too fast. */
  rateViolations = 0;
  private readonly timers: NodeJS.Timeout[] = [];

  private constructor(
    tape: readonly TapeMessage[],
    private readonly options: FakeBinanceOptions,
  ) {
    super(tape);
  }

  /** The messages of a Binance combined-stream capture (`<receive time> {"stream":...}`), depth left out. */
  static tapeFrom(file: string): TapeMessage[] {
    const tape: TapeMessage[] = [];
    for (const line of captureLines(file)) {
      const text = line.slice(line.indexOf(' ') + 1);
      const match = /^\{"stream":"([^"]+)"/.exec(text);
      if (match === null || match[1]!.includes('@depth')) continue;
      tape.push({ text, topic: match[1]! });
    }
    return tape;
  }

  static async start(file: string, options: FakeBinanceOptions = {}): Promise<FakeBinance> {
    const fake = new FakeBinance(FakeBinance.tapeFrom(file), options);
    await fake.listening();
    return fake;
  }

  protected connected(connection: FakeConnection, path: string): void {
    const { socket } = connection;
    if (!path.startsWith('/stream')) {
      socket.close(1008, 'unknown path');
      return;
    }
    socket.on('pong', (payload) => this.pongs.push(payload.toString('hex')));
    const sentAt: number[] = [];
    socket.on('message', () => {
      const now = Date.now();
      sentAt.push(now);
      while (sentAt[0]! <= now - 1000) sentAt.shift();
      if (sentAt.length > MAX_MESSAGES_PER_S) {
        this.rateViolations++;
        socket.close(1008, 'Too many requests');
      }
    });
    if (this.options.pingEveryMs !== undefined) {
      const timer = setInterval(() => {
        if (socket.readyState !== socket.OPEN) return clearInterval(timer);
        const payload = randomBytes(8);
        this.pings.push(payload.toString('hex'));
        socket.ping(payload);
      }, this.options.pingEveryMs);
      this.timers.push(timer);
    }
    if (this.options.maxAgeMs !== undefined) {
      this.timers.push(setTimeout(() => socket.terminate(), this.options.maxAgeMs));
    }
  }

  protected request(connection: FakeConnection, message: unknown): void {
    const { socket, topics } = connection;
    const { method, params, id } = (typeof message === 'object' && message !== null ? message : {}) as { method?: unknown; params?: unknown; id?: unknown };
    this.requests.push({ method: String(method), params, id });
    const streams = Array.isArray(params) ? params.filter((p): p is string => typeof p === 'string') : [];
    switch (method) {
      case 'SUBSCRIBE':
        for (const stream of streams) topics.add(stream);
        socket.send(JSON.stringify({ result: null, id }));
        return;
      case 'UNSUBSCRIBE':
        for (const stream of streams) topics.delete(stream);
        socket.send(JSON.stringify({ result: null, id }));
        return;
      case 'LIST_SUBSCRIPTIONS':
        socket.send(JSON.stringify({ result: [...topics], id }));
        return;
      default:
        socket.send(JSON.stringify({ error: { code: 2, msg: `Invalid request: unknown method ${String(method)}` }, id }));
    }
  }

  override async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    await super.close();
  }
}
