/**
 * tickertape protocol v1: the only place message shapes are defined. The server, the dashboard, the client
 * SDK and Node programs import these; nobody redeclares a frame. Documented with worked examples in
 * docs/protocol.md.
 *
 * Wire: each WebSocket message is one standard MessagePack map (binary frames; the default, or subprotocol
 * `msgpack`) or the same map as JSON text (subprotocol `json`). Every map has a string field `type`.
 * Times are integer milliseconds since the Unix epoch (MessagePack uint64 on the binary wire).
 */

/** The version this module (and docs/protocol.md) describes. */
export const PROTOCOL_VERSION = 1;

/**
 * Every protocol version this module speaks, oldest first. A client states the versions it speaks in a
 * `hello` request and the server answers with the newest one both speak (docs/protocol.md#versions).
 */
export const PROTOCOL_VERSIONS: readonly number[] = [PROTOCOL_VERSION];

/** WebSocket subprotocols the server speaks; with none requested, it speaks MessagePack. */
export const SUBPROTOCOL_MSGPACK = 'msgpack';
export const SUBPROTOCOL_JSON = 'json';
/** How frames are encoded on a connection: MessagePack (binary) or JSON (text). */
export type Encoding = typeof SUBPROTOCOL_MSGPACK | typeof SUBPROTOCOL_JSON;

/** Bar intervals `history` answers; every one is aggregated from 1 s bars (docs/protocol.md#bars). */
export const INTERVALS = ['1s', '5s', '1m', '5m', '15m', '1h'] as const;
/** A bar length `history` answers. */
export type Interval = (typeof INTERVALS)[number];

/** Each interval's length in ms. */
export const INTERVAL_MS: Readonly<Record<Interval, number>> = {
  '1s': 1_000,
  '5s': 5_000,
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
};

/** Whether `value` names an interval (for checking input). */
export function isInterval(value: unknown): value is Interval {
  return typeof value === 'string' && (INTERVALS as readonly string[]).includes(value);
}

/** Longest symbol name by default (docs/protocol.md#limits); a server's operator may set another. */
export const MAX_SYMBOL_LENGTH = 32;
/** Characters of a symbol name: letters, digits and `. _ : / -`, as exchanges and data vendors write them. */
const SYMBOL_CHARACTERS = /^[A-Za-z0-9._:/-]+$/;
/** The rule, in words, for messages. */
export const SYMBOL_NAME_RULE = `1 to ${MAX_SYMBOL_LENGTH} letters, digits or . _ : / -`;

/**
 * Whether `text` is a symbol name: 1 to `maxLength` letters, digits or `. _ : / -`. The one definition:
 * requests, flags and every feed's symbols are checked by it.
 */
export function isSymbolName(text: string, maxLength = MAX_SYMBOL_LENGTH): boolean {
  return text.length > 0 && text.length <= maxLength && SYMBOL_CHARACTERS.test(text);
}

/** A request id chosen by the client and echoed in the answer. */
export type RequestId = number | string;

/**
 * One OHLCV bar: `[time, open, high, low, close, volume]`, `time` being the bar's start (ms since epoch).
 * A tuple rather than a map: bars are the bulk of history answers (Binance klines do the same).
 */
export type Bar = [time: number, open: number, high: number, low: number, close: number, volume: number];

/** Positions in a Bar tuple. */
export const BAR_TIME = 0;
export const BAR_OPEN = 1;
export const BAR_HIGH = 2;
export const BAR_LOW = 3;
export const BAR_CLOSE = 4;
export const BAR_VOLUME = 5;

// ---------------------------------------------------------------------------------------------------------
// Client → server

/**
 * Optional, and first if sent: the protocol versions the client speaks. The server answers with a `hello`
 * carrying this request's `id` and the version chosen, or with `UNSUPPORTED_PROTOCOL` and close code 4002
 * when it speaks none of them. A client that never sends it speaks version 1.
 */
export interface HelloRequest {
  readonly type: 'hello';
  readonly id?: RequestId;
  /** Versions the client speaks (1..16 of them, whole numbers ≥ 1), in any order. */
  readonly protocols: readonly number[];
  /** `name/version` of the client library, for the server's logs. */
  readonly client?: string;
}

