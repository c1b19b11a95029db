import { BarLedger, type BarEvent } from './bar-ledger.js';
import { bucketOf, foldBars, mergeBar } from './bars.js';
import type { Bar } from './protocol/messages.js';

const SECOND_MS = 1_000;
/**
 * Buckets whose 1 s bars are kept for folding: the newest and the one before it, which a late trade may
 * still change. Later revisions of older buckets are not followed (`history` has them right).
 */
const TRACKED_BUCKETS = 2;

/**
 * Folds one symbol's 1 s bar events into bar events of a longer interval, with the same fold the server's
 * `history` uses (client/bars.ts), so a live 1 m bar equals the one `history` returns. It never tells a
 * partial bar: buckets up to `after` (the one in progress when the stream started, whose earlier seconds may
 * be unknown) are skipped, and the first bar told is the first whole interval.
 */
export class IntervalBars {
  private readonly ledger: BarLedger;
  /** 1 s bars of the tracked buckets, by bucket start. */
  private readonly buckets = new Map<number, Bar[]>();
  /** Start of the newest 1 s bar known to exist. */
  private newestSecond = Number.NEGATIVE_INFINITY;

  constructor(
    symbol: string,
    readonly intervalMs: number,
    /** Start of the last bucket to skip. */
    private readonly after: number,
  ) {
    this.ledger = new BarLedger(symbol);
  }

  /** The bucket to skip through for a stream that starts knowing bars up to `time` (NaN: none). */
  static after(time: number, intervalMs: number): number {
    return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : bucketOf(time, intervalMs);
  }

  /** Takes one 1 s bar event; returns the events at this interval it causes. */
  push(event: BarEvent): BarEvent[] {
    const second = event.bar[0];
    // A closed 1 s bar means a later one exists, at least a second on.
    this.newestSecond = Math.max(this.newestSecond, event.closed ? second + SECOND_MS : second);
    const bucket = bucketOf(second, this.intervalMs);
    const newestBucket = bucketOf(this.newestSecond, this.intervalMs);
    if (bucket <= this.after || bucket < newestBucket - (TRACKED_BUCKETS - 1) * this.intervalMs) {
      // Skipped or untracked; it may still show that the newest bucket moved on.
      return this.ledger.apply([], newestBucket);
    }
    let seconds = this.buckets.get(bucket);
    if (seconds === undefined) {
      seconds = [];
      this.buckets.set(bucket, seconds);
      for (const start of this.buckets.keys()) {
        if (start < newestBucket - (TRACKED_BUCKETS - 1) * this.intervalMs) this.buckets.delete(start);
      }
    }
    mergeBar(seconds, event.bar);
    return this.ledger.apply(foldBars(seconds, this.intervalMs), newestBucket);
  }
}
