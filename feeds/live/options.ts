/**
 * What a live feed is told: which venues, which of their symbols under which tickertape names, where to
 * connect, and the limits each venue's rules impose. `--feed binance:BTCUSDT,ETHUSDT` and
 * `--feed coinbase:BTC-USD` parse into this (parseFeedSpec); every limit is a named constant with its unit.
 */
import type { BackoffOptions } from '../../client/backoff.js';
import { isSymbolName, SYMBOL_NAME_RULE } from '../../client/protocol/messages.js';
import { binanceSymbol, coinbaseSymbol } from '../exchanges/symbols.js';

export const VENUES = ['binance', 'coinbase'] as const;
export type Venue = (typeof VENUES)[number];

/** Public market-data endpoints (no key needed). Binance's path `/stream` is added by the connector. */
export const DEFAULT_ENDPOINTS: Readonly<Record<Venue, string>> = {
  binance: 'wss://stream.binance.com:9443',
  coinbase: 'wss://ws-feed.exchange.coinbase.com',
};
/** The environment variables that override the endpoints (the flags `--binance-url`, `--coinbase-url` win). */
export const ENDPOINT_ENV: Readonly<Record<Venue, string>> = { binance: 'BINANCE_WS_URL', coinbase: 'COINBASE_WS_URL' };

/**
 * Binance cuts every connection 24 hours after it opened; the connector opens a replacement this long after
 * the current one opened (10 minutes to spare) and switches over with no gap (docs/feeds.md#live).
 */
export const BINANCE_REPLACE_AFTER_MS = 24 * 3_600_000 - 10 * 60_000;
/** While a replacement warms up both connections run this long, so the new one surely covers the old one's end. */
export const SWITCH_OVERLAP_MS = 5_000;
/** Messages a warming replacement may hold back; reaching it switches over at once (the buffer never grows past it). */
export const MAX_SWITCH_BUFFER_MESSAGES = 100_000;
/** Binance: at most 5 messages per second from a client on one connection (SUBSCRIBE, UNSUBSCRIBE, pongs). */
export const BINANCE_CONTROL_MESSAGES_PER_S = 5;
/** Binance: streams on one connection at most; each symbol takes two (trade and bookTicker). */
export const BINANCE_MAX_STREAMS_PER_CONNECTION = 1_024;
/** Streams named in one SUBSCRIBE message; more go in further messages, paced by the control rate. */
export const BINANCE_STREAMS_PER_SUBSCRIBE = 200;
/** Coinbase closes a connection that has not subscribed within 5 s of opening. */
export const COINBASE_SUBSCRIBE_DEADLINE_MS = 5_000;
/** A subscription unanswered this long: the connection is treated as broken and replaced. */
export const SUBSCRIBE_ACK_TIMEOUT_MS = 10_000;
/**
 * No frame at all for this long (messages, pings, heartbeats): the connection is dead even if TCP has not
 * noticed. Binance pings every 20 s and quotes stream constantly; Coinbase sends heartbeats every second.
 */
export const SILENCE_TIMEOUT_MS: Readonly<Record<Venue, number>> = { binance: 60_000, coinbase: 15_000 };
/** Reconnect delays: full jitter, from up to 0.5 s doubling to at most 30 s (client/backoff.ts). */
export const LIVE_BACKOFF: BackoffOptions = { minDelayMs: 500, maxDelayMs: 30_000 };
/** Ticks held between the sockets and the market; at this many the sockets stop being read until it halves. */
export const MAX_QUEUED_TICKS = 20_000;
/** Symbols one `--feed` may name (Binance: 1024 streams per connection, two per symbol). */
export const MAX_SYMBOLS_PER_FEED = 500;
/** Longest live message accepted; Binance and Coinbase market-data messages are well under 2 KiB. */
export const MAX_LIVE_MESSAGE_BYTES = 1_048_576;

/** One symbol of a venue and the name tickertape shows it under. */
export interface LiveSymbol {
  /** As the venue writes it: `ETHUSDT`, `BTC-USD`. */
  readonly venue: string;
  /** The tickertape symbol: the shared mapping (feeds/exchanges/symbols.ts) unless renamed (`ETHUSDT=ETH`). */
  readonly symbol: string;
  /** The shared mapping's name, which the normalizers produce. */
  readonly mapped: string;
}

/** One `--feed VENUE:SYMBOLS`. */
export interface VenueFeed {
  readonly venue: Venue;
  readonly symbols: readonly LiveSymbol[];
}

export interface LiveFeedOptions {
  readonly feeds: readonly VenueFeed[];
  /** WebSocket base URL per venue (DEFAULT_ENDPOINTS unless configured). */
  readonly endpoints: Readonly<Record<Venue, string>>;
  /** Binance: replace a connection this long after it opened. */
  readonly replaceAfterMs: number;
  /** How long a replacement and the connection it replaces run side by side. */
  readonly switchOverlapMs: number;
  readonly backoff: BackoffOptions;
  /** Silence before a connection is declared dead, per venue. */
  readonly silenceTimeoutMs: Readonly<Record<Venue, number>>;
  readonly subscribeAckTimeoutMs: number;
}

