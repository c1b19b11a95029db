import { DEFAULT_BACKOFF, fullJitterDelay, type BackoffOptions } from './backoff.js';
import type { BarEvent } from './bar-ledger.js';
import { Connection, type ConnectionState } from './connection.js';
import { Emitter } from './emitter.js';
import { ClientError, RequestFailed } from './errors.js';
import type {
  Bar,
  ClientMessage,
  Encoding,
  HelloMessage,
  HistoryMessage,
  InstrumentInfo,
  Interval,
  ListMessage,
  ReplayAction,
  Rejection,
  ReplayMessage,
  ReplaySpeed,
  RequestId,
  ServerMessage,
  SubscribedMessage,
  SubscribeRequest,
  UnsubscribedMessage,
  UnsubscribeRequest,
  UpdateMessage,
} from './protocol/messages.js';
import type { ClientEvents } from './events.js';
import {
  DEFAULT_CLIENT_NAME,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  MAX_CLIENT_NAME_LENGTH,
  type ClientOptions,
} from './options.js';
import type { Quote } from './quote.js';
import type { Recovery } from './recovery.js';
import { splitSymbols } from './request-size.js';
import type { WebSocketConstructor } from './socket.js';
import { barStream, quoteStream, type BarStreamOptions, type ClientStream, type QuoteStreamOptions, type StreamHost } from './streams.js';
import { SubscriptionBook, type Holder, type SubscribeOptions, type SubscriptionState } from './subscription-book.js';
import { SymbolStore } from './symbol-store.js';
import { DEFAULT_VIEW_BARS, type SymbolView } from './symbol-view.js';

export type { ConnectionState, ClientEvents, ClientOptions };
export type { Gap, StateChange, SubscriptionChange } from './events.js';

/** The holder of what subscribe() subscribes (iterators each hold their own). */
const EXPLICIT: Holder = Object.freeze({});

/**
 * A tickertape client as an explicit state machine (centrifuge-js's design): the connection is
 * disconnected, connecting or connected, and each subscription unsubscribed, subscribing or subscribed;
 * every change is announced as {oldState, newState}.
 *
 * On each connection it negotiates the protocol version (`hello`), then subscribes. It reconnects with
 * full-jitter backoff, and after a reconnect or a lost frame (a jump in `seq`) restores every symbol from a
 * snapshot and fills the 1 s bars missed meanwhile from `history`, so bar consumers see no gap and no
 * duplicate (docs/client.md#recovery).
 */
export class TickerClient extends Emitter<ClientEvents> {
  private readonly connection: Connection;
  private readonly book = new SubscriptionBook();
  private readonly store: SymbolStore;
  private readonly encoding: Encoding;
  /** Delays between sending again subscriptions that got no answer. */
  private readonly backoff: BackoffOptions;
  private resendTimer: ReturnType<typeof setTimeout> | undefined;
  private resendAttempt = 0;
  /** `seq` of the last update frame on the current socket; 0 before the first. */
  private lastSeq = 0;
  /** The replay's rewind count last seen (kept across connections: the replay went on meanwhile). */
  private replayRewinds: number | undefined;

