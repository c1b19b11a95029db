/**
 * A fake Coinbase Exchange feed speaking Coinbase's protocol: a connection that has not subscribed within
 * `subscribeDeadlineMs` (5 s on Coinbase) is closed; `subscribe` is answered with `subscriptions`, then a
 * `last_match` per product subscribed to `matches` (its last trade so far), then the product's messages as
 * they play; `heartbeat` subscribers get a heartbeat per product every `heartbeatEveryMs`. It plays the real
 * capture's `match` and `ticker` messages (level2 left out: nobody asks for it here).
 */
import { captureLines } from './shared-captures.js';
import { FakeVenue, type FakeConnection, type TapeMessage } from './fake-venue.js';

export interface FakeCoinbaseOptions {
  readonly subscribeDeadlineMs?: number;
  readonly heartbeatEveryMs?: number;
}

const CHANNEL_OF: Readonly<Record<string, string>> = { match: 'matches', ticker: 'ticker' };

interface LastMatch {
  readonly text: string;
  readonly tradeId: number;
  readonly sequence: number;
}

export class FakeCoinbase extends FakeVenue {
  /** Connections closed for not subscribing in time. */
  deadlineCloses = 0;
  readonly subscribes: unknown[] = [];
  private readonly lastMatch = new Map<string, LastMatch>();
  private readonly timers: NodeJS.Timeout[] = [];

  private constructor(
    tape: readonly TapeMessage[],
    initial: Map<string, LastMatch>,
    private readonly options: FakeCoinbaseOptions,
  ) {
    super(tape);
    for (const [product, match] of initial) this.lastMatch.set(product, match);
  }

  /**
   * The capture's received messages: `match` and `ticker` as the tape; its `last_match` messages (answers
   * to its own subscription) become each product's last trade before the tape starts.
   */
  static read(file: string): { tape: TapeMessage[]; initial: Map<string, LastMatch> } {
    const tape: TapeMessage[] = [];
    const initial = new Map<string, LastMatch>();
    for (const line of captureLines(file)) {
      const at = line.indexOf(': {');
      if (line.startsWith('wss') || at < 0) continue;
      const text = line.slice(at + 2);
      const message = JSON.parse(text) as { type: string; product_id?: string; trade_id?: number; sequence?: number };
      if (message.type === 'last_match') {
        initial.set(message.product_id!, { text, tradeId: message.trade_id!, sequence: message.sequence! });
        continue;
      }
      const channel = CHANNEL_OF[message.type];
      if (channel !== undefined) tape.push({ text, topic: `${channel}:${message.product_id}` });
    }
    return { tape, initial };
  }

  static async start(file: string, options: FakeCoinbaseOptions = {}): Promise<FakeCoinbase> {
    const { tape, initial } = FakeCoinbase.read(file);
    const fake = new FakeCoinbase(tape, initial, options);
    await fake.listening();
    return fake;
  }

  protected connected(connection: FakeConnection): void {
    const deadline = setTimeout(() => {
      if (connection.topics.size === 0) {
        this.deadlineCloses++;
        connection.socket.close(1008, 'subscribe within 5 seconds');
      }
    }, this.options.subscribeDeadlineMs ?? 5_000);
    this.timers.push(deadline);
    if (this.options.heartbeatEveryMs !== undefined) {
      let sequence = 0;
      const timer = setInterval(() => {
        if (connection.socket.readyState !== connection.socket.OPEN) return clearInterval(timer);
        for (const topic of connection.topics) {
          if (!topic.startsWith('heartbeat:')) continue;
          const product = topic.slice('heartbeat:'.length);
          const last = this.lastMatch.get(product);
          connection.socket.send(JSON.stringify({ type: 'heartbeat', last_trade_id: last?.tradeId ?? 0, product_id: product, sequence: ++sequence, time: new Date().toISOString() }));
        }
      }, this.options.heartbeatEveryMs);
      this.timers.push(timer);
    }
  }

  protected request(connection: FakeConnection, message: unknown): void {
    const { socket, topics } = connection;
    const { type, product_ids: products, channels } = message as { type?: string; product_ids?: string[]; channels?: string[] };
    if (type !== 'subscribe' || !Array.isArray(products) || !Array.isArray(channels)) {
      socket.send(JSON.stringify({ type: 'error', message: 'Failed to subscribe', reason: 'bad request' }));
      return;
    }
    this.subscribes.push(message);
    for (const channel of channels) for (const product of products) topics.add(`${channel}:${product}`);
    socket.send(JSON.stringify({ type: 'subscriptions', channels: channels.map((name) => ({ name, product_ids: products })) }));
    if (!channels.includes('matches')) return;
    for (const product of products) {
      const last = this.lastMatch.get(product);
      if (last !== undefined) socket.send(last.text.replace(/"type":"(last_)?match"/, '"type":"last_match"'));
    }
  }

  protected override sent(message: TapeMessage): void {
    if (!message.topic.startsWith('matches:')) return;
    const match = JSON.parse(message.text) as { trade_id: number; sequence: number; product_id: string };
    this.lastMatch.set(match.product_id, { text: message.text, tradeId: match.trade_id, sequence: match.sequence });
  }

  override async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    await super.close();
  }
}
