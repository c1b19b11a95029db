/**
 * How a live feed stands, per venue connection and per symbol: what /metrics exports and what the server
 * sends clients as `feed` messages (docs/protocol.md#feed-status). A symbol is `stale` while its venue's
 * connection is down or not yet subscribed; a gap (trades known missed: a jump in trade ids) is counted and
 * remembered with its time, so the dashboard can mark the symbol until the gap is out of its charts.
 */
import type { Venue } from './options.js';

/** `connecting`: opening a socket; `subscribing`: open, subscription not yet acknowledged; `live`: streaming; `waiting`: backing off before the next attempt. */
export type LinkState = 'connecting' | 'subscribing' | 'live' | 'waiting' | 'stopped';

export interface VenueHealth {
  readonly venue: Venue;
  state: LinkState;
  /** When `state` last changed (wall clock, ms). */
  since: number;
  /** Connections opened (the first included). */
  connects: number;
  /** Connections lost and opened again. */
  reconnects: number;
  /** Planned replacements (Binance's 24-hour limit) completed. */
  replacements: number;
  /** Messages received. */
  messages: number;
  /** Messages that were not valid JSON or made no valid tick. */
  invalid: number;
  /** Messages seen twice (a replacement's overlap, a resubscription) and dropped. */
  duplicates: number;
  /** The venue's last error message (a refused subscription), if any. */
  error: string | undefined;
}

export interface SymbolHealth {
  readonly symbol: string;
  readonly venue: Venue;
  /** `stale`: the connection that carries it is down or resubscribing; its last price may be old. */
  stale: boolean;
  /** Gaps: times trades were found missing. */
  gaps: number;
  /** Trades known missing in all. */
  missed: number;
  /** Wall-clock time (ms) the last gap was found; undefined: never. */
  lastGapAt: number | undefined;
}

export class LiveStatus {
  readonly venues = new Map<Venue, VenueHealth>();
  readonly symbols = new Map<string, SymbolHealth>();
  private readonly listeners = new Set<() => void>();

  constructor(
    feeds: readonly { readonly venue: Venue; readonly symbols: readonly { readonly symbol: string }[] }[],
    private readonly now: () => number = Date.now,
  ) {
    for (const { venue, symbols } of feeds) {
      this.venues.set(venue, { venue, state: 'connecting', since: now(), connects: 0, reconnects: 0, replacements: 0, messages: 0, invalid: 0, duplicates: 0, error: undefined });
      for (const { symbol } of symbols) this.symbols.set(symbol, { symbol, venue, stale: true, gaps: 0, missed: 0, lastGapAt: undefined });
    }
  }

  /** Calls `listener` after each change of state (not for message counts). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  venue(venue: Venue): VenueHealth {
    const health = this.venues.get(venue);
    if (health === undefined) throw new Error(`no live feed from ${venue}`);
    return health;
  }

  /** The venue's connection moved to `state`; its symbols are stale unless it is live. */
  setLink(venue: Venue, state: LinkState): void {
    const health = this.venue(venue);
    if (health.state === state) return;
    health.state = state;
    health.since = this.now();
    if (state === 'live') health.error = undefined;
    for (const symbol of this.symbols.values()) if (symbol.venue === venue) symbol.stale = state !== 'live';
    this.changed();
  }

  /** `missed` trades of `symbol` were found missing. */
  gap(symbol: string, missed: number): void {
    const health = this.symbols.get(symbol);
    if (health === undefined) return;
    health.gaps++;
    health.missed += missed;
    health.lastGapAt = this.now();
    this.changed();
  }

  error(venue: Venue, message: string): void {
    this.venue(venue).error = message;
    this.changed();
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
