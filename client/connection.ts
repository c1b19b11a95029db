/**
 * One logical connection to a tickertape server, across any number of sockets: opening them (rotating
 * through the urls), negotiating the protocol version, the heartbeat, requests and their answers, and
 * reconnecting with full-jitter backoff. What the messages mean is TickerClient's business.
 */
import { withAccessToken, type AccessToken } from './access-token.js';
import { fullJitterDelay, type BackoffOptions } from './backoff.js';
import { ClientError, RequestFailed } from './errors.js';
import { Heartbeat } from './heartbeat.js';
import { PendingRequests } from './pending.js';
import { MAX_FRAME_BYTES } from './request-size.js';
import { TokenBucket } from './token-bucket.js';
import { decodeBinary, decodeText, encodeBinary, encodeText } from './protocol/codec.js';
import {
  CLOSE_CODES,
  PROTOCOL_VERSIONS,
  SUBPROTOCOL_JSON,
  SUBPROTOCOL_MSGPACK,
  type ClientMessage,
  type Encoding,
  type HelloMessage,
  type RequestId,
  type ServerMessage,
} from './protocol/messages.js';
import { SOCKET_OPEN, type WebSocketConstructor, type WebSocketLike } from './socket.js';

/**
 * Requests sent at once before pacing sets in, and per second after, on each connection: under the server's
 * 200 and 50 (docs/protocol.md#limits), which drops what comes faster, leaving room for the heartbeat and for
 * requests bunched up on the way.
 */
export const REQUEST_BURST = 100;
export const REQUESTS_PER_S = 40;

/** A request waiting for its turn to go out. */
interface Queued {
  readonly message: ClientMessage & { id: RequestId };
  readonly frame: Uint8Array | string;
  resolve(answer: ServerMessage): void;
  reject(error: Error): void;
}

/** `connecting` covers both the first attempt and every reconnect; `disconnected` is only before connect() and after stopping. */
export type ConnectionState = 'disconnected' | 'connecting' | 'connected';

/** ClientOptions resolved, defaults filled in. */
export interface ConnectionSettings {
  readonly urls: readonly string[];
  readonly WebSocket: WebSocketConstructor;
  readonly encoding: Encoding;
  readonly backoff: BackoffOptions | false;
  readonly requestTimeoutMs: number;
  readonly heartbeatMs: number;
  readonly connectTimeoutMs: number;
  /** `hello.client`. */
  readonly name: string;
  readonly token: AccessToken | undefined;
}

/**
 * What the connection tells its owner, in this order on a loss: lost, state, error (so `state` says, when the
 * error is told, whether it reconnects, `connecting`, or stopped for good, `disconnected`).
 */
export interface ConnectionHandlers {
  state(oldState: ConnectionState, newState: ConnectionState): void;
  /** A new socket is about to open: per-socket state (seq, what was sent) starts afresh. */
  opening(): void;
  /** The server greeted with the version negotiated; `reconnected` after an earlier connection was lost at `lostAt`. */
  greeted(hello: HelloMessage, reconnected: boolean, lostAt: number): void;
  message(message: ServerMessage): void;
  /** The socket went away (before reconnecting, or before stopping for good). */
  lost(): void;
  error(error: Error): void;
}

/** See the file comment: the socket side of a TickerClient. */
export class Connection {
  state: ConnectionState = 'disconnected';
  /** The server's greeting on the current socket, once negotiated. */
  hello: HelloMessage | undefined;
  /** Why it stopped for good, if not by close(). */
  closeReason: Error | undefined;
  private readonly pending: PendingRequests;
  private readonly heartbeat: Heartbeat;
  private socket: WebSocketLike | undefined;
  /** The greeting sent unasked when the socket opened (used if the server cannot negotiate). */
  private greeting: HelloMessage | undefined;
  private attempt = 0;
  private everConnected = false;
  private lostAt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = true;
  private pacer = new TokenBucket(REQUESTS_PER_S, REQUEST_BURST);
  /** Requests over the pace, in order; sent as tokens come. */
  private queue: Queued[] = [];
  private queueTimer: ReturnType<typeof setTimeout> | undefined;
  /** stop() was called and connect() not since: the client is closed, or failed for good. */
  private ended = false;

  constructor(
    private readonly settings: ConnectionSettings,
    private readonly handlers: ConnectionHandlers,
  ) {
    this.pending = new PendingRequests(settings.requestTimeoutMs);
    this.heartbeat = new Heartbeat(
      settings.heartbeatMs,
      () => this.send({ type: 'ping' }),
      (silentMs) => this.drop(new ClientError('HEARTBEAT_TIMEOUT', `no message from the server for ${silentMs} ms`)),
    );
  }

