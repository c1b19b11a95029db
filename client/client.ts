import { DEFAULT_BACKOFF, fullJitterDelay, type BackoffOptions } from './backoff.js';
import type { BarEvent } from './bar-ledger.js';
import { Emitter } from './emitter.js';
import { ClientError, RequestFailed } from './errors.js';
import { Heartbeat } from './heartbeat.js';
import { PendingRequests } from './pending.js';
import { decodeBinary, decodeText, encodeBinary, encodeText } from './protocol/codec.js';
import {
  CLOSE_CODES,
  PROTOCOL_VERSIONS,
  SUBPROTOCOL_JSON,
  SUBPROTOCOL_MSGPACK,
  type Bar,
  type ClientMessage,
  type Encoding,
  type ErrorMessage,
  type HelloMessage,
  type HistoryMessage,
  type InstrumentInfo,
  type Interval,
  type ListMessage,
  type RequestId,
  type ServerMessage,
  type SnapshotMessage,
  type SubscribedMessage,
  type SymbolEntry,
  type UnsubscribedMessage,
  type UpdateMessage,
} from './protocol/messages.js';
import type { Quote, QuoteSource } from './quote.js';
import type { Recovery } from './recovery.js';
import { SOCKET_OPEN, type WebSocketConstructor, type WebSocketLike } from './socket.js';
import { barStream, quoteStream, type BarStreamOptions, type ClientStream, type QuoteStreamOptions, type StreamHost } from './streams.js';
import { SubscriptionBook, type Holder, type SubscribeOptions, type SubscriptionState } from './subscription-book.js';
import { SymbolStore } from './symbol-store.js';
import { DEFAULT_VIEW_BARS, type SymbolView } from './symbol-view.js';

export type ConnectionState = 'disconnected' | 'connecting' | 'connected';

export interface ClientOptions {
  /** `ws://host:port/ws`; with several, reconnects rotate through them. */
  readonly url: string | readonly string[];
  /**
   * The WebSocket constructor: the browser's by default. In Node 20, `tickertape/client` passes the `ws`
   * package's for you.
   */
  readonly WebSocket?: WebSocketConstructor;
  /** `msgpack` (default) or `json`. */
  readonly encoding?: Encoding;
  /** Reconnect delays (full-jitter exponential backoff); `false` never reconnects. */
  readonly reconnect?: BackoffOptions | false;
  /** How long a request may wait for its answer (default 10 s). */
  readonly requestTimeoutMs?: number;
  /**
   * With nothing received for this long the client pings; with nothing for as long again after the ping,
   * it drops the connection and reconnects. A dead server is noticed within 2 × heartbeatMs (default 5 s).
   */
  readonly heartbeatMs?: number;
  /** How long a connection attempt may take, from opening the socket to the server's answer to `hello` (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** 1 s bars kept per symbol view (default 3600: an hour). */
  readonly maxBars?: number;
  /** Names this program in the server's logs (`hello.client`), e.g. `my-bot/1.2`. */
  readonly name?: string;
}

export interface StateChange<S> {
  readonly oldState: S;
  readonly newState: S;
}

export interface SubscriptionChange extends StateChange<SubscriptionState> {
  readonly symbol: string;
}

/** A jump in `seq`: frames expected..received-1 were lost. */
export interface Gap {
  readonly expected: number;
  readonly received: number;
}

