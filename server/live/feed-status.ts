/**
 * The server's side of a live feed's health: the `feed` message built from LiveStatus, sent after every
 * greeting and broadcast when something changes. Changes are rare (a connection drops, a gap is found), but
 * a flapping connection must not flood clients, so broadcasts are at most one per
 * FEED_STATUS_MIN_INTERVAL_MS and always carry the latest state.
 */
import type { FeedStatusMessage } from '../../client/protocol/messages.js';
import type { LiveStatus } from '../../feeds/live/status.js';
import { LatestSender } from '../latest-sender.js';

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
  private readonly sender: LatestSender;
  private readonly unlisten: () => void;

  constructor(
    private readonly status: LiveStatus,
    private readonly outlet: FeedStatusOutlet,
  ) {
    outlet.feedStatus = () => feedStatusMessage(status);
    this.sender = new LatestSender(FEED_STATUS_MIN_INTERVAL_MS, () => outlet.broadcast(feedStatusMessage(status)));
    this.unlisten = status.onChange(() => this.sender.changed());
  }

  stop(): void {
    this.unlisten();
    this.sender.stop();
    this.outlet.feedStatus = undefined;
  }
}