  constructor(options: ClientOptions) {
    super();
    const urls = typeof options.url === 'string' ? [options.url] : [...options.url];
    if (urls.length === 0) throw new RangeError('at least one url is needed');
    const WebSocket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (WebSocket === undefined) throw new TypeError('no WebSocket available: pass options.WebSocket (e.g. from the "ws" package)');
    const name = options.name ?? DEFAULT_CLIENT_NAME;
    // The server refuses a longer one in `hello`, and so every connection.
    if (name.length > MAX_CLIENT_NAME_LENGTH) throw new RangeError(`name must be at most ${MAX_CLIENT_NAME_LENGTH} characters (it has ${name.length})`);
    this.encoding = options.encoding ?? 'msgpack';
    this.backoff = options.reconnect === false || options.reconnect === undefined ? DEFAULT_BACKOFF : options.reconnect;
    this.connection = new Connection(
      {
        urls,
        WebSocket,
        encoding: this.encoding,
        backoff: options.reconnect ?? DEFAULT_BACKOFF,
        requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
        heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
        connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        name,
        token: options.token,
      },
      {
        state: (oldState, newState) => {
          if (newState !== 'connected') {
            // A new connection sends every subscription anyway.
            clearTimeout(this.resendTimer);
            this.resendTimer = undefined;
            this.resendAttempt = 0;
          }
          if (newState === 'disconnected') for (const symbol of this.book.symbols()) this.setSubscription(symbol, 'unsubscribed');
          this.emit('state', { oldState, newState });
        },
        opening: () => {
          this.lastSeq = 0;
          this.book.forgetSent();
        },
        greeted: (hello, reconnected, lostAt) => this.greeted(hello, reconnected, lostAt),
        message: (message) => this.receive(message),
        lost: () => {
          for (const symbol of this.book.symbols()) if (this.book.state(symbol) === 'subscribed') this.setSubscription(symbol, 'subscribing');
        },
        error: (error) => this.emit('error', error),
      },
    );
    this.store = new SymbolStore(options.maxBars ?? DEFAULT_VIEW_BARS, {
      emit: <K extends keyof ClientEvents>(event: K, ...args: ClientEvents[K]) => this.emit(event, ...args),
      listened: (event) => this.hasListeners(event),
      history: (symbol, limit, end) => this.history(symbol, '1s', end === undefined ? { limit } : { limit, end }),
      wanted: (symbol) => this.book.has(symbol) || this.book.has('*'),
    });
  }

  /** The connection's state. */
  get state(): ConnectionState {
    return this.connection.state;
  }

  /** The server's greeting on the current connection (the version negotiated). */
  get hello(): HelloMessage | undefined {
    return this.connection.hello;
  }

  /** Why the client stopped for good, if it was not close(): e.g. no common protocol version. */
  get closeReason(): Error | undefined {
    return this.connection.closeReason;
  }

  /** Opens the connection (and keeps it open until close()). */
  connect(): void {
    this.connection.connect();
  }

  /** Closes the connection for good: pending requests fail, async iterators end. */
  close(): void {
    this.connection.stop(undefined);
  }

  /** Resolves once connected (now, if already); rejects if the client stops for good first. */
  ready(): Promise<void> {
    if (this.state === 'connected') return Promise.resolve();
    if (this.connection.stoppedForGood) return Promise.reject(this.closedError());
    return new Promise((resolve, reject) => {
      const off = this.on('state', ({ newState }) => {
        if (newState === 'connecting') return;
        off();
        if (newState === 'connected') resolve();
        else reject(this.closedError());
      });
    });
  }

  /** What fails whatever is asked of a client that stopped for good: why it stopped, or CLOSED. */
  private closedError(): Error {
    return this.closeReason ?? new ClientError('CLOSED', 'the client was closed');
  }

  /** The live view of a symbol (its latest state and 1 s bars), once it has had data. */
  view(symbol: string): SymbolView | undefined {
    return this.store.view(symbol);
  }

  /** Where the subscription of `symbol` (or `*`) stands. */
  subscriptionState(symbol: string): SubscriptionState {
    return this.book.state(symbol);
  }

  /** Symbols this client keeps subscribed (across reconnects), each with the options sent for it. */
  subscriptions(): ReadonlyMap<string, SubscribeOptions> {
    return new Map(Array.from(this.book.symbols(), (symbol) => [symbol, this.book.options(symbol)!]));
  }

  /**
   * Subscribes to symbols (or `*`: every symbol, including ones the feed adds later). Resolves with the
   * server's answer; if not connected yet, the subscription goes out when the connection opens and the
   * promise waits for it. Kept across reconnects until unsubscribe().
   */
  subscribe(symbols: readonly string[], options: SubscribeOptions = {}): Promise<SubscribedMessage> {
    return this.hold(EXPLICIT, symbols, options);
  }