/** Everything a TickerClient tells, in the order documented in docs/client.md#events. */
export interface ClientEvents {
  /** The connection changed state. */
  state: [StateChange<ConnectionState>];
  /** A symbol's subscription changed state. */
  subscription: [SubscriptionChange];
  /** The server's greeting on a new connection (the version negotiated). */
  hello: [HelloMessage];
  /** A symbol's view took a snapshot (its first state, or a restore). */
  snapshot: [SymbolView, SnapshotMessage];
  /** A symbol's view merged one update entry. */
  update: [SymbolView, SymbolEntry];
  /** A whole update frame was merged (after its `update`, `quote` and `bar` events). */
  frame: [UpdateMessage];
  /** A symbol's state changed: its latest quote, and why it is told. */
  quote: [Quote, QuoteSource];
  /** A 1 s bar was added or changed (docs/client.md#bars). */
  bar: [BarEvent];
  /** A frame was lost (seq jumped); the client recovers (`recovered` follows). */
  gap: [Gap];
  /** After a reconnect or a gap, every symbol is whole again. */
  recovered: [Recovery];
  /** An error answer nobody waited for, or a failure of the connection (the client carries on). */
  error: [ErrorMessage | Error];
  /** Every message received, after the client has handled it. */
  message: [ServerMessage];
}

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const DEFAULT_HEARTBEAT_MS = 5_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_CLIENT_NAME = 'tickertape-js';
/** The holder of what subscribe() subscribes (iterators each hold their own). */
const EXPLICIT: Holder = Object.freeze({});

/**
 * A tickertape connection as an explicit state machine (centrifuge-js's design): the connection is
 * disconnected, connecting or connected, and each subscription unsubscribed, subscribing or subscribed;
 * every change goes through one setter and is announced as {oldState, newState}.
 *
 * On each connection it negotiates the protocol version (`hello`), then subscribes. It reconnects with
 * full-jitter backoff, and after a reconnect or a lost frame (a jump in `seq`) restores every symbol from a
 * snapshot and fills the 1 s bars missed meanwhile from `history`, so bar consumers see no gap and no
 * duplicate (docs/client.md#recovery).
 */
export class TickerClient extends Emitter<ClientEvents> {
  state: ConnectionState = 'disconnected';
  /** The server's greeting on the current connection. */
  hello: HelloMessage | undefined;
  /** Why the client stopped for good, if it was not close(): e.g. no common protocol version. */
  closeReason: Error | undefined;
  private readonly urls: readonly string[];
  private readonly WebSocketImpl: WebSocketConstructor;
  private readonly encoding: Encoding;
  private readonly backoff: BackoffOptions | false;
  private readonly connectTimeoutMs: number;
  private readonly name: string;
  private readonly book = new SubscriptionBook();
  private readonly store: SymbolStore;
  private readonly pending: PendingRequests;
  private readonly heartbeat: Heartbeat;
  private socket: WebSocketLike | undefined;
  /** The greeting sent unasked when the socket opened (used if the server cannot negotiate). */
  private greeting: HelloMessage | undefined;
  private attempt = 0;
  private lastSeq = 0;
  private everConnected = false;
  private lostAt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private closedByUser = true;

