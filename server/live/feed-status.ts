/**
 * The server's side of a live feed's health: the `feed` message built from LiveStatus, sent after every
 * greeting and broadcast when something changes. Changes are rare (a connection drops, a gap is found), but
 * a flapping connection must not flood clients, so broadcasts are at most one per
 * FEED_STATUS_MIN_INTERVAL_MS and always carry the latest state.
 */
import type { FeedStatusMessage } from '../../client/protocol/messages.js';
import type { LiveStatus } from '../../feeds/live/status.js';

/** Least time between two `feed` broadcasts. */
export const FEED_STATUS_MIN_INTERVAL_MS = 250;

export function feedStatusMessage(status: LiveStatus): FeedStatusMessage {
  return {
    type: 'feed',
    time: Date.now(),
    venues: Array.from(status.venues.values(), (venue) => ({
      venue: venue.venue,
      state: venue.state,
      since: venue.since,
      reconnects: venue.reconnects,
      replacements: venue.replacements,
      error: venue.error,
    })),
    symbols: Array.from(status.symbols.values(), (symbol) => ({ s: symbol.symbol, stale: symbol.stale, gaps: symbol.gaps, missed: symbol.missed, gapAt: symbol.lastGapAt })),
  };
}

/**
 * Where `feed` messages go: a hub (a single process), or, on a cluster ingest, the relay that publishes them
 * through Redis to the gateways' hubs (server/cluster/feed-status-relay.ts).
 */
export interface FeedStatusOutlet {
  /** The status as it stands, for each greeting. */
  feedStatus: (() => FeedStatusMessage) | undefined;
  broadcast(message: FeedStatusMessage): void;
}

export class FeedStatusBroadcaster {
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private readonly unlisten: () => void;

  constructor(
    private readonly status: LiveStatus,
    private readonly outlet: FeedStatusOutlet,
  ) {
    outlet.feedStatus = () => feedStatusMessage(status);
    this.unlisten = status.onChange(() => this.changed());
  }

  stop(): void {
    this.unlisten();
    clearTimeout(this.timer);
    this.outlet.feedStatus = undefined;
  }

  private changed(): void {
    if (this.timer !== undefined) return;
    const wait = this.lastSentAt + FEED_STATUS_MIN_INTERVAL_MS - performance.now();
    if (wait <= 0) {
      // After the current turn, so a burst of changes in one turn goes out once.
      this.timer = setTimeout(() => this.send(), 0);
    } else {
      this.timer = setTimeout(() => this.send(), wait);
    }
  }

  private send(): void {
    this.timer = undefined;
    this.lastSentAt = performance.now();
    this.outlet.broadcast(feedStatusMessage(this.status));
  }
}