  /**
   * Ends what subscribe() started. A symbol an async iterator still reads stays subscribed until the
   * iterator ends. Resolves with the server's answer, or undefined when nothing needed sending.
   */
  async unsubscribe(symbols: readonly string[]): Promise<UnsubscribedMessage | undefined> {
    return this.release(EXPLICIT, symbols);
  }

  /**
   * The latest quote of each symbol as it changes, for `for await`: the current state first (unless
   * `snapshot: false`), then every change. A slow loop gets the newest quote of each symbol, never a
   * backlog (one waiting value per symbol). `break` unsubscribes what only this loop used.
   */
  quotes(symbols: readonly string[], options: QuoteStreamOptions = {}): ClientStream<Quote> {
    return quoteStream(this.streamHost, symbols, options);
  }

  /**
   * Bars of `options.interval` (default `1s`), folded from the live 1 s bars, for `for await`: each bar
   * once when it closes (and again if a late trade revises it), starting with the first whole interval; with
   * `forming: true` also each change of the forming bar. No gap and no duplicate across reconnects.
   */
  bars(symbols: readonly string[], options: BarStreamOptions = {}): ClientStream<BarEvent> {
    return barStream(this.streamHost, symbols, options);
  }

  /** Bars of `interval`, oldest first, aggregated by the server from 1 s bars; `end` pages backwards. */
  async history(symbol: string, interval: Interval, options: { limit?: number; end?: number } = {}): Promise<Bar[]> {
    const answer = await this.request<HistoryMessage>({ type: 'history', id: this.connection.newId(), symbol, interval, ...options });
    return [...answer.bars];
  }

  /** Every symbol the server has, with its metadata (asset class, currency, tick size). */
  async list(): Promise<InstrumentInfo[]> {
    const answer = await this.request<ListMessage>({ type: 'list', id: this.connection.newId() });
    return [...answer.symbols];
  }

  /** Round-trip time to the server, in ms. */
  async ping(): Promise<number> {
    const started = Date.now();
    await this.request({ type: 'ping', id: this.connection.newId() });
    return Date.now() - started;
  }

  private request<T extends ServerMessage>(message: ClientMessage & { id: RequestId }): Promise<T> {
    if (this.connection.stoppedForGood) return Promise.reject(this.closedError());
    return this.connection.request<T>(message);
  }

  /**
   * Controls the server's replay (when `hello.feed.kind` is `replay`): `pause`, `resume`, `speed` (with
   * `speed`), `seek` (with `time`, ms) or just `state`. Resolves with the replay's state once the action is
   * done (a seek: once the replay is there); every client also receives `replay` messages on each change.
   */
  replay(action: ReplayAction, options: { readonly speed?: ReplaySpeed; readonly time?: number } = {}): Promise<ReplayMessage> {
    return this.request<ReplayMessage>({ type: 'replay', id: this.connection.newId(), action, ...options });
  }

  // -- subscriptions ---------------------------------------------------------------------------------------

  private readonly streamHost: StreamHost = {
    on: (event, listener) => this.on(event, listener),
    view: (symbol) => this.store.view(symbol),
    views: () => this.store.views(),
    hold: (holder, symbols, options) => {
      this.hold(holder, symbols, options).catch(() => {
        // Refusals reach the stream as `subscription` events (streams.ts); a lost connection is retried.
      });
    },
    release: (holder, symbols) => {
      this.release(holder, symbols).catch(() => {});
    },
    closeReason: () => (this.connection.stoppedForGood ? (this.closeReason ?? null) : undefined),
  };

