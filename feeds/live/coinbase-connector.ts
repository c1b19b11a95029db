/**
 * Coinbase Exchange market data (https://docs.cdp.coinbase.com/exchange/docs/websocket-overview): one
 * connection, one `subscribe` to the `matches`, `ticker` and `heartbeat` channels, answered by a
 * `subscriptions` message.
 *
 * Coinbase's rules, kept here: subscribe within 5 seconds of connecting or be disconnected (the subscribe
 * goes out the moment the socket opens; no answer within SUBSCRIBE_ACK_TIMEOUT_MS cuts and retries);
 * heartbeats every second per product keep a quiet product's connection provably alive (a silence of
 * SILENCE_TIMEOUT_MS is a dead connection). On subscribing, Coinbase sends each product's `last_match`:
 * after a reconnect it is either the last trade already seen (dropped as a duplicate) or later, and the
 * jump in `trade_id` is the gap reported.
 */
import { normalizeCoinbase } from '../exchanges/coinbase.js';
import { isFields } from '../exchanges/normalized.js';
import { MAX_LIVE_MESSAGE_BYTES, type LiveFeedOptions, type VenueFeed } from './options.js';
import type { Connector } from './connector.js';
import { parseMessage, VenueStream } from './venue-stream.js';
import { VenueLink } from './venue-link.js';

export const COINBASE_CHANNELS = ['matches', 'ticker', 'heartbeat'] as const;

export class CoinbaseConnector implements Connector {
  private readonly link: VenueLink;
  private readonly products: string[];
  private ackTimer: NodeJS.Timeout | undefined;
  private subscribed = false;

  constructor(
    feed: VenueFeed,
    private readonly options: LiveFeedOptions,
    private readonly stream: VenueStream,
  ) {
    this.products = feed.symbols.map((symbol) => symbol.venue);
    this.link = new VenueLink(
      { url: options.endpoints.coinbase, backoff: options.backoff, silenceTimeoutMs: options.silenceTimeoutMs.coinbase, maxMessageBytes: MAX_LIVE_MESSAGE_BYTES },
      {
        opened: () => this.opened(),
        message: (text, receivedAt) => this.message(text, receivedAt),
        closed: (why) => this.closed(why),
      },
    );
  }

  start(): void {
    this.link.start();
  }

  stop(): void {
    clearTimeout(this.ackTimer);
    this.link.stop();
    this.stream.status.setLink('coinbase', 'stopped');
  }

  pause(): void {
    this.link.pause();
  }

  resume(): void {
    this.link.resume();
  }

  private opened(): void {
    const { status, sink } = this.stream;
    const health = status.venue('coinbase');
    health.connects++;
    if (this.link.opens > 1) health.reconnects++;
    status.setLink('coinbase', 'subscribing');
    sink.connected?.('coinbase', this.options.endpoints.coinbase, Date.now());
    this.subscribed = false;
    const request = { type: 'subscribe', product_ids: this.products, channels: COINBASE_CHANNELS };
    this.link.send(request);
    sink.sent?.('coinbase', JSON.stringify(request), Date.now());
    clearTimeout(this.ackTimer);
    this.ackTimer = setTimeout(() => {
      if (!this.subscribed) this.link.drop(`subscribe unanswered after ${this.options.subscribeAckTimeoutMs} ms`);
    }, this.options.subscribeAckTimeoutMs);
  }

  private message(text: string, receivedAt: number): void {
    const message = parseMessage(text);
    if (message === undefined) {
      this.stream.unreadable();
      return;
    }
    const type = isFields(message) ? message['type'] : undefined;
    if (type === 'subscriptions') {
      this.subscribed = true;
      clearTimeout(this.ackTimer);
      this.link.healthy();
      this.stream.status.setLink('coinbase', 'live');
      return;
    }
    if (type === 'error' && isFields(message)) {
      const reason = typeof message['reason'] === 'string' ? `: ${message['reason']}` : '';
      this.stream.status.error('coinbase', `${String(message['message'])}${reason}`);
      return;
    }
    // Heartbeats only prove the connection alive (VenueLink saw the frame).
    if (type === 'heartbeat') return;
    this.stream.accept(text, message, receivedAt, normalizeCoinbase);
  }

  private closed(why: string): void {
    clearTimeout(this.ackTimer);
    const { status } = this.stream;
    if (status.venue('coinbase').state === 'stopped') return;
    // The reason first: setLink tells the listeners (the log's line says why).
    status.venue('coinbase').error = why;
    status.setLink('coinbase', 'waiting');
  }
}
