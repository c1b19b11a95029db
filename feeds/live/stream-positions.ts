/**
 * The last trade id and quote update id seen per symbol of one venue: decides whether a message is new, a
 * duplicate (seen on the connection being replaced, or again after resubscribing), or the first after a gap.
 * It outlives connections, so the first trade after a reconnect is compared with the last before the drop.
 */
import type { StreamPosition } from '../exchanges/normalized.js';

/** `new`: carry on; `duplicate`: already passed on, drop it; a number: new, after that many trades missed. */
export type PositionVerdict = 'new' | 'duplicate' | number;

export class StreamPositions {
  private readonly trades = new Map<string, number>();
  private readonly books = new Map<string, number>();

  check(position: StreamPosition): PositionVerdict {
    const seen = position.kind === 'trade' ? this.trades : this.books;
    const last = seen.get(position.pair);
    if (last !== undefined && position.id <= last) return 'duplicate';
    seen.set(position.pair, position.id);
    // Quote update ids are not consecutive: only trade ids tell how much was missed.
    if (last === undefined || position.kind === 'book' || position.id === last + 1) return 'new';
    return position.id - last - 1;
  }
}