export const DEFAULT_LIVE_OPTIONS: Omit<LiveFeedOptions, 'feeds'> = {
  endpoints: DEFAULT_ENDPOINTS,
  replaceAfterMs: BINANCE_REPLACE_AFTER_MS,
  switchOverlapMs: SWITCH_OVERLAP_MS,
  backoff: LIVE_BACKOFF,
  silenceTimeoutMs: SILENCE_TIMEOUT_MS,
  subscribeAckTimeoutMs: SUBSCRIBE_ACK_TIMEOUT_MS,
};

export class FeedSpecError extends Error {
  readonly code = 'BAD_FEED';
}

const VENUE_SYMBOL: Readonly<Record<Venue, RegExp>> = {
  binance: /^[A-Za-z0-9]{2,20}$/,
  coinbase: /^[A-Z0-9]{1,12}-[A-Z0-9]{1,12}$/,
};

const MAPPING: Readonly<Record<Venue, (name: string) => string>> = { binance: binanceSymbol, coinbase: coinbaseSymbol };

function isVenue(text: string): text is Venue {
  return (VENUES as readonly string[]).includes(text);
}

/**
 * `binance:BTCUSDT,ETHUSDT=ETHER` → the venue and its symbols. Each symbol is the venue's name, optionally
 * `=NAME` to show it under another tickertape name; otherwise the shared mapping names it (BTCUSDT →
 * BTC-USDT), the same one the capture readers use.
 */
export function parseFeedSpec(spec: string): VenueFeed {
  const colon = spec.indexOf(':');
  const venue = colon < 0 ? spec : spec.slice(0, colon);
  if (!isVenue(venue)) throw new FeedSpecError(`--feed "${spec}": the venue must be one of ${VENUES.join(', ')} (e.g. binance:BTCUSDT,ETHUSDT)`);
  const list = colon < 0 ? '' : spec.slice(colon + 1);
  if (list.trim() === '') throw new FeedSpecError(`--feed "${spec}": name the symbols, e.g. ${venue === 'binance' ? 'binance:BTCUSDT,ETHUSDT' : 'coinbase:BTC-USD,ETH-USD'}`);
  const symbols: LiveSymbol[] = [];
  const seen = new Set<string>();
  for (const item of list.split(',')) {
    const [name = '', rename, extra] = item.trim().split('=');
    if (extra !== undefined || !VENUE_SYMBOL[venue].test(name)) {
      throw new FeedSpecError(`--feed "${spec}": "${item}" is not a ${venue} symbol${venue === 'binance' ? ' (letters and digits: BTCUSDT)' : ' (BASE-QUOTE in capitals: BTC-USD)'}, optionally =NAME`);
    }
    const mapped = MAPPING[venue](name);
    const symbol = rename ?? mapped;
    if (!isSymbolName(symbol)) throw new FeedSpecError(`--feed "${spec}": "${symbol}" cannot be a tickertape symbol (${SYMBOL_NAME_RULE})`);
    const key = name.toUpperCase();
    if (seen.has(key)) throw new FeedSpecError(`--feed "${spec}": ${name} is named twice`);
    seen.add(key);
    symbols.push({ venue: venue === 'binance' ? key : name, symbol, mapped });
  }
  if (symbols.length > MAX_SYMBOLS_PER_FEED) throw new FeedSpecError(`--feed "${spec}": ${symbols.length} symbols, at most ${MAX_SYMBOLS_PER_FEED} per feed`);
  return { venue, symbols };
}

/** Several `--feed`s: one per venue at most, and no tickertape symbol from two places. */
export function checkFeeds(feeds: readonly VenueFeed[]): void {
  const venues = new Set<Venue>();
  const names = new Map<string, Venue>();
  for (const feed of feeds) {
    if (venues.has(feed.venue)) throw new FeedSpecError(`--feed ${feed.venue} is given twice: name all its symbols in one --feed`);
    venues.add(feed.venue);
    for (const { symbol } of feed.symbols) {
      const other = names.get(symbol);
      if (other !== undefined) throw new FeedSpecError(`--feed: ${symbol} would come from both ${other} and ${feed.venue}; rename one (SYMBOL=NAME)`);
      names.set(symbol, feed.venue);
    }
  }
}

/** A WebSocket URL, or a FeedSpecError naming where it came from. */
export function checkEndpoint(url: string, from: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FeedSpecError(`${from}: "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') throw new FeedSpecError(`${from}: "${url}" must be a ws:// or wss:// URL`);
  return url.replace(/\/+$/, '');
}