  constructor(options: ClientOptions) {
    super();
    this.urls = typeof options.url === 'string' ? [options.url] : [...options.url];
    if (this.urls.length === 0) throw new RangeError('at least one url is needed');
    const impl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (impl === undefined) throw new TypeError('no WebSocket available: pass options.WebSocket (e.g. from the "ws" package)');
    this.WebSocketImpl = impl;
    this.encoding = options.encoding ?? 'msgpack';
    this.backoff = options.reconnect ?? DEFAULT_BACKOFF;
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.name = options.name ?? DEFAULT_CLIENT_NAME;
    this.pending = new PendingRequests(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
    this.heartbeat = new Heartbeat(
      options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
      () => this.send({ type: 'ping' }),
      (silentMs) => this.drop(new ClientError('HEARTBEAT_TIMEOUT', `no message from the server for ${silentMs} ms`)),
    );
    this.store = new SymbolStore(options.maxBars ?? DEFAULT_VIEW_BARS, {
      emit: <K extends keyof ClientEvents>(event: K, ...args: ClientEvents[K]) => this.emit(event, ...args),
      listened: (event) => this.hasListeners(event),
      history: (symbol, limit, end) => this.history(symbol, '1s', end === undefined ? { limit } : { limit, end }),
      wanted: (symbol) => this.book.has(symbol) || this.book.has('*'),
    });
  }

  /** Opens the connection (and keeps it open until close()). */
  connect(): void {
    if (this.state !== 'disconnected') return;
    this.closedByUser = false;
    this.closeReason = undefined;
    this.open();
  }

  /** Closes the connection for good: pending requests fail, async iterators end. */
  close(): void {
    this.stop(undefined);
  }

  /** Resolves once connected (now, if already); rejects if the client stops for good first. */
  ready(): Promise<void> {
    if (this.state === 'connected') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const off = this.on('state', ({ newState }) => {
        if (newState === 'connecting') return;
        off();
        if (newState === 'connected') resolve();
        else reject(this.closeReason ?? new ClientError('CLOSED', 'the client was closed'));
      });
    });
  }

  /** The live view of a symbol (its latest state and 1 s bars), once it has had data. */
  view(symbol: string): SymbolView | undefined {
    return this.store.view(symbol);
  }

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
    const answer = await this.request<HistoryMessage>({ type: 'history', id: this.pending.newId(), symbol, interval, ...options });
    return [...answer.bars];
  }

  /** Every symbol the server has, with its metadata (asset class, currency, tick size). */
  async list(): Promise<InstrumentInfo[]> {
    const answer = await this.request<ListMessage>({ type: 'list', id: this.pending.newId() });
    return [...answer.symbols];
  }

  /** Round-trip time to the server, in ms. */
  async ping(): Promise<number> {
    const started = Date.now();
    await this.request({ type: 'ping', id: this.pending.newId() });
    return Date.now() - started;
  }

  // -- subscriptions ---------------------------------------------------------------------------------------

  private readonly streamHost: StreamHost = {
    on: (event, listener) => this.on(event, listener),
    view: (symbol) => this.store.view(symbol),
    views: () => this.store.views(),
    hold: (holder, symbols, options) => {
      this.hold(holder, symbols, options).catch(() => {
        // Failures reach `error` listeners; the stream goes on once the connection is back.
      });
    },
    release: (holder, symbols) => {
      this.release(holder, symbols).catch(() => {});
    },
    closeReason: () => (this.state === 'disconnected' ? (this.closeReason ?? null) : undefined),
  };

  private hold(holder: Holder, symbols: readonly string[], options: SubscribeOptions): Promise<SubscribedMessage> {
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
      if (!this.book.release(symbol, holder)) continue;
      gone.push(symbol);
      this.store.forget(symbol);
      this.emit('subscription', { symbol, oldState: 'subscribed', newState: 'unsubscribed' });
    }
    if (this.state !== 'connected') return undefined;
    const changed = symbols.filter((symbol) => !gone.includes(symbol) && this.book.needsSending(symbol));
    await Promise.all(this.sendSubscribes(changed));
    if (gone.length === 0) return undefined;
    return this.request<UnsubscribedMessage>({ type: 'unsubscribe', id: this.pending.newId(), symbols: gone });
  }

  /** Collects the server's answers about `symbols` from the `subscribed` messages still to come. */
  private answerFor(symbols: readonly string[]): Promise<SubscribedMessage> {
    const waiting = new Set(symbols);
    const accepted: string[] = [];
    const rejected: SubscribedMessage['rejected'][number][] = [];
    return new Promise((resolve) => {
      const check = (): void => {
        if (waiting.size > 0) return;
        off();
        resolve({ type: 'subscribed', symbols: accepted, rejected });
      };
      const off = this.on('message', (message) => {
        if (message.type !== 'subscribed') return;
        for (const symbol of message.symbols) if (waiting.delete(symbol)) accepted.push(symbol);
        for (const rejection of message.rejected) if (waiting.delete(rejection.symbol)) rejected.push(rejection);
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
    return Array.from(groups.values(), ({ options, symbols: group }) =>
      this.request<SubscribedMessage>({ type: 'subscribe', id: this.pending.newId(), symbols: group, ...options }),
    );
  }

  private setSubscription(symbol: string, newState: SubscriptionState): void {
    const oldState = this.book.setState(symbol, newState);
    if (oldState !== undefined && oldState !== newState) this.emit('subscription', { symbol, oldState, newState });
  }

  // -- connection ------------------------------------------------------------------------------------------

  private setState(newState: ConnectionState): void {
    const oldState = this.state;
    if (oldState === newState) return;
    this.state = newState;
    this.emit('state', { oldState, newState });
  }

  private open(): void {
    this.setState('connecting');
    const url = this.urls[this.attempt % this.urls.length]!;
    let socket: WebSocketLike;
    try {
      socket = new this.WebSocketImpl(url, this.encoding === 'json' ? SUBPROTOCOL_JSON : SUBPROTOCOL_MSGPACK);
    } catch (error) {
      this.emit('error', error instanceof Error ? error : new Error(String(error)));
      this.scheduleReconnect();
      return;
    }
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    this.lastSeq = 0;
    this.greeting = undefined;
    this.book.forgetSent();
    this.connectTimer = setTimeout(() => {
      this.drop(new ClientError('CONNECT_TIMEOUT', `${url}: no greeting within ${this.connectTimeoutMs} ms`));
    }, this.connectTimeoutMs);
    socket.onopen = () => this.negotiate();
    socket.onmessage = (event) => this.receive(event.data);
    // The close event that follows an error carries only a code (1006); keep what the error said, where
    // the platform says anything (Node's `ws` does: "connect ECONNREFUSED 127.0.0.1:8080").
    let failure = '';
    socket.onerror = (event) => {
      if (typeof event === 'object' && event !== null && 'message' in event && typeof event.message === 'string' && event.message !== '') {
        failure = `: ${event.message}`;
      }
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      const why = `connection to ${url} closed (${event.code}${event.reason === '' ? '' : ` ${event.reason}`}${failure})`;
      if (event.code === CLOSE_CODES.unsupportedProtocol) this.stop(new ClientError('UNSUPPORTED_PROTOCOL', why));
      else this.lost(new ClientError('DISCONNECTED', why));
    };
  }

  /** States the versions this client speaks; the server answers with the one chosen (docs/protocol.md#versions). */
  private negotiate(): void {
    this.request<HelloMessage>({ type: 'hello', id: this.pending.newId(), protocols: PROTOCOL_VERSIONS, client: this.name }).then(
      (hello) => this.greeted(hello),
      (error: unknown) => {
        // A server that predates negotiation speaks the version of its greeting.
        if (error instanceof RequestFailed && error.answer.code === 'UNKNOWN_TYPE' && this.greeting !== undefined) this.greeted(this.greeting);
        else if (error instanceof RequestFailed && error.answer.code === 'UNSUPPORTED_PROTOCOL') this.stop(new ClientError('UNSUPPORTED_PROTOCOL', error.answer.message));
      },
    );
  }

  private greeted(hello: HelloMessage): void {
    if (!PROTOCOL_VERSIONS.includes(hello.protocol)) {
      this.stop(new ClientError('UNSUPPORTED_PROTOCOL', `the server speaks protocol ${hello.protocol}; this client speaks ${PROTOCOL_VERSIONS.join(', ')}`));
      return;
    }
    clearTimeout(this.connectTimer);
    this.hello = hello;
    this.attempt = 0;
    this.heartbeat.start();
    const reconnected = this.everConnected;
    this.everConnected = true;
    this.setState('connected');
    this.emit('hello', hello);
    if (reconnected) this.recover('reconnect', this.lostAt);
    else for (const answer of this.sendSubscribes(this.book.symbols())) answer.catch((error: unknown) => this.report(error));
  }

  /** Resubscribes everything with snapshots and fills the bars missed; see SymbolStore.recover(). */
  private recover(reason: Recovery['reason'], since: number): void {
    const restoring = this.store.beginRecovery();
    const subscribed = Promise.all(this.sendSubscribes(this.book.symbols(), true));
    // The pong comes after every snapshot the subscriptions caused: the barrier before filling bars.
    const barrier = subscribed.then(() => this.request({ type: 'ping', id: this.pending.newId() }));
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

  /** Drops the current socket as broken (no answer, no greeting) and reconnects. */
  private drop(reason: Error): void {
    this.dropSocket(1000, reason.message.slice(0, 100));
    this.lost(reason);
  }

  /** The connection went away (closed, failed, or silent too long). */
  private lost(reason: Error): void {
    clearTimeout(this.connectTimer);
    this.heartbeat.stop();
    if (this.state === 'connected') this.lostAt = Date.now();
    this.hello = undefined;
    this.pending.failAll(reason);
    for (const symbol of this.book.symbols()) if (this.book.state(symbol) === 'subscribed') this.setSubscription(symbol, 'subscribing');
    if (this.closedByUser) return;
    this.emit('error', reason);
    if (this.backoff === false) this.stop(reason);
    else this.scheduleReconnect();
  }

  /** Stops for good: close() (no reason) or a failure not worth retrying. */
  private stop(reason: Error | undefined): void {
    const wasRunning = !this.closedByUser;
    this.closedByUser = true;
    this.closeReason = reason;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.connectTimer);
    this.reconnectTimer = undefined;
    this.heartbeat.stop();
    this.dropSocket(1000, 'client closed');
    this.hello = undefined;
    this.pending.failAll(reason ?? new ClientError('CLOSED', 'the client was closed'));
    for (const symbol of this.book.symbols()) this.setSubscription(symbol, 'unsubscribed');
    if (reason !== undefined && wasRunning) this.emit('error', reason);
    this.setState('disconnected');
  }

  private scheduleReconnect(): void {
    if (this.closedByUser || this.backoff === false) return;
    this.setState('connecting');
    const delay = fullJitterDelay(this.attempt, this.backoff);
    this.attempt++;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.closedByUser) this.open();
    }, delay);
  }

  private dropSocket(code: number, reason: string): void {
    const socket = this.socket;
    if (socket === undefined) return;
    this.socket = undefined;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onopen = null;
    try {
      socket.close(code, reason);
    } catch {
      // already closing
    }
  }

  // -- messages --------------------------------------------------------------------------------------------

  private receive(data: unknown): void {
    let message: ServerMessage;
    try {
      const decoded = typeof data === 'string' ? decodeText(data) : decodeBinary(new Uint8Array(data as ArrayBuffer));
      message = decoded as ServerMessage;
      if (typeof message !== 'object' || message === null || typeof message.type !== 'string') throw new Error('not a map with a string "type"');
    } catch (error) {
      this.emit('error', new ClientError('BAD_FRAME', `undecodable frame from the server: ${(error as Error).message}`));
      return;
    }
    this.heartbeat.heard();
    switch (message.type) {
      case 'hello':
        if (message.id === undefined) this.greeting = message;
        break;
      case 'snapshot':
        this.store.snapshot(message);
        break;
      case 'update':
        this.onUpdate(message);
        break;
      case 'subscribed':
        for (const symbol of message.symbols) this.setSubscription(symbol, 'subscribed');
        for (const rejection of message.rejected) {
          this.setSubscription(rejection.symbol, 'unsubscribed');
          this.book.drop(rejection.symbol);
        }
        break;
      case 'error':
        if (message.id === undefined || !this.pending.has(message.id)) this.emit('error', message);
        break;
      default:
        // Unknown types come from newer servers: ignored, as docs/protocol.md asks.
        break;
    }
    if ('id' in message && message.id !== undefined) this.pending.settle(message.id, message);
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

  private send(message: ClientMessage): boolean {
    const socket = this.socket;
    if (socket === undefined || socket.readyState !== SOCKET_OPEN) return false;
    socket.send(this.encoding === 'json' ? encodeText(message) : encodeBinary(message));
    return true;
  }

  private request<T extends ServerMessage>(message: ClientMessage & { id: RequestId }): Promise<T> {
    // The greeting exchange itself may go out before the connection counts as connected.
    if (this.state !== 'connected' && message.type !== 'hello') {
      return Promise.reject(new ClientError('DISCONNECTED', `not connected: cannot send ${message.type}`));
    }
    if (!this.send(message)) return Promise.reject(new ClientError('DISCONNECTED', `not connected: cannot send ${message.type}`));
    return this.pending.wait(message.id, message.type) as Promise<T>;
  }

  private report(error: unknown): void {
    this.emit('error', error instanceof Error ? error : new Error(String(error)));
  }
}

/** Creates a client and starts connecting. */
export function connect(options: ClientOptions): TickerClient {
  const client = new TickerClient(options);
  client.connect();
  return client;
}
