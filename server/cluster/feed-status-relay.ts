/**
 * A live ingest's side of the feed status (docs/deploy.md#live-feeds): the FeedStatusBroadcaster runs here as
 * in a single process, at most one `feed` message per FEED_STATUS_MIN_INTERVAL_MS, but hands its messages
 * to this relay instead of a hub. The next flush record carries the latest one (and the publish script keeps
 * it in the `feed-status` key, for gateways that start or resync later). Only the latest is held: a status
 * newer than one not yet published replaces it.
 */
import type { FeedStatusMessage } from '../../client/protocol/messages.js';
import type { LiveStatus } from '../../feeds/live/status.js';
import { FeedStatusBroadcaster, type FeedStatusOutlet } from '../live/feed-status.js';

export class FeedStatusRelay implements FeedStatusOutlet {
  /** Set by the FeedStatusBroadcaster. */
  feedStatus: (() => FeedStatusMessage) | undefined;
  private latest: FeedStatusMessage | undefined;
  private readonly broadcaster: FeedStatusBroadcaster;

  constructor(status: LiveStatus) {
    this.broadcaster = new FeedStatusBroadcaster(status, this);
  }

  /** Stops listening to the feed's status (after the final publish: it carries the status as it stands). */
  stop(): void {
    this.broadcaster.stop();
  }

  broadcast(message: FeedStatusMessage): void {
    this.latest = message;
  }

  /** Publishes the status as it stands with the next record (on taking over, and after Redis lost it). */
  announce(): void {
    this.latest = this.feedStatus?.() ?? this.latest;
  }

  /** Whether the next flush has a status to publish. */
  get pending(): boolean {
    return this.latest !== undefined;
  }

  /** What the next record carries; hand it back with `unpublished()` if publishing fails. */
  take(): FeedStatusMessage | undefined {
    const latest = this.latest;
    this.latest = undefined;
    return latest;
  }

  /** A publish failed: its status goes with the next one, unless a newer one came meanwhile. */
  unpublished(message: FeedStatusMessage): void {
    this.latest ??= message;
  }
}
