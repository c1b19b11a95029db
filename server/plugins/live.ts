import fp from 'fastify-plugin';
import type { Feed } from '../../feeds/tick.js';
import { isLiveFeed } from '../../feeds/live/feed.js';
import { FeedStatusBroadcaster } from '../live/feed-status.js';
import { registerLiveMetrics } from '../metrics/live-metrics.js';

/** A live feed's health to clients (`feed` messages) and /metrics; nothing for other feeds. */
export default fp<{ feed: Feed }>(
  async (app, { feed }) => {
    if (!isLiveFeed(feed)) return;
    registerLiveMetrics(app.metrics.registry, feed.live);
    const broadcaster = new FeedStatusBroadcaster(feed.live, app.hub);
    // One log line per connection state change and per gap: rare events an operator wants to see.
    const seen = new Map<string, string>();
    const missed = new Map<string, number>();
    const unlisten = feed.live.onChange(() => {
      for (const venue of feed.live.venues.values()) {
        if (seen.get(venue.venue) === venue.state) continue;
        seen.set(venue.venue, venue.state);
        if (venue.state === 'waiting') app.log.warn({ venue: venue.venue, reason: venue.error, reconnects: venue.reconnects }, 'exchange connection lost: reconnecting');
        else app.log.info({ venue: venue.venue, state: venue.state }, 'exchange connection');
      }
      for (const symbol of feed.live.symbols.values()) {
        if (symbol.missed === (missed.get(symbol.symbol) ?? 0)) continue;
        app.log.warn({ symbol: symbol.symbol, missed: symbol.missed - (missed.get(symbol.symbol) ?? 0), gaps: symbol.gaps }, 'trades missed');
        missed.set(symbol.symbol, symbol.missed);
      }
    });
    app.addHook('onClose', async () => {
      unlisten();
      broadcaster.stop();
    });
  },
  { name: 'tickertape-live', dependencies: ['tickertape-market', 'tickertape-hub', 'tickertape-metrics'], fastify: '5.x' },
);
