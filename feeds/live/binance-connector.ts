/**
 * Binance spot market data (https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams):
 * a combined-stream connection (`/stream`), `<symbol>@trade` and `<symbol>@bookTicker` per symbol, by
 * SUBSCRIBE messages with ids, each answered `{"result":null,"id":N}`.
 *
 * Binance's rules, kept here: at most 5 messages per second from the client (SUBSCRIBEs are paced); at most
 * 1024 streams per connection (checked at start-up); the server pings every 20 s and wants a pong with the
 * same payload (VenueLink, via ws); a connection is cut after 24 hours, so a replacement is opened before
 * then, subscribed, run alongside for SWITCH_OVERLAP_MS while it holds its messages back, and then takes
 * over: the old connection closes, the held messages go through the duplicate check, and no trade is
 * missed or passed on twice (ids, StreamPositions).
 */
import { BinanceClock } from '../exchanges/binance.js';
import { isFields } from '../exchanges/normalized.js';
import {
  BINANCE_CONTROL_MESSAGES_PER_S,
  BINANCE_STREAMS_PER_SUBSCRIBE,
  MAX_LIVE_MESSAGE_BYTES,
  MAX_SWITCH_BUFFER_MESSAGES,
  type LiveFeedOptions,
  type VenueFeed,
} from './options.js';
import type { Connector } from './connector.js';
import { parseMessage, VenueStream } from './venue-stream.js';
import { VenueLink } from './venue-link.js';

interface HeldMessage {
  readonly text: string;
  readonly message: unknown;
  readonly receivedAt: number;
}

/** One connection and what it is waiting for. */
interface Session {
  readonly link: VenueLink;
  readonly clock: BinanceClock;
  /** SUBSCRIBE ids not yet answered. */
  readonly pending: Set<number>;
  /** Messages held back while this session is a warming replacement; undefined once it carries the feed. */
  held: HeldMessage[] | undefined;
  timers: NodeJS.Timeout[];
}

export class BinanceConnector implements Connector {
  private current: Session;
  private replacement: Session | undefined;
  private nextId = 1;
  private readonly streams: string[];
  private stopped = false;

  constructor(
    feed: VenueFeed,
    private readonly options: LiveFeedOptions,
    private readonly stream: VenueStream,
  ) {
    this.streams = feed.symbols.flatMap(({ venue }) => [`${venue.toLowerCase()}@trade`, `${venue.toLowerCase()}@bookTicker`]);
    this.current = this.session(false);
  }

  private get url(): string {
    return `${this.options.endpoints.binance}/stream`;
  }

  start(): void {
    this.current.link.start();
  }

  stop(): void {
    this.stopped = true;
    for (const session of [this.current, this.replacement]) if (session !== undefined) this.end(session);
    this.stream.status.setLink('binance', 'stopped');
  }

  pause(): void {
    this.current.link.pause();
    this.replacement?.link.pause();
  }

  resume(): void {
    this.current.link.resume();
    this.replacement?.link.resume();
  }

  private session(warming: boolean): Session {
    const link = new VenueLink(
      { url: this.url, backoff: this.options.backoff, silenceTimeoutMs: this.options.silenceTimeoutMs.binance, maxMessageBytes: MAX_LIVE_MESSAGE_BYTES },
      {
        opened: () => this.opened(session),
        message: (text, receivedAt) => this.message(session, text, receivedAt),
        closed: (why) => this.closed(session, why),
      },
    );
    const session: Session = { link, clock: new BinanceClock(), pending: new Set(), held: warming ? [] : undefined, timers: [] };
    return session;
  }

