import type { AccessToken } from './access-token.js';
import type { BackoffOptions } from './backoff.js';
import type { Encoding } from './protocol/messages.js';
import type { WebSocketConstructor } from './socket.js';

/** How to connect; everything but `url` has a default (docs/client.md#options). */
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
  /**
   * For a server with auth on (docs/operations.md#auth): the token, or a function called before each
   * connection attempt for a fresh one. Sent as `?access_token=` (browsers cannot set headers).
   */
  readonly token?: AccessToken;
  /** Names this program in the server's logs (`hello.client`), e.g. `my-bot/1.2`; at most MAX_CLIENT_NAME_LENGTH characters. */
  readonly name?: string;
}

/** How long a request waits for its answer. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** Silence before a ping; twice this and the server is taken for dead. */
export const DEFAULT_HEARTBEAT_MS = 5_000;
/** From opening a socket to the answer to `hello`. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Longest `name` the server takes (docs/protocol.md#hello). */
export const MAX_CLIENT_NAME_LENGTH = 64;
/** `hello.client` unless `name` says otherwise. */
export const DEFAULT_CLIENT_NAME = 'tickertape-js';
