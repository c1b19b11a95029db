import { DEFAULT_BACKOFF, fullJitterDelay, type BackoffOptions } from './backoff.js';
import { Emitter } from './emitter.js';
import { decodeBinary, decodeText, encodeBinary, encodeText } from './protocol/codec.js';
import {
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
  type PongMessage,
  type RequestId,
  type ServerMessage,
  type SnapshotMessage,
  type SubscribedMessage,
  type SymbolEntry,
  type UnsubscribedMessage,
  type UpdateMessage,
} from './protocol/messages.js';
import { DEFAULT_VIEW_BARS, SymbolView } from './symbol-view.js';

export type ConnectionState = 'disconnected' | 'connecting' | 'connected';
export type SubscriptionState = 'unsubscribed' | 'subscribing' | 'subscribed';

/**
 * An event handler property. Declared through a method so its parameter is checked bivariantly: the
 * browser's and `ws`'s sockets type these handlers with their own, richer event classes.
 */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** What a WebSocket must offer: the browser's WebSocket and the `ws` package's both do. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
  send(data: Uint8Array | string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export interface SubscribeOptions {
  /** Carry 1 s bars in snapshots and updates (default true). */
  readonly bars?: boolean;
  /** Ask for a snapshot before updates (default true). */
  readonly snapshot?: boolean;
  /** Most updates per second per symbol; absent = every flush. */
  readonly maxRate?: number;
}

export interface ClientOptions {
  /** `ws://host:port/ws`; with several, reconnects rotate through them. */
  readonly url: string | readonly string[];
  /** The WebSocket constructor: the browser's by default; pass `ws`'s in Node 20. */
  readonly WebSocket?: WebSocketConstructor;
  /** `msgpack` (default) or `json`. */
  readonly encoding?: Encoding;
  /** Reconnect delays; `false` never reconnects. */
  readonly reconnect?: BackoffOptions | false;
  /** How long a request may wait for its answer. */
  readonly requestTimeoutMs?: number;
  /** With nothing received for this long, the client pings; with nothing for twice this, it reconnects. */
  readonly heartbeatMs?: number;
  /** 1 s bars kept per symbol view. */
  readonly maxBars?: number;
}

export interface StateChange<S> {
  readonly oldState: S;
  readonly newState: S;
}

export interface SubscriptionChange extends StateChange<SubscriptionState> {
  readonly symbol: string;
}

export interface Gap {
  readonly expected: number;
  readonly received: number;
}

export interface ClientEvents {
  state: [StateChange<ConnectionState>];
  subscription: [SubscriptionChange];
  hello: [HelloMessage];
  /** A symbol's view was replaced by a snapshot. */
  snapshot: [SymbolView, SnapshotMessage];
  /** A symbol's view merged one update entry. */
  update: [SymbolView, SymbolEntry];
  /** A whole update frame was merged (after its `update` events). */
  frame: [UpdateMessage];
  /** A frame was lost (seq jumped); the client resubscribes to recover. */
  gap: [Gap];
  /** An error answer from the server, or a failure of the connection. */
  error: [ErrorMessage | Error];
  /** Every message received, after the client has handled it. */
  message: [ServerMessage];
}

export class RequestFailed extends Error {
  constructor(readonly answer: ErrorMessage) {
    super(`${answer.code}: ${answer.message}`);
  }
}

interface Pending {
  resolve(message: ServerMessage): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

interface Wanted {
  options: SubscribeOptions;
  state: SubscriptionState;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const DEFAULT_HEARTBEAT_MS = 5_000;
const OPEN = 1;

/**
 * A tickertape connection as an explicit state machine (centrifuge-js's design): the connection is
 * disconnected, connecting or connected, and each subscription unsubscribed, subscribing or subscribed;
 * every change goes through setState()/setSubscription() and is announced as {oldState, newState}.
 *
 * It reconnects with full-jitter backoff, resubscribes everything on each new connection (snapshots
 * restore each view), and treats a jump in `seq` as a lost frame, recovering the same way.
 */
export class TickerClient extends Emitter<ClientEvents> {
  state: ConnectionState = 'disconnected';
  /** The server's greeting on the current connection. */
  hello: HelloMessage | undefined;
  private readonly urls: readonly string[];
  private readonly WebSocketImpl: WebSocketConstructor;
  private readonly encoding: Encoding;
  private readonly backoff: BackoffOptions | false;
  private readonly requestTimeoutMs: number;
  private readonly heartbeatMs: number;
  private readonly maxBars: number;
  private readonly wanted = new Map<string, Wanted>();
  private readonly views = new Map<string, SymbolView>();
  private readonly pending = new Map<RequestId, Pending>();
  private socket: WebSocketLike | undefined;
  private nextId = 1;
  private attempt = 0;
  private lastSeq = 0;
  private lastMessageAt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
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
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.maxBars = options.maxBars ?? DEFAULT_VIEW_BARS;
  }

  /** Opens the connection (and keeps it open until close()). */
  connect(): void {
    if (this.state !== 'disconnected') return;
    this.closedByUser = false;
    this.open();
  }

  /** Closes the connection for good; pending requests fail. */
  close(): void {
    this.closedByUser = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.dropSocket(1000, 'client closed');
    this.failPending(new Error('client closed'));
    for (const symbol of this.wanted.keys()) this.setSubscription(symbol, 'unsubscribed');
    this.setState('disconnected');
  }

  /** Resolves once connected (now, if already). */
  ready(): Promise<void> {
    if (this.state === 'connected') return Promise.resolve();
    return new Promise((resolve) => {
      const off = this.on('state', ({ newState }) => {
        if (newState === 'connected') {
          off();
          resolve();
        }
      });
    });
  }

  view(symbol: string): SymbolView | undefined {
    return this.views.get(symbol);
  }

  subscriptionState(symbol: string): SubscriptionState {
    return this.wanted.get(symbol)?.state ?? 'unsubscribed';
  }

  /** Symbols this client wants, with their options; kept across reconnects. */
  subscriptions(): ReadonlyMap<string, SubscribeOptions> {
    return new Map(Array.from(this.wanted, ([symbol, wanted]) => [symbol, wanted.options]));
  }

  /**
   * Subscribes to symbols (or `*`). Resolves with the server's answer on the current connection; if not
   * connected yet, the subscription is sent when the connection opens and the promise waits for it.
   */
  subscribe(symbols: readonly string[], options: SubscribeOptions = {}): Promise<SubscribedMessage> {
    for (const symbol of symbols) {
      this.wanted.set(symbol, { options, state: this.wanted.get(symbol)?.state ?? 'unsubscribed' });
      this.setSubscription(symbol, 'subscribing');
    }
    if (this.state === 'connected') return this.sendSubscribe(symbols, options);
    // The subscription goes out with everything else when the connection opens (resubscribeAll).
    return this.answerFor(symbols);
  }

  /** Collects the server's answers about `symbols` from the `subscribed` messages still to come. */
  private answerFor(symbols: readonly string[]): Promise<SubscribedMessage> {
    const waiting = new Set(symbols);
    const accepted: string[] = [];
    const rejected: SubscribedMessage['rejected'][number][] = [];
    return new Promise((resolve) => {
      const off = this.on('message', (message) => {
        if (message.type !== 'subscribed') return;
        for (const symbol of message.symbols) if (waiting.delete(symbol)) accepted.push(symbol);
        for (const rejection of message.rejected) if (waiting.delete(rejection.symbol)) rejected.push(rejection);
        if (waiting.size === 0) {
          off();
          resolve({ type: 'subscribed', symbols: accepted, rejected });
        }
      });
    });
  }

  unsubscribe(symbols: readonly string[]): Promise<UnsubscribedMessage | undefined> {
    for (const symbol of symbols) {
      this.wanted.delete(symbol);
      this.views.delete(symbol);
      this.setSubscription(symbol, 'unsubscribed');
    }
    if (this.state !== 'connected') return Promise.resolve(undefined);
    return this.request<UnsubscribedMessage>({ type: 'unsubscribe', id: this.newId(), symbols });
  }

  /** Bars of `interval`, oldest first, aggregated by the server from 1 s bars. */
  async history(symbol: string, interval: Interval, options: { limit?: number; end?: number } = {}): Promise<Bar[]> {
    const answer = await this.request<HistoryMessage>({ type: 'history', id: this.newId(), symbol, interval, ...options });
    return [...answer.bars];
  }

  async list(): Promise<InstrumentInfo[]> {
    const answer = await this.request<ListMessage>({ type: 'list', id: this.newId() });
    return [...answer.symbols];
  }

  /** Round-trip time to the server, in ms. */
  async ping(): Promise<number> {
    const started = Date.now();
    await this.request<PongMessage>({ type: 'ping', id: this.newId() });
    return Date.now() - started;
  }

  // -- connection ------------------------------------------------------------------------------------------

  private setState(newState: ConnectionState): void {
    const oldState = this.state;
    if (oldState === newState) return;
    this.state = newState;
    this.emit('state', { oldState, newState });
  }

  private setSubscription(symbol: string, newState: SubscriptionState): void {
    const wanted = this.wanted.get(symbol);
    const oldState = wanted?.state ?? 'unsubscribed';
    if (wanted !== undefined) wanted.state = newState;
    if (oldState !== newState) this.emit('subscription', { symbol, oldState, newState });
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
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.lost(new Error(`connection closed (${event.code}${event.reason === '' ? '' : ` ${event.reason}`})`));
    };
    socket.onerror = () => {
      // A close event always follows; it carries the code.
    };
  }

  /** The connection went away (closed, failed, or silent too long). */
  private lost(reason: Error): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    this.hello = undefined;
    this.failPending(reason);
    for (const [symbol, wanted] of this.wanted) if (wanted.state === 'subscribed') this.setSubscription(symbol, 'subscribing');
    if (this.closedByUser) return;
    this.emit('error', reason);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closedByUser) return;
    if (this.backoff === false) {
      this.setState('disconnected');
      return;
    }
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

  private startHeartbeat(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => {
      const silent = Date.now() - this.lastMessageAt;
      if (silent > 2 * this.heartbeatMs) {
        this.dropSocket(4001, 'heartbeat timeout');
        this.lost(new Error(`no message from the server for ${silent} ms`));
      } else if (silent > this.heartbeatMs) {
        this.send({ type: 'ping' });
      }
    }, this.heartbeatMs / 2);
  }

  // -- messages --------------------------------------------------------------------------------------------

  private receive(data: unknown): void {
    let message: ServerMessage;
    try {
      const decoded = typeof data === 'string' ? decodeText(data) : decodeBinary(new Uint8Array(data as ArrayBuffer));
      message = decoded as ServerMessage;
      if (typeof message !== 'object' || message === null || typeof message.type !== 'string') throw new Error('not a message');
    } catch (error) {
      this.emit('error', new Error(`undecodable frame from the server: ${(error as Error).message}`));
      return;
    }
    this.lastMessageAt = Date.now();
    switch (message.type) {
      case 'hello':
        this.onHello(message);
        break;
      case 'snapshot':
        this.onSnapshot(message);
        break;
      case 'update':
        this.onUpdate(message);
        break;
      case 'subscribed':
        for (const symbol of message.symbols) if (this.wanted.has(symbol)) this.setSubscription(symbol, 'subscribed');
        for (const rejection of message.rejected) {
          this.wanted.delete(rejection.symbol);
          this.setSubscription(rejection.symbol, 'unsubscribed');
        }
        break;
      case 'error':
        if (message.id === undefined || !this.pending.has(message.id)) this.emit('error', message);
        break;
      default:
        break;
    }
    if ('id' in message && message.id !== undefined) this.settle(message.id, message);
    this.emit('message', message);
  }

  private onHello(message: HelloMessage): void {
    this.hello = message;
    this.attempt = 0;
    this.startHeartbeat();
    this.setState('connected');
    this.emit('hello', message);
    this.resubscribeAll();
  }

  private onSnapshot(message: SnapshotMessage): void {
    let view = this.views.get(message.symbol);
    if (view === undefined) {
      view = new SymbolView(message.symbol, this.maxBars);
      this.views.set(message.symbol, view);
    }
    view.reset(message.data);
    this.emit('snapshot', view, message);
  }

  private onUpdate(message: UpdateMessage): void {
    if (this.lastSeq !== 0 && message.seq !== this.lastSeq + 1) {
      this.emit('gap', { expected: this.lastSeq + 1, received: message.seq });
      this.lastSeq = message.seq;
      // Snapshots of everything restore exact state; entries in this frame are applied first and then
      // overwritten by the snapshots, so nothing is lost either way.
      this.resubscribeAll();
    }
    this.lastSeq = message.seq;
    for (const entry of message.updates) {
      let view = this.views.get(entry.s);
      if (view === undefined) {
        view = new SymbolView(entry.s, this.maxBars);
        this.views.set(entry.s, view);
      }
      view.apply(entry);
      this.emit('update', view, entry);
    }
    this.emit('frame', message);
  }

  /** Sends every wanted subscription again, grouped by identical options. */
  private resubscribeAll(): void {
    const byOptions = new Map<string, { options: SubscribeOptions; symbols: string[] }>();
    for (const [symbol, wanted] of this.wanted) {
      const key = JSON.stringify(wanted.options);
      let group = byOptions.get(key);
      if (group === undefined) {
        group = { options: wanted.options, symbols: [] };
        byOptions.set(key, group);
      }
      group.symbols.push(symbol);
      this.setSubscription(symbol, 'subscribing');
    }
    for (const { options, symbols } of byOptions.values()) {
      this.sendSubscribe(symbols, options).catch((error: unknown) => {
        this.emit('error', error instanceof Error ? error : new Error(String(error)));
      });
    }
  }

  private sendSubscribe(symbols: readonly string[], options: SubscribeOptions): Promise<SubscribedMessage> {
    return this.request<SubscribedMessage>({ type: 'subscribe', id: this.newId(), symbols, ...options });
  }

  private newId(): number {
    return this.nextId++;
  }

  private send(message: ClientMessage): boolean {
    const socket = this.socket;
    if (socket === undefined || socket.readyState !== OPEN) return false;
    socket.send(this.encoding === 'json' ? encodeText(message) : encodeBinary(message));
    return true;
  }

  private request<T extends ServerMessage>(message: ClientMessage & { id: RequestId }): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (!this.send(message)) {
        reject(new Error(`not connected: cannot send ${message.type}`));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(message.id);
        reject(new Error(`${message.type} request ${message.id} timed out after ${this.requestTimeoutMs} ms`));
      }, this.requestTimeoutMs);
      this.pending.set(message.id, {
        resolve: (answer) => resolve(answer as T),
        reject,
        timer,
      });
    });
  }

  private settle(id: RequestId, message: ServerMessage): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    if (message.type === 'error') pending.reject(new RequestFailed(message));
    else pending.resolve(message);
  }

  private failPending(error: Error): void {
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.pending.clear();
  }
}

/** Creates a client and starts connecting. */
export function connect(options: ClientOptions): TickerClient {
  const client = new TickerClient(options);
  client.connect();
  return client;
}