  connect(): void {
    if (this.state !== 'disconnected') return;
    this.stopped = false;
    this.ended = false;
    this.closeReason = undefined;
    this.open();
  }

  /** Stops for good: close() (no reason) or a failure not worth retrying. */
  stop(reason: Error | undefined): void {
    const wasRunning = !this.stopped;
    this.stopped = true;
    this.ended = true;
    this.closeReason = reason;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.connectTimer);
    this.reconnectTimer = undefined;
    this.heartbeat.stop();
    this.dropSocket(1000, 'client closed');
    this.hello = undefined;
    this.failQueued(reason ?? new ClientError('CLOSED', 'the client was closed'));
    this.pending.failAll(reason ?? new ClientError('CLOSED', 'the client was closed'));
    this.handlers.lost();
    this.setState('disconnected');
    if (reason !== undefined && wasRunning) this.handlers.error(reason);
  }

  /** Whether it stopped for good (close(), or a failure not worth retrying) and was not connected again. */
  get stoppedForGood(): boolean {
    return this.ended;
  }

  newId(): number {
    return this.pending.newId();
  }

  isAwaited(id: RequestId): boolean {
    return this.pending.has(id);
  }

  send(message: ClientMessage): boolean {
    const socket = this.socket;
    if (socket === undefined || socket.readyState !== SOCKET_OPEN) return false;
    // Not held back (a heartbeat must go when due), but counted: the server counts it.
    this.pacer.take();
    socket.send(this.encode(message));
    return true;
  }

  /** Sends a request and waits for its answer (an `error` answer rejects with RequestFailed). */
  request<T extends ServerMessage>(message: ClientMessage & { id: RequestId }): Promise<T> {
    // The greeting exchange itself goes out before the connection counts as connected.
    const socket = this.socket;
    if ((this.state !== 'connected' && message.type !== 'hello') || socket === undefined || socket.readyState !== SOCKET_OPEN) {
      return Promise.reject(new ClientError('DISCONNECTED', `not connected: cannot send ${message.type}`));
    }
    const frame = this.encode(message);
    // The server would close the connection for it (1009): refuse it here, and the connection stays.
    const bytes = typeof frame === 'string' ? new TextEncoder().encode(frame).length : frame.length;
    if (bytes > MAX_FRAME_BYTES) {
      return Promise.reject(new ClientError('FRAME_TOO_LARGE', `${message.type} request of ${bytes} bytes: the server takes at most ${MAX_FRAME_BYTES}`));
    }
    // In order, and no faster than the server takes them (it drops what comes faster: a request lost).
    if (this.queue.length === 0 && this.pacer.take()) {
      socket.send(frame);
      return this.pending.wait(message.id, message.type) as Promise<T>;
    }
    return new Promise<ServerMessage>((resolve, reject) => {
      this.queue.push({ message, frame, resolve, reject });
      this.sendQueuedLater();
    }) as Promise<T>;
  }

  private sendQueuedLater(): void {
    if (this.queueTimer !== undefined || this.queue.length === 0) return;
    this.queueTimer = setTimeout(() => {
      this.queueTimer = undefined;
      this.sendQueued();
    }, this.pacer.delay());
  }

  private sendQueued(): void {
    while (this.queue.length > 0 && this.pacer.take()) {
      const next = this.queue.shift()!;
      const socket = this.socket;
      if (socket === undefined || socket.readyState !== SOCKET_OPEN) {
        next.reject(new ClientError('DISCONNECTED', `not connected: cannot send ${next.message.type}`));
        continue;
      }
      socket.send(next.frame);
      // The answer's wait (and its timeout) starts when the request goes out.
      this.pending.wait(next.message.id, next.message.type).then(next.resolve, next.reject);
    }
    this.sendQueuedLater();
  }

  /** Fails every request not sent yet (the connection they were for is gone). */
  private failQueued(error: Error): void {
    clearTimeout(this.queueTimer);
    this.queueTimer = undefined;
    const queue = this.queue;
    this.queue = [];
    for (const queued of queue) queued.reject(error);
  }

  private encode(message: ClientMessage): Uint8Array | string {
    return this.settings.encoding === 'json' ? encodeText(message) : encodeBinary(message);
  }

  private setState(newState: ConnectionState): void {
    const oldState = this.state;
    if (oldState === newState) return;
    this.state = newState;
    this.handlers.state(oldState, newState);
  }

  private open(): void {
    this.setState('connecting');
    const url = this.settings.urls[this.attempt % this.settings.urls.length]!;
    const token = this.settings.token;
    if (typeof token !== 'function') {
      this.openSocket(url, token);
      return;
    }
    // A fresh token per attempt: a short-lived one may have expired since the last.
    Promise.resolve()
      .then(token)
      .then(
        (fresh) => {
          if (!this.stopped && this.socket === undefined) this.openSocket(url, fresh);
        },
        (error: unknown) => {
          this.handlers.error(new ClientError('DISCONNECTED', `getting a token failed: ${error instanceof Error ? error.message : String(error)}`));
          this.scheduleReconnect();
        },
      );
  }

  private openSocket(url: string, token: string | undefined): void {
    let socket: WebSocketLike;
    try {
      socket = new this.settings.WebSocket(withAccessToken(url, token), this.settings.encoding === 'json' ? SUBPROTOCOL_JSON : SUBPROTOCOL_MSGPACK);
    } catch (error) {
      this.handlers.error(error instanceof Error ? error : new Error(String(error)));
      this.scheduleReconnect();
      return;
    }
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    // The server's rate limit is per connection.
    this.pacer = new TokenBucket(REQUESTS_PER_S, REQUEST_BURST);
    this.greeting = undefined;
    this.handlers.opening();
    this.connectTimer = setTimeout(() => {
      this.drop(new ClientError('CONNECT_TIMEOUT', `${url}: no greeting within ${this.settings.connectTimeoutMs} ms`));
    }, this.settings.connectTimeoutMs);
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
      // A frame over the server's limit (lower than this client's MAX_FRAME_BYTES): the same requests would
      // go out again on every reconnect, so stop instead of looping.
      else if (event.code === CLOSE_CODES.messageTooBig) this.stop(new ClientError('FRAME_TOO_LARGE', `${why}: a request was larger than the server takes`));
      else this.lost(new ClientError('DISCONNECTED', why));
    };
  }

  /** States the versions this client speaks; the server answers with the one chosen (docs/protocol.md#versions). */
  private negotiate(): void {
    this.request<HelloMessage>({ type: 'hello', id: this.pending.newId(), protocols: PROTOCOL_VERSIONS, client: this.settings.name }).then(
      (hello) => this.greeted(hello),
      (error: unknown) => {
        // A lost socket is handled where it closes, a timeout by the connect timer.
        if (!(error instanceof RequestFailed)) return;
        const { code } = error.answer;
        // A server that predates negotiation speaks the version of its greeting.
        if (code === 'UNKNOWN_TYPE' && this.greeting !== undefined) this.greeted(this.greeting);
        else if (code === 'UNSUPPORTED_PROTOCOL') this.stop(new ClientError('UNSUPPORTED_PROTOCOL', error.answer.message));
        // The server failed, or was flooded: another attempt may do better.
        else if (code === 'INTERNAL' || code === 'RATE_LIMITED') this.drop(error);
        // The hello itself was refused (e.g. BAD_FIELD): the same hello would be refused on every attempt.
        else this.stop(error);
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
    this.handlers.greeted(hello, reconnected, this.lostAt);
  }

  /** Drops the current socket as broken (no answer, no greeting) and reconnects. */
  private drop(reason: Error): void {
    this.dropSocket(1000, reason.message.slice(0, 100));
    this.lost(reason);
  }

  /** The socket went away (closed, failed, or silent too long). */
  private lost(reason: Error): void {
    clearTimeout(this.connectTimer);
    this.heartbeat.stop();
    if (this.state === 'connected') this.lostAt = Date.now();
    this.hello = undefined;
    this.failQueued(reason);
    this.pending.failAll(reason);
    this.handlers.lost();
    if (this.stopped) return;
    // stop() tells the error itself, once.
    if (this.settings.backoff === false) {
      this.stop(reason);
      return;
    }
    this.setState('connecting');
    this.handlers.error(reason);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.settings.backoff === false) return;
    this.setState('connecting');
    const delay = fullJitterDelay(this.attempt, this.settings.backoff);
    this.attempt++;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopped) this.open();
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

  private receive(data: unknown): void {
    let message: ServerMessage;
    try {
      const decoded = typeof data === 'string' ? decodeText(data) : decodeBinary(new Uint8Array(data as ArrayBuffer));
      message = decoded as ServerMessage;
      if (typeof message !== 'object' || message === null || typeof message.type !== 'string') throw new Error('not a map with a string "type"');
    } catch (error) {
      this.handlers.error(new ClientError('BAD_FRAME', `undecodable frame from the server: ${(error as Error).message}`));
      return;
    }
    this.heartbeat.heard();
    if (message.type === 'hello' && message.id === undefined) this.greeting = message;
    this.handlers.message(message);
    if ('id' in message && message.id !== undefined) this.pending.settle(message.id, message);
  }
}