  private hold(holder: Holder, symbols: readonly string[], options: SubscribeOptions): Promise<SubscribedMessage> {
    // Nothing would ever send it (connect() again would, but nothing says it will come).
    if (this.connection.stoppedForGood) return Promise.reject(this.closedError());
    for (const symbol of symbols) {
      this.book.hold(symbol, holder, options);
      if (this.book.state(symbol) === 'unsubscribed') this.setSubscription(symbol, 'subscribing');
    }
    // Not connected: everything goes out when the connection opens, and the answers come then.
    if (this.state !== 'connected') return this.answerFor(symbols);
    const subscribed = symbols.filter((symbol) => this.book.state(symbol) === 'subscribed' && !this.book.needsSending(symbol));
    const toSend = symbols.filter((symbol) => this.book.needsSending(symbol));
    // Sent before (by another holder) and not answered yet: its answer is still to come.
    const awaited = symbols.filter((symbol) => !subscribed.includes(symbol) && !toSend.includes(symbol));
    const answers = [...this.sendSubscribes(toSend), this.answerFor(awaited)];
    return Promise.all(answers).then((all) => ({
      type: 'subscribed',
      symbols: [...subscribed, ...all.flatMap((answer) => answer.symbols.filter((symbol) => symbols.includes(symbol)))],
      rejected: all.flatMap((answer) => answer.rejected.filter((rejection) => symbols.includes(rejection.symbol))),
    }));
  }

  private async release(holder: Holder, symbols: readonly string[]): Promise<UnsubscribedMessage | undefined> {
    const gone: string[] = [];
    for (const symbol of symbols) {
      const oldState = this.book.state(symbol);
      if (!this.book.release(symbol, holder)) continue;
      gone.push(symbol);
      this.store.forget(symbol);
      // The views only `*` kept alive: none will be updated any more.
      if (symbol === '*') {
        const unheld = Array.from(this.store.views(), (view) => view.symbol).filter((held) => !this.book.has(held) && !this.book.has('*'));
        for (const stale of unheld) this.store.forget(stale);
      }
      if (oldState !== 'unsubscribed') this.emit('subscription', { symbol, oldState, newState: 'unsubscribed' });
    }
    if (this.state !== 'connected') return undefined;
    const changed = symbols.filter((symbol) => !gone.includes(symbol) && this.book.needsSending(symbol));
    await Promise.all(this.sendSubscribes(changed));
    if (gone.length === 0) return undefined;
    const request = (group: readonly string[]): UnsubscribeRequest => ({ type: 'unsubscribe', id: Number.MAX_SAFE_INTEGER, symbols: group });
    // A name too long to send was never subscribed (sendSubscribes refused it): nothing to tell the server.
    const { groups } = splitSymbols(gone, request, this.encoding);
    const answers = await Promise.all(groups.map((group) => this.request<UnsubscribedMessage>({ ...request(group), id: this.connection.newId() })));
    return { type: 'unsubscribed', symbols: answers.flatMap((answer) => answer.symbols) };
  }

  /**
   * Collects the server's answers about `symbols` from the `subscribed` messages still to come; rejects if
   * the client stops for good first.
   */
  private answerFor(symbols: readonly string[]): Promise<SubscribedMessage> {
    const waiting = new Set(symbols);
    const accepted: string[] = [];
    const rejected: SubscribedMessage['rejected'][number][] = [];
    return new Promise((resolve, reject) => {
      const off = (): void => {
        offMessage();
        offRefused();
        offState();
      };
      const check = (): void => {
        if (waiting.size > 0) return;
        off();
        resolve({ type: 'subscribed', symbols: accepted, rejected });
      };
      const offState = this.on('state', ({ newState }) => {
        if (newState !== 'disconnected') return;
        off();
        reject(this.closedError());
      });
      const offMessage = this.on('message', (message) => {
        if (message.type !== 'subscribed') return;
        for (const symbol of message.symbols) if (waiting.delete(symbol)) accepted.push(symbol);
        for (const rejection of message.rejected) if (waiting.delete(rejection.symbol)) rejected.push(rejection);
        check();
      });
      // And symbols of a subscribe request refused whole (refuse() tells them one by one).
      const offRefused = this.on('subscription', ({ symbol, refused }) => {
        if (refused !== undefined && waiting.delete(symbol)) rejected.push(refused);
        check();
      });
      check();
    });
  }