/** Adds symbols to the connection's subscriptions, or changes their options. */
export interface SubscribeRequest {
  readonly type: 'subscribe';
  readonly id?: RequestId;
  /** Symbols to add; `*` means every symbol the server has, now and later. */
  readonly symbols: readonly string[];
  /** Include 1 s bars in snapshots and updates for these symbols (default true). */
  readonly bars?: boolean;
  /** Send a snapshot per accepted symbol before its updates (default true). */
  readonly snapshot?: boolean;
  /** Most updates per second per symbol (Lightstreamer's maxFrequency); absent = every flush. */
  readonly maxRate?: number;
}

/** Removes symbols from the connection's subscriptions. */
export interface UnsubscribeRequest {
  readonly type: 'unsubscribe';
  readonly id?: RequestId;
  readonly symbols: readonly string[];
}

/** Asks for bars of one symbol at one interval. */
export interface HistoryRequest {
  readonly type: 'history';
  readonly id?: RequestId;
  readonly symbol: string;
  readonly interval: Interval;
  /** Most bars to return, newest last (default and maximum in docs/protocol.md). */
  readonly limit?: number;
  /** Only bars that start before this time (ms); absent = up to now, including the forming bar. */
  readonly end?: number;
}

/** Asks for a `pong`: a round trip, and a sign of life. */
export interface PingRequest {
  readonly type: 'ping';
  readonly id?: RequestId;
}

/** Asks for every symbol with its metadata. */
export interface ListRequest {
  readonly type: 'list';
  readonly id?: RequestId;
}

/** What a `replay` request asks: `state` only reads; the others change the replay for every connection. */
export const REPLAY_ACTIONS = ['state', 'pause', 'resume', 'speed', 'seek'] as const;
export type ReplayAction = (typeof REPLAY_ACTIONS)[number];

/** A multiple of real time (e.g. 10 = ten seconds of market time a second), or `max`: as fast as the server goes. */
export type ReplaySpeed = number | 'max';

/** Controls a replay (only when `hello.feed.kind` is `replay`; other feeds answer UNSUPPORTED). */
export interface ReplayRequest {
  readonly type: 'replay';
  readonly id?: RequestId;
  readonly action: ReplayAction;
  /** With `speed`: the new speed (docs/protocol.md#replay gives the range). */
  readonly speed?: ReplaySpeed;
  /** With `seek`: the event time (ms) to go to; clamped to the replay's span. */
  readonly time?: number;
}

/** Everything a client may send. */
export type ClientMessage = HelloRequest | SubscribeRequest | UnsubscribeRequest | HistoryRequest | PingRequest | ListRequest | ReplayRequest;
/** The `type` of a request. */
export type ClientMessageType = ClientMessage['type'];

// ---------------------------------------------------------------------------------------------------------
// Server → client

/** What the server is playing: a simulation, a replay or a live feed. */
export interface FeedDescription {
  readonly kind: 'simulated' | 'replay' | 'live';
  readonly description: string;
}

/**
 * The server's greeting: sent first on every connection (without `id`; the connection then speaks
 * `protocol`), and again as the answer to a `hello` request (with its `id` and the version chosen).
 */
export interface HelloMessage {
  readonly type: 'hello';
  readonly id?: RequestId;
  /** The version this connection speaks from now on. */
  readonly protocol: number;
  /** Every version the server speaks. */
  readonly protocols: readonly number[];
  /** `tickertape/<version>` */
  readonly server: string;
  readonly feed: FeedDescription;
  /** How often updates are flushed. */
  readonly flushMs: number;
  /** Server clock at send time. */
  readonly time: number;
  readonly intervals: readonly Interval[];
}

/** A symbol a `subscribe` did not add, and why. */
export interface Rejection {
  readonly symbol: string;
  readonly code: ErrorCode;
  readonly message: string;
}

/** The answer to `subscribe`. */
export interface SubscribedMessage {
  readonly type: 'subscribed';
  readonly id?: RequestId;
  readonly symbols: readonly string[];
  readonly rejected: readonly Rejection[];
}

/** The answer to `unsubscribe`: the symbols that were subscribed and now are not. */
export interface UnsubscribedMessage {
  readonly type: 'unsubscribed';
  readonly id?: RequestId;
  readonly symbols: readonly string[];
}

