/**
 * A live feed's rare events in the server's log: one line per connection state change and per gap, what an
 * operator wants to see. Written wherever the feed runs: a single process (plugins/live.ts), a cluster
 * ingest (cluster/ingest-plugin.ts), or `tickertape record` (cli/record.ts).
 */
import type { LiveStatus } from '../../feeds/live/status.js';

/** Where the lines go: the server's logger (pino), or `tickertape record`'s lines on stderr (cli/line-log.ts). */
export interface FeedLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** Logs `status`'s connection losses, connection states and missed trades as they happen; returns the unsubscribe. */
export function logLiveFeed(status: LiveStatus, log: FeedLog): () => void {
  const seen = new Map<string, string>();
  const missed = new Map<string, number>();
  return status.onChange(() => {
    for (const venue of status.venues.values()) {
      if (seen.get(venue.venue) === venue.state) continue;
      seen.set(venue.venue, venue.state);
      if (venue.state === 'waiting') log.warn({ venue: venue.venue, reason: venue.error, reconnects: venue.reconnects }, 'exchange connection lost: reconnecting');
      else log.info({ venue: venue.venue, state: venue.state }, 'exchange connection');
    }
    for (const symbol of status.symbols.values()) {
      if (symbol.missed === (missed.get(symbol.symbol) ?? 0)) continue;
      log.warn({ symbol: symbol.symbol, missed: symbol.missed - (missed.get(symbol.symbol) ?? 0), gaps: symbol.gaps }, 'trades missed');
      missed.set(symbol.symbol, symbol.missed);
    }
  });
}