  /**
   * Sends subscriptions grouped by identical options. `restore`: also ask a snapshot for symbols whose
   * state must be restored (after a reconnect or a gap), whatever their `snapshot` option.
   */
  private sendSubscribes(symbols: Iterable<string>, restore = false): Promise<SubscribedMessage>[] {
    const groups = new Map<string, { options: SubscribeOptions; symbols: string[] }>();
    for (const symbol of symbols) {
      const wanted = this.book.options(symbol);
      if (wanted === undefined) continue;
      // Changing the options of a live symbol re-sends its state too: the server restarts its update
      // schedule for the new options, and the snapshot covers the changes in between.
      const live = this.store.view(symbol) !== undefined;
      const options = { ...wanted, snapshot: wanted.snapshot !== false || live || restore };
      const key = JSON.stringify(options);
      let group = groups.get(key);
      if (group === undefined) groups.set(key, (group = { options, symbols: [] }));
      group.symbols.push(symbol);
      this.book.markSent(symbol);
      this.setSubscription(symbol, 'subscribing');
    }
    const answers: Promise<SubscribedMessage>[] = [];
    for (const { options, symbols: all } of groups.values()) {
      // As many requests as it takes to stay within the server's limits on symbols and bytes per request.
      const request = (group: readonly string[]): SubscribeRequest => ({ type: 'subscribe', id: Number.MAX_SAFE_INTEGER, symbols: group, ...options });
      const { groups: requests, tooLarge } = splitSymbols(all, request, this.encoding);
      if (tooLarge.length > 0) {
        const rejected = tooLarge.map((symbol): Rejection => ({ symbol, code: 'BAD_FIELD', message: `a symbol name of ${symbol.length} characters is too long to send` }));
        for (const rejection of rejected) this.refuse(rejection);
        answers.push(Promise.resolve({ type: 'subscribed', symbols: [], rejected }));
      }
      for (const group of requests) answers.push(this.sendSubscribe(group, options));
    }
    return answers;
  }

  private sendSubscribe(group: readonly string[], options: SubscribeOptions): Promise<SubscribedMessage> {
    const answer = this.request<SubscribedMessage>({ type: 'subscribe', id: this.connection.newId(), symbols: group, ...options });
    answer.then(
      () => {
        this.resendAttempt = 0;
      },
      (error: unknown) => {
        // Lost on the way (dropped by the server's rate limit, which names no request), or refused for now:
        // sent again after a backoff delay. The caller still gets the error.
        if (worthResending(error)) {
          this.resendLater(group);
          return;
        }
        // Refused whole (more symbols than a request may hold, an item that is no string): each symbol is refused, for the same reason, so
        // nothing waits for it for ever. The caller still gets the RequestFailed.
        if (!(error instanceof RequestFailed)) return;
        const { code, message } = error.answer;
        for (const symbol of group) if (this.book.state(symbol) === 'subscribing') this.refuse({ symbol, code, message });
      },
    );
    return answer;
  }

  /** Sends the subscriptions of `symbols` again, after a backoff delay, unless answered meanwhile. */
  private resendLater(symbols: readonly string[]): void {
    if (this.state !== 'connected') return; // the next connection sends everything
    for (const symbol of symbols) if (this.book.state(symbol) === 'subscribing') this.book.unsent(symbol);
    if (this.resendTimer !== undefined) return;
    const delay = fullJitterDelay(this.resendAttempt++, this.backoff);
    this.resendTimer = setTimeout(() => {
      this.resendTimer = undefined;
      if (this.state !== 'connected') return;
      const due = Array.from(this.book.symbols()).filter((symbol) => this.book.needsSending(symbol));
      // What fails again is resent or refused by sendSubscribe.
      for (const answer of this.sendSubscribes(due)) answer.catch(() => {});
    }, delay);
  }

