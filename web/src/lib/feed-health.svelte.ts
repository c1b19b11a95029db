import type { FeedStatusMessage, SymbolStatus, TickerClient } from '../../../client/index.js';

/** A gap stays marked this long: the 15 minutes of 1 s bars the server keeps, where the missing trades show. */
export const GAP_MARK_MS = 15 * 60_000;
/** How often an old gap mark is checked for expiry. */
const EXPIRY_CHECK_MS = 10_000;

export interface FeedMark {
  readonly kind: 'stale' | 'gap';
  /** For the tooltip. */
  readonly title: string;
}

/**
 * A live feed's health as the dashboard marks it (docs/protocol.md#feed-status): a symbol is `stale` while
 * its exchange connection is down, and marked `gap` for GAP_MARK_MS after trades were found missing. Inactive
 * (no marks) unless the server's feed is live.
 */
export class FeedHealth {
  status = $state.raw<FeedStatusMessage | undefined>(undefined);
  private symbols = new Map<string, SymbolStatus>();
  private now = $state(Date.now());
  /** Server clock − ours, from the latest message. */
  private serverOffsetMs = 0;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly unlisten: readonly (() => void)[];

  constructor(client: TickerClient) {
    this.unlisten = [
      client.on('hello', (hello) => {
        if (hello.feed.kind !== 'live') this.set(undefined);
      }),
      client.on('message', (message) => {
        if (message.type === 'feed') this.set(message);
      }),
    ];
    this.timer = setInterval(() => (this.now = Date.now()), EXPIRY_CHECK_MS);
  }

  mark(symbol: string): FeedMark | undefined {
    if (this.status === undefined) return undefined;
    const entry = this.symbols.get(symbol);
    if (entry === undefined) return undefined;
    if (entry.stale) return { kind: 'stale', title: 'stale: the exchange connection is down; the last price may be old' };
    // gapAt is the server's clock: compare it with the server's time now (ours + the offset the message showed).
    if (entry.gapAt !== undefined && this.now + this.serverOffsetMs - entry.gapAt < GAP_MARK_MS) {
      return { kind: 'gap', title: `gap: ${entry.missed} trade${entry.missed === 1 ? '' : 's'} missed (${entry.gaps} time${entry.gaps === 1 ? '' : 's'}); recent bars lack them` };
    }
    return undefined;
  }

  dispose(): void {
    for (const off of this.unlisten) off();
    clearInterval(this.timer);
  }

  private set(message: FeedStatusMessage | undefined): void {
    this.symbols = new Map(message?.symbols.map((symbol) => [symbol.s, symbol]));
    this.now = Date.now();
    this.serverOffsetMs = message === undefined ? 0 : message.time - this.now;
    this.status = message;
  }
}
