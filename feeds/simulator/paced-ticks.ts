/**
 * Plays a simulated market in real time: a tick is handed over once the wall clock has passed its event-time
 * offset. The iterator wakes every `batchIntervalMs` (or when the next tick falls due, at low rates), hands over
 * everything due by then one tick per `next()`, and sleeps again, so it never spins and never drifts: event
 * time is computed, not accumulated from timer delays.
 *
 * Pull-driven: ticks are made only when asked for, so a slow consumer sees event time fall behind the wall
 * clock rather than a buffer grow. While behind, a batch ends after a couple of batch intervals of wall time and
 * the next starts from `setImmediate`, so the rest of the process (sockets, timers) still gets its turn.
 */
import type { DueTicks, Tick } from '../tick.js';
import type { SimulatedMarket } from './market.js';

/**
 * While catching up, a batch ends once handing it over has taken this many batch intervals of wall time, so
 * the event loop gets a turn however slow the consumer is. Checked every `TICKS_PER_CLOCK_CHECK` ticks.
 */
const MAX_BATCH_INTERVALS_PER_BATCH = 2;
const TICKS_PER_CLOCK_CHECK = 64;

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

export class PacedTicks implements AsyncIterableIterator<Tick, undefined, undefined>, DueTicks {
  private readonly market: SimulatedMarket;
  private readonly batchIntervalMs: number;
  private readonly maxBatchWallMs: number;
  /** performance.now() at event-time offset zero. */
  private readonly wallStartMs: number;
  /** Ticks with offsets up to here belong to the current batch. */
  private batchEndMs = -Infinity;
  /** Ticks until the next look at the clock; 0 when no batch is open. */
  private ticksBeforeClockCheck = 0;
  private lastWakeMs: number;
  private finished = false;

  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  /** The consumer's `next()` waiting for the next batch. */
  private waiting: ((result: IteratorResult<Tick, undefined>) => void) | undefined;
  /** Settles when the waiting `next()` does; a `next()` called meanwhile queues behind it. */
  private waitingPromise: Promise<IteratorResult<Tick, undefined>> | undefined;

  /** `warmupMs`: how far in the past event-time zero lies; the iterator starts that far behind and catches up. */
  constructor(market: SimulatedMarket, batchIntervalMs: number, warmupMs = 0) {
    this.market = market;
    this.batchIntervalMs = batchIntervalMs;
    this.maxBatchWallMs = batchIntervalMs * MAX_BATCH_INTERVALS_PER_BATCH;
    this.wallStartMs = performance.now() - warmupMs;
    this.lastWakeMs = performance.now();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Tick, undefined>> {
    if (this.finished) return Promise.resolve(DONE);
    if (this.waitingPromise !== undefined) {
      const queued: Promise<IteratorResult<Tick, undefined>> = this.waitingPromise.then(() => this.next());
      return queued;
    }
    if (this.market.nextOffsetMs <= this.batchEndMs && this.batchStillOpen()) {
      return Promise.resolve({ done: false, value: this.market.next() });
    }
    const promise = new Promise<IteratorResult<Tick, undefined>>((resolve) => {
      this.waiting = resolve;
    });
    this.waitingPromise = promise;
    this.sleep();
    return promise;
  }

  takeDue(): Tick | undefined {
    if (this.finished || this.waitingPromise !== undefined) return undefined;
    return this.market.nextOffsetMs <= this.batchEndMs && this.batchStillOpen() ? this.market.next() : undefined;
  }

  private batchStillOpen(): boolean {
    if (--this.ticksBeforeClockCheck > 0) return true;
    if (this.ticksBeforeClockCheck === 0 && performance.now() - this.lastWakeMs < this.maxBatchWallMs) {
      this.ticksBeforeClockCheck = TICKS_PER_CLOCK_CHECK;
      return true;
    }
    this.ticksBeforeClockCheck = 0;
    return false;
  }

  /** Stops at once: clears the pending timer and settles a waiting `next()` as done. */
  return(): Promise<IteratorResult<Tick, undefined>> {
    this.finished = true;
    this.ticksBeforeClockCheck = 0;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    this.settle(DONE);
    return Promise.resolve(DONE);
  }

  private sleep(): void {
    const now = performance.now();
    const dueInMs = this.wallStartMs + this.market.nextOffsetMs - now;
    const nextBatchInMs = this.lastWakeMs + this.batchIntervalMs - now;
    // Wake at the next batch time, or later when nothing falls due before then (low rates).
    const delayMs = Math.max(dueInMs, nextBatchInMs);
    if (delayMs > 0) this.timer = setTimeout(this.wake, delayMs);
    else this.immediate = setImmediate(this.wake);
  }

  private readonly wake = (): void => {
    this.timer = undefined;
    this.immediate = undefined;
    if (this.finished) return;
    const now = performance.now();
    const elapsedMs = now - this.wallStartMs;
    if (this.market.nextOffsetMs > elapsedMs) {
      // Timers may fire a little early: wait for the tick actually to fall due.
      this.timer = setTimeout(this.wake, this.market.nextOffsetMs - elapsedMs);
      return;
    }
    this.lastWakeMs = now;
    this.batchEndMs = elapsedMs;
    this.ticksBeforeClockCheck = TICKS_PER_CLOCK_CHECK;
    this.settle({ done: false, value: this.market.next() });
  };

  private settle(result: IteratorResult<Tick, undefined>): void {
    const resolve = this.waiting;
    this.waiting = undefined;
    this.waitingPromise = undefined;
    resolve?.(result);
  }
}
