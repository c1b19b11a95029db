/**
 * What happens to one market-data message from a venue, whichever connection brought it: the duplicate and
 * gap check on its trade or update id (StreamPositions, which outlives connections), then the SAME
 * normalizer the capture readers use (feeds/exchanges/), then the symbol's tickertape name, then the queue.
 * Accepted messages are also handed to the capture writer, so a capture holds each message once.
 */
import type { Normalized, StreamPosition } from '../exchanges/normalized.js';
import type { Tick } from '../tick.js';
import type { LiveSymbol, Venue } from './options.js';
import type { LiveStatus } from './status.js';
import { StreamPositions } from './stream-positions.js';

export interface LiveSink {
  tick(tick: Tick): void;
  /** A message passed on (after the duplicate check), as received: for `--capture`. */
  received?(venue: Venue, text: string, receivedAt: number): void;
  /** A message sent to the venue (subscriptions), for `--capture`. */
  sent?(venue: Venue, text: string, sentAt: number): void;
  /** A socket opened, for `--capture`. */
  connected?(venue: Venue, url: string, at: number): void;
}

export class VenueStream {
  private readonly positions = new StreamPositions();
  /** Venue name (`ETHUSDT`) → tickertape symbol, to name gaps. */
  private readonly byPair = new Map<string, string>();
  /** Mapped name (`ETH-USDT`) → the user's name for it, for the symbols renamed with `=NAME`. */
  private readonly renames = new Map<string, string>();
  /** The mapped names subscribed: a tick for any other is not this feed's (a relay's extra pairs, say). */
  private readonly subscribed = new Set<string>();

  constructor(
    readonly venue: Venue,
    symbols: readonly LiveSymbol[],
    private readonly position: (message: unknown) => StreamPosition | undefined,
    readonly status: LiveStatus,
    readonly sink: LiveSink,
  ) {
    for (const symbol of symbols) {
      this.byPair.set(symbol.venue, symbol.symbol);
      this.subscribed.add(symbol.mapped);
      if (symbol.symbol !== symbol.mapped) this.renames.set(symbol.mapped, symbol.symbol);
    }
  }

  /**
   * One data message (control messages are the connector's), normalized by `normalize`. A message about a
   * pair not subscribed (the exchanges send none; a relay at --binance-url might) counts as invalid and
   * goes no further: the market holds the symbols asked for, each with its stale and gap marks.
   */
  accept(text: string, message: unknown, receivedAt: number, normalize: (message: unknown, receivedAt: number) => Normalized): void {
    const health = this.status.venue(this.venue);
    health.messages++;
    const position = this.position(message);
    if (position !== undefined && !this.byPair.has(position.pair)) {
      health.invalid++;
      return;
    }
    if (position !== undefined) {
      const verdict = this.positions.check(position);
      if (verdict === 'duplicate') {
        health.duplicates++;
        return;
      }
      if (typeof verdict === 'number') this.status.gap(this.byPair.get(position.pair) ?? position.pair, verdict);
    }
    this.sink.received?.(this.venue, text, receivedAt);
    const normalized = normalize(message, receivedAt);
    if (normalized.kind === 'invalid') health.invalid++;
    if (normalized.kind !== 'ticks') return;
    let taken = 0;
    for (const tick of normalized.ticks) {
      if (!this.subscribed.has(tick.symbol)) continue;
      taken++;
      const renamed = this.renames.get(tick.symbol);
      this.sink.tick(renamed === undefined ? tick : { ...tick, symbol: renamed });
    }
    if (taken === 0 && normalized.ticks.length > 0) health.invalid++;
  }

  /** A message that is not JSON: counted, never fatal. */
  unreadable(): void {
    const health = this.status.venue(this.venue);
    health.messages++;
    health.invalid++;
  }
}

/** JSON text → a value, or undefined when it is not JSON. */
export function parseMessage(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
