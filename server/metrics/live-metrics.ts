/**
 * A live feed's health in Prometheus: per venue, connection state, messages, reconnects, planned
 * replacements, duplicates dropped and invalid messages; per symbol, gaps and trades known missing; and how
 * many symbols are stale. Read from LiveStatus when scraped, so the message path pays nothing for them.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { LiveStatus, VenueHealth } from '../../feeds/live/status.js';

export function registerLiveMetrics(registry: Registry, status: LiveStatus): void {
  const registers = [registry];
  const perVenue = (name: string, help: string, read: (venue: VenueHealth) => number, kind: 'counter' | 'gauge' = 'counter'): void => {
    const collect = function (this: Counter | Gauge): void {
      this.reset();
      for (const venue of status.venues.values()) {
        if (this instanceof Counter) this.inc({ venue: venue.venue }, read(venue));
        else this.set({ venue: venue.venue }, read(venue));
      }
    };
    if (kind === 'counter') new Counter({ name, help, labelNames: ['venue'], registers, collect });
    else new Gauge({ name, help, labelNames: ['venue'], registers, collect });
  };
  perVenue('tickertape_feed_connected', '1 while the venue connection is subscribed and streaming, else 0.', (venue) => (venue.state === 'live' ? 1 : 0), 'gauge');
  perVenue('tickertape_feed_messages_total', 'Messages received from the venue.', (venue) => venue.messages);
  perVenue('tickertape_feed_reconnects_total', 'Venue connections lost and opened again.', (venue) => venue.reconnects);
  perVenue('tickertape_feed_replacements_total', 'Planned connection replacements (Binance 24-hour limit), which lose nothing.', (venue) => venue.replacements);
  perVenue('tickertape_feed_duplicates_total', 'Venue messages seen twice (overlap, resubscription) and dropped.', (venue) => venue.duplicates);
  perVenue('tickertape_feed_invalid_messages_total', 'Venue messages that were not JSON, made no valid tick, or were about a pair not subscribed.', (venue) => venue.invalid);
  const perSymbol = (name: string, help: string, read: (symbol: { gaps: number; missed: number }) => number): void => {
    new Counter({
      name,
      help,
      labelNames: ['symbol'],
      registers,
      collect() {
        this.reset();
        for (const symbol of status.symbols.values()) if (read(symbol) > 0) this.inc({ symbol: symbol.symbol }, read(symbol));
      },
    });
  };
  perSymbol('tickertape_feed_gaps_total', 'Times trades of a symbol were found missing (a jump in trade ids).', (symbol) => symbol.gaps);
  perSymbol('tickertape_feed_missed_trades_total', 'Trades of a symbol known missing.', (symbol) => symbol.missed);
  new Gauge({
    name: 'tickertape_feed_stale_symbols',
    help: 'Symbols whose venue connection is down or resubscribing.',
    registers,
    collect() {
      let stale = 0;
      for (const symbol of status.symbols.values()) if (symbol.stale) stale++;
      this.set(stale);
    },
  });
}