  private opened(session: Session): void {
    const status = this.stream.status;
    const health = status.venue('binance');
    health.connects++;
    if (session === this.current && session.link.opens > 1) health.reconnects++;
    this.stream.sink.connected?.('binance', this.url, Date.now());
    if (session === this.current) status.setLink('binance', 'subscribing');
    this.clearTimers(session);
    session.pending.clear();
    // Binance takes at most BINANCE_CONTROL_MESSAGES_PER_S messages a second (pings, pongs and requests).
    // Pongs count too: one slot a second stays free for answering a ping.
    const spacingMs = Math.ceil(1000 / (BINANCE_CONTROL_MESSAGES_PER_S - 1));
    for (let from = 0, slot = 0; from < this.streams.length; from += BINANCE_STREAMS_PER_SUBSCRIBE, slot++) {
      const id = this.nextId++;
      session.pending.add(id);
      const request = { method: 'SUBSCRIBE', params: this.streams.slice(from, from + BINANCE_STREAMS_PER_SUBSCRIBE), id };
      const send = (): void => {
        const text = JSON.stringify(request);
        session.link.send(request);
        this.stream.sink.sent?.('binance', text, Date.now());
      };
      if (slot === 0) send();
      else session.timers.push(setTimeout(send, slot * spacingMs));
    }
    session.timers.push(setTimeout(() => {
      if (session.pending.size > 0) session.link.drop(`SUBSCRIBE unanswered after ${this.options.subscribeAckTimeoutMs} ms`);
    }, this.options.subscribeAckTimeoutMs));
  }

  private message(session: Session, text: string, receivedAt: number): void {
    const message = parseMessage(text);
    if (message === undefined) {
      this.stream.unreadable();
      return;
    }
    if (isFields(message) && typeof message['id'] === 'number' && ('result' in message || 'error' in message)) {
      this.answered(session, message['id'], message['error']);
      return;
    }
    if (session.held !== undefined) {
      session.held.push({ text, message, receivedAt });
      if (session.held.length >= MAX_SWITCH_BUFFER_MESSAGES) this.switchOver();
      return;
    }
    this.stream.accept(text, message, receivedAt, (m, at) => session.clock.normalize(m, at));
  }

  private answered(session: Session, id: number, error: unknown): void {
    if (!session.pending.delete(id)) return;
    if (error !== undefined && error !== null) {
      const text = isFields(error) && typeof error['msg'] === 'string' ? error['msg'] : JSON.stringify(error);
      this.stream.status.error('binance', `SUBSCRIBE refused: ${text}`);
      return;
    }
    if (session.pending.size > 0) return;
    session.link.healthy();
    if (session === this.current) {
      this.stream.status.setLink('binance', 'live');
      this.planReplacement(session);
    } else {
      session.timers.push(setTimeout(() => this.switchOver(), this.options.switchOverlapMs));
    }
  }

  private closed(session: Session, why: string): void {
    this.clearTimers(session);
    if (this.stopped) return;
    if (session === this.current) {
      if (this.replacement !== undefined) {
        // Cut before the switch (the 24 hours ran out early): the replacement takes over now.
        this.switchOver();
        return;
      }
      // The reason first: setLink tells the listeners (the log's line says why).
      this.stream.status.venue('binance').error = why;
      this.stream.status.setLink('binance', 'waiting');
    } else if (session === this.replacement) {
      // The replacement failed: forget it and try again later; the current connection carries on.
      this.end(session);
      this.replacement = undefined;
      this.planReplacement(this.current);
    }
  }

  /** Opens the replacement `replaceAfterMs` after `session` opened (Binance cuts connections at 24 hours). */
  private planReplacement(session: Session): void {
    const dueIn = Math.max(0, session.link.openedAt + this.options.replaceAfterMs - Date.now());
    session.timers.push(setTimeout(() => {
      if (this.stopped || this.current !== session || this.replacement !== undefined) return;
      this.replacement = this.session(true);
      this.replacement.link.start();
    }, dueIn));
  }

  /** The replacement carries the feed from now: the old connection closes, its held messages go through. */
  private switchOver(): void {
    const next = this.replacement;
    if (next === undefined) return;
    const old = this.current;
    this.replacement = undefined;
    this.current = next;
    this.end(old);
    const held = next.held ?? [];
    next.held = undefined;
    for (const { text, message, receivedAt } of held) this.stream.accept(text, message, receivedAt, (m, at) => next.clock.normalize(m, at));
    const status = this.stream.status;
    status.venue('binance').replacements++;
    if (next.pending.size === 0 && next.link.open) {
      status.setLink('binance', 'live');
      this.planReplacement(next);
    } else {
      status.setLink('binance', next.link.open ? 'subscribing' : 'waiting');
    }
  }

  private end(session: Session): void {
    this.clearTimers(session);
    session.link.stop();
  }

  private clearTimers(session: Session): void {
    for (const timer of session.timers) clearTimeout(timer);
    session.timers = [];
  }
}