  private setSubscription(symbol: string, newState: SubscriptionState, refused?: Rejection): void {
    const oldState = this.book.setState(symbol, newState);
    if (oldState !== undefined && oldState !== newState) this.emit('subscription', { symbol, oldState, newState, ...(refused === undefined ? {} : { refused }) });
  }

  /** The server refused a symbol: nobody holds it any more, and the `subscription` event says why. */
  private refuse(rejection: Rejection): void {
    this.setSubscription(rejection.symbol, 'unsubscribed', rejection);
    this.book.drop(rejection.symbol);
  }

  // -- messages --------------------------------------------------------------------------------------------

  private greeted(hello: HelloMessage, reconnected: boolean, lostAt: number): void {
    this.emit('hello', hello);
    if (reconnected) this.recover('reconnect', lostAt);
    else for (const answer of this.sendSubscribes(this.book.symbols())) answer.catch((error: unknown) => this.report(error));
  }

  /** Resubscribes everything with snapshots and fills the bars missed; see SymbolStore.recover(). */
  private recover(reason: Recovery['reason'], since: number): void {
    const restoring = this.store.beginRecovery();
    const subscribed = Promise.all(this.sendSubscribes(this.book.symbols(), true));
    // The pong comes after every snapshot the subscriptions caused: the barrier before filling bars.
    const barrier = subscribed.then(() => this.request({ type: 'ping', id: this.connection.newId() }));
    this.store.recover(reason, since, restoring, barrier).then(
      (recovery) => {
        if (recovery !== undefined) this.emit('recovered', recovery);
      },
      (error: unknown) => {
        // Cut short by a lost connection: the next connection recovers again.
        if (this.state === 'connected') this.report(error);
      },
    );
  }

  private receive(message: ServerMessage): void {
    switch (message.type) {
      case 'snapshot':
        this.store.snapshot(message);
        break;
      case 'update':
        this.onUpdate(message);
        break;
      case 'subscribed':
        for (const symbol of message.symbols) this.setSubscription(symbol, 'subscribed');
        for (const rejection of message.rejected) this.refuse(rejection);
        break;
      case 'replay':
        if (this.replayRewinds !== undefined && message.rewinds !== this.replayRewinds) {
          this.store.rewind();
          this.emit('rewind', message);
        }
        this.replayRewinds = message.rewinds;
        break;
      case 'error':
        if (message.id === undefined || !this.connection.isAwaited(message.id)) this.emit('error', message);
        break;
      default:
        // Greetings are the connection's; unknown types come from newer servers and are ignored, as
        // docs/protocol.md asks.
        break;
    }
    this.emit('message', message);
  }

  private onUpdate(message: UpdateMessage): void {
    const expected = this.lastSeq + 1;
    this.lastSeq = message.seq;
    if (expected !== 1 && message.seq !== expected) {
      this.emit('gap', { expected, received: message.seq });
      // Marks every symbol as recovering before this frame's entries are merged: they are held back too.
      this.recover('gap', Date.now());
    }
    this.store.update(message);
    this.emit('frame', message);
  }

  private report(error: unknown): void {
    this.emit('error', error instanceof Error ? error : new Error(String(error)));
  }
}

/** Whether a subscribe that failed so is worth sending again on the same connection. */
function worthResending(error: unknown): boolean {
  if (error instanceof ClientError) return error.code === 'TIMEOUT';
  return error instanceof RequestFailed && (error.answer.code === 'RATE_LIMITED' || error.answer.code === 'INTERNAL');
}

/** Creates a client and starts connecting. */
export function connect(options: ClientOptions): TickerClient {
  const client = new TickerClient(options);
  client.connect();
  return client;
}