/**
 * The state of one symbol, or what changed in it. Keys are one letter because these are the bulk of the
 * traffic (the exchanges' habit: Binance streams use `s`, `p`, `E`). In an `update`, a key is present only
 * when its value changed since this connection's previous update of the symbol, and every value is
 * absolute (never a difference), so applying an entry twice is harmless. In a `snapshot`, every known key is
 * present. An entry the client decodes may hold every key, undefined where the wire has none (binary update
 * frames, update-frame.ts; JSON and other frames hold only the keys sent): test a key with `!== undefined`.
 */
export interface SymbolEntry {
  /** Symbol. */
  readonly s: string;
  /** Event time of the last trade (ms). */
  readonly t?: number;
  /** Last trade price. */
  readonly p?: number;
  /** Best bid. */
  readonly b?: number;
  /** Best ask. */
  readonly a?: number;
  /** Session open: the first trade price of the session (the UTC day, by event time). */
  readonly o?: number;
  /** Session high. */
  readonly h?: number;
  /** Session low. */
  readonly l?: number;
  /** Session volume (base units). */
  readonly v?: number;
  /** Session start (ms); present with `o`, changes when a new session begins. */
  readonly d?: number;
  /**
   * 1 s bars: in an update, every bar that changed since the previous update (usually the forming bar, and
   * the one just closed when a second boundary passed), oldest first, each complete; replace bars by time.
   * In a snapshot, the most recent bars.
   */
  readonly k?: readonly Bar[];
}

/** The whole state of one symbol: replace what you hold for it. */
export interface SnapshotMessage {
  readonly type: 'snapshot';
  readonly symbol: string;
  readonly data: SymbolEntry;
}

/** One flush's changes of the subscribed symbols. */
export interface UpdateMessage {
  readonly type: 'update';
  /** Per connection: the first update is 1, each next one is exactly one more. A jump means a lost frame. */
  readonly seq: number;
  /** Server clock when the frame was built. */
  readonly time: number;
  readonly updates: readonly SymbolEntry[];
}

/** The answer to `history`. */
export interface HistoryMessage {
  readonly type: 'history';
  readonly id?: RequestId;
  readonly symbol: string;
  readonly interval: Interval;
  readonly bars: readonly Bar[];
}

/** The answer to `ping`. */
export interface PongMessage {
  readonly type: 'pong';
  readonly id?: RequestId;
  readonly time: number;
}

/** A symbol and what it is. */
export interface InstrumentInfo {
  readonly symbol: string;
  readonly name: string;
  readonly assetClass: 'equity' | 'crypto' | 'other';
  readonly currency: string;
  readonly tickSize: number;
}

/** The answer to `list`. */
export interface ListMessage {
  readonly type: 'list';
  readonly id?: RequestId;
  readonly symbols: readonly InstrumentInfo[];
}

/** The answer to a request the server could not carry out; the connection stays open. */
export interface ErrorMessage {
  readonly type: 'error';
  readonly id?: RequestId;
  readonly code: ErrorCode;
  readonly message: string;
}

export type ReplayState = 'playing' | 'paused' | 'seeking' | 'ended' | 'failed';

export interface ReplayFile {
  /** The file's name (no folder). */
  readonly name: string;
  /** The format it is read as (docs/feeds.md). */
  readonly format: string;
}

/**
 * Where a replay stands. Sent after `hello` when the feed is a replay, to every connection whenever it
 * changes (and every second while it plays), and as the answer to a `replay` request (with its id).
 */
export interface ReplayMessage {
  readonly type: 'replay';
  readonly id?: RequestId;
  readonly state: ReplayState;
  /** The replay clock: the event time (ms) the replay has reached. Absent when the files hold no tick. */
  readonly position?: number;
  /** Server clock when `position` was read; while `playing` at a number speed, position grows by speed × elapsed. */
  readonly time: number;
  readonly speed: ReplaySpeed;
  /** Paused by a request (a `seeking` or `ended` replay may be paused too). */
  readonly paused: boolean;
  readonly loop: boolean;
  /** Event time of the first and last tick of the replay; `end` is absent until the server has found it. */
  readonly start?: number;
  readonly end?: number;
  /** Share of the files read so far in this pass, 0..1. */
  readonly progress: number;
  /**
   * How many times the replay went back in time (a seek back, a loop). When it grows, state built from
   * earlier messages is void: every subscription is sent a fresh snapshot, and `history` answers change.
   */
  readonly rewinds: number;
  readonly files: readonly ReplayFile[];
  /** Why the replay stopped, when `state` is `failed` (e.g. `BAD_LINE`, `data.csv:12: bad price: "abc"`). */
  readonly error?: { readonly code: string; readonly message: string };
}

/** A live feed's connection to one venue: `live` streams; the others mean its symbols are stale. */
export type VenueLinkState = 'connecting' | 'subscribing' | 'live' | 'waiting' | 'stopped';

export interface VenueStatus {
  /** `binance`, `coinbase`. */
  readonly venue: string;
  readonly state: VenueLinkState;
  /** Server clock when `state` last changed. */
  readonly since: number;
  /** Connections lost and opened again. */
  readonly reconnects: number;
  /** Planned connection replacements (Binance's 24-hour limit), which lose nothing. */
  readonly replacements: number;
  /** The venue's last complaint or the reason the connection was lost, when there is one. */
  readonly error?: string;
}

/** One symbol of a live feed: whether its data is current and complete. */
export interface SymbolStatus {
  /** Symbol. */
  readonly s: string;
  /** Its venue's connection is down or resubscribing: the last price may be old. */
  readonly stale: boolean;
  /** Times trades were found missing (a jump in the venue's trade ids): its bars then lack trades. */
  readonly gaps: number;
  /** Trades known missing in all. */
  readonly missed: number;
  /** Server clock when the last gap was found. */
  readonly gapAt?: number;
}

/**
 * How a live feed stands (docs/protocol.md#feed-status): sent after `hello` when `hello.feed.kind` is `live`,
 * and to every connection when a connection's state changes or a gap is found (at most every 250 ms).
 * Every symbol of the feed is listed, subscribed or not: it is a short list that changes rarely.
 */
export interface FeedStatusMessage {
  readonly type: 'feed';
  /** Server clock when sent. */
  readonly time: number;
  readonly venues: readonly VenueStatus[];
  readonly symbols: readonly SymbolStatus[];
}

/** Everything a server may send. */
export type ServerMessage =
  | HelloMessage
  | SubscribedMessage
  | UnsubscribedMessage
  | SnapshotMessage
  | UpdateMessage
  | HistoryMessage
  | PongMessage
  | ListMessage
  | ReplayMessage
  | FeedStatusMessage
  | ErrorMessage;
/** The `type` of a server message. */
export type ServerMessageType = ServerMessage['type'];

// ---------------------------------------------------------------------------------------------------------
// Errors and close codes

/** Stable error codes; the message beside them is for people and may change. */
export const ERROR_CODES = [
  /** The frame is not a MessagePack (or JSON) map with a string `type`. */
  'BAD_FRAME',
  /** `type` names no request this server knows. */
  'UNKNOWN_TYPE',
  /** A field is missing or has the wrong type or range; the message names it. */
  'BAD_FIELD',
  /** No such symbol on this server. */
  'UNKNOWN_SYMBOL',
  /** The connection would hold more symbols than the server allows. */
  'TOO_MANY_SYMBOLS',
  /** Requests arrive faster than the server allows. */
  'RATE_LIMITED',
  /** The request does not apply to this server's feed (replay controls on a live or simulated feed). */
  'UNSUPPORTED',
  /** The server failed; the request may be retried. */
  'INTERNAL',
  /** The `hello` request names no protocol version the server speaks; the server then closes with 4002. */
  'UNSUPPORTED_PROTOCOL',
] as const;
/** A stable error code. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** WebSocket close codes the server uses (RFC 6455 §7.4 plus the private 4000–4999 range). */
export const CLOSE_CODES = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  unsupportedData: 1003,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
  serviceRestart: 1012,
  /** The client could not keep up for too long; reconnect (with backoff) and resubscribe. */
  slowConsumer: 4000,
  /** Client and server speak no common protocol version: do not reconnect (docs/protocol.md#versions). */
  unsupportedProtocol: 4002,
} as const;
