/**
 * Plays merged ticks by event time: paced at a multiple of real time or as fast as taken (`max`), with
 * pause, resume, speed changes and seeks, as the async iterator the server pumps like any other feed.
 *
 * The replay clock (`position`) is event time: while playing paced it runs at `speed` × wall time from the
 * last anchor; at `max` it is the newest tick handed over. A tick is handed over once the clock has reached
 * it; the iterator wakes at most every PACING_BATCH_MS and hands over everything due, so it neither spins
 * nor drifts (event time is computed from the anchor, not accumulated from timer delays).
 *
 * Seeking forward hands over the ticks up to the target unpaced, through the iterator, exactly as playing
 * there at `max` would. Seeking back (or looping, or resuming after the end) cannot be done by the consumer
 * alone: state built from later ticks must go. The player reads the files again from the start up to the
 * target and gives those ticks to the attached ReplayHost (the server rebuilds its market from them, off to
 * the side, and swaps it in), then carries on from the target.
 */
import type { Tick } from '../tick.js';
import { MAX_TIMER_MS, REAL_CLOCK, yieldToEventLoop, type Clock } from './clock.js';
import { ReplayError } from './errors.js';
import type { TickCursor } from './merge.js';
import type { ReplaySpeed } from './options.js';
import { MAX_UNPACED_SLICE_MS, TICKS_PER_CLOCK_CHECK, rebuildUpTo, type Rebuilt } from './rebuild.js';
import { Wake } from './wake.js';

/** Wall time between wake-ups while paced: everything due by a wake-up is handed over at once. */
export const PACING_BATCH_MS = 4;
/**
 * Least wall time from the start of one pass of a looping replay to the start of the next: a pass that
 * ends sooner (a small file at `max`, or one whose ticks all share a time) waits out the rest at its end. Each
 * pass is a rewind, which rebuilds the market and sends every client its state and fresh snapshots; without
 * this a 100-tick file looping at `max` made thousands of them a second and kept a core busy.
 */
export const MIN_LOOP_PASS_MS = 250;

export type ReplayPhase = 'playing' | 'paused' | 'seeking' | 'ended' | 'failed';

/** Whoever holds state built from the replay's ticks, and must rebuild it when the replay goes back in time. */
export interface ReplayHost {
  /** A rewind starts: returns where the ticks from the start up to the target go. */
  beginRewind(): (tick: Tick) => void;
  /** Every tick up to the target has been given (or the files failed on the way: `phase` says). */
  endRewind(): void;
}

export interface PlayerOptions {
  readonly speed: ReplaySpeed;
  readonly loop: boolean;
  readonly paused: boolean;
  readonly clock?: Clock;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

export class ReplayPlayer implements AsyncIterableIterator<Tick, undefined, undefined> {
  /** Event time of the first tick of the replay (of the window); NaN when it has none. */
  start = Number.NaN;
  /** Event time of the last tick, once a scan of the files has found it; NaN until then. */
  end = Number.NaN;
  speed: ReplaySpeed;
  paused: boolean;
  readonly loop: boolean;
  /** Times the replay went back in time (seek back, loop, replay after the end). */
  rewinds = 0;
  /** Why the replay stopped, when it failed (a bad line, an unreadable file). */
  error: Error | undefined;

  private cursor: TickCursor | undefined;
  private readonly clock: Clock;
  private host: ReplayHost | undefined;
  /** The clock when last anchored (paused, or at `max`: the newest tick handed over). */
  private position = Number.NaN;
  private anchorWall = 0;
  /** Event time of the newest tick handed over or rebuilt in this pass. */
  private newest = Number.NaN;
  private ended = false;
  private closed = false;
  private rewinding = false;
  /** Ticks handed over since the last rewind (a loop over nothing would spin). */
  private handedSinceRewind = 0;
  /** Wall time this pass started: when the files were opened, or the last rewind ended. */
  private passStartWall = 0;
  /** A forward seek in progress: hand over everything up to here unpaced. */
  private forwardTarget: number | undefined;
  private forwardDone: (() => void) | undefined;
  /** Wakes the iterator from a wait or a sleep. */
  private readonly wake: Wake;
  private sliceTicks = 0;
  private sliceStart = 0;
  /** The seek under way (settled when none is). */
  private seeking: Promise<void> = Promise.resolve();
  /** The one seek waiting for it, whose target a newer request replaces. */
  private waitingSeek: { time: number; again: boolean; done: Promise<void> } | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly openCursor: () => Promise<TickCursor>,
    options: PlayerOptions,
  ) {
    this.speed = options.speed;
    this.paused = options.paused;
    this.loop = options.loop;
    this.clock = options.clock ?? REAL_CLOCK;
    this.wake = new Wake(this.clock);
  }

  /** Opens the files and reads their first ticks; the replay then starts at the first one. */
  async open(): Promise<void> {
    const cursor = await this.openCursor();
    try {
      await cursor.fill();
    } catch (error) {
      // A bad first line: the replay exists but has failed before its first tick.
      this.error = asError(error);
    }
    this.cursor = cursor;
    const head = this.error === undefined ? cursor.headTime() : Number.NaN;
    this.start = Number.isFinite(head) ? head : Number.NaN;
    this.position = this.start;
    this.anchorWall = this.clock.now();
    this.passStartWall = this.anchorWall;
    this.ended = this.error === undefined && head === Number.POSITIVE_INFINITY;
  }

  /** Makes end-of-replay and failure hold the iterator (waiting for a seek) instead of ending it. */
  attach(host: ReplayHost): void {
    this.host = host;
  }

  /** Calls `listener` whenever phase, speed, span, rewinds or error change. Returns an unsubscriber. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get phase(): ReplayPhase {
    if (this.error !== undefined) return 'failed';
    if (this.rewinding || this.forwardTarget !== undefined) return 'seeking';
    if (this.ended) return 'ended';
    return this.paused ? 'paused' : 'playing';
  }

  /** The replay clock now: event time (ms) up to which ticks have been handed over or fallen due. */
  currentPosition(): number {
    if (this.phase !== 'playing' || this.speed === 'max') return this.position;
    const clock = this.position + (this.clock.now() - this.anchorWall) * this.speed;
    return Number.isFinite(this.end) ? Math.min(clock, this.end) : clock;
  }

  /** Set by return(): the replay is over for good. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** The cursor of the current pass, for progress and statistics. */
  get current(): TickCursor | undefined {
    return this.cursor;
  }

  pause(): void {
    if (this.paused) return;
    this.position = this.currentPosition();
    this.paused = true;
    this.interrupt();
    this.changed();
  }

  /** Plays on; after the end, plays again from the start. */
  resume(): Promise<void> {
    if (!this.paused && !this.ended) return Promise.resolve();
    this.paused = false;
    if (this.ended && this.error === undefined) return this.queueSeek(this.start, true);
    this.reanchor(this.position);
    this.interrupt();
    this.changed();
    return Promise.resolve();
  }

  setSpeed(speed: ReplaySpeed): void {
    if (speed === this.speed) return;
    const position = this.currentPosition();
    this.speed = speed;
    this.reanchor(position);
    this.interrupt();
    this.changed();
  }

  /** The span found by a scan of the files. */
  setEnd(end: number): void {
    this.end = end;
    this.changed();
  }

  /**
   * Moves the replay to event time `time` (clamped to the replay's span), paused or playing as it was.
   * Resolves once there: for a forward seek, once the consumer has taken the ticks up to it. After the end,
   * a seek back plays again from the target (a rewind); a seek to the end or past it changes nothing: there is
   * nothing after the end to play, and the replay stays ended.
   */
  seek(time: number): Promise<void> {
    return this.queueSeek(time, false);
  }

  /** A seek through the queue; `again`: read the files again up to `time` even when it is not back in time. */
  private queueSeek(time: number, again: boolean): Promise<void> {
    // Seeks run one at a time. One more may wait; a later request replaces its target (a user dragging a
    // scrubber wants the last place, not every place on the way), so requests never queue up.
    if (this.waitingSeek !== undefined) {
      this.waitingSeek.time = time;
      this.waitingSeek.again = again;
      return this.waitingSeek.done;
    }
    const waiting: { time: number; again: boolean; done: Promise<void> } = { time, again, done: Promise.resolve() };
    waiting.done = this.seeking.then(() => {
      this.waitingSeek = undefined;
      return this.seekNow(waiting.time, waiting.again);
    });
    this.waitingSeek = waiting;
    this.seeking = waiting.done.catch(() => undefined);
    return waiting.done;
  }

  private seekNow(time: number, again: boolean): Promise<void> {
    if (this.closed || Number.isNaN(this.start)) return Promise.resolve();
    const target = Math.max(this.start, Number.isFinite(this.end) ? Math.min(time, this.end) : time);
    const position = this.currentPosition();
    if (!again && target >= position && this.error === undefined) {
      // Ended, the replay stands at its last tick: a target at or after it has nothing left to hand over.
      if (this.ended) return Promise.resolve();
      return this.forwardTo(target, position);
    }
    return this.rewind(target);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Tick, undefined>> {
    // The common case, a tick in hand that is due, without the async machinery.
    const tick = this.takeDue();
    return tick === undefined ? this.nextSlowly() : Promise.resolve({ done: false, value: tick });
  }

  /**
   * The next tick when it is in hand and due now (DueTicks, feeds/tick.ts), taken without a promise: the
   * server's FeedRunner takes these in a plain loop and calls next() only for the rest (waiting, pausing,
   * seeking, reading more, the end, and every TICKS_PER_CLOCK_CHECK-th tick, where next() may yield to the
   * event loop). Undefined otherwise, with nothing changed but the count towards that check.
   */
  takeDue(): Tick | undefined {
    const cursor = this.cursor;
    if (
      cursor === undefined ||
      this.closed ||
      this.paused ||
      this.ended ||
      this.rewinding ||
      this.error !== undefined ||
      this.forwardTarget !== undefined ||
      ++this.sliceTicks >= TICKS_PER_CLOCK_CHECK
    ) {
      return undefined;
    }
    const head = cursor.headTime();
    if (!Number.isFinite(head)) return undefined;
    // Paced: due once the replay clock, anchored at (anchorWall, position) and running at `speed`, reaches it.
    if (this.speed !== 'max' && this.anchorWall + (head - this.position) / this.speed > this.clock.now()) return undefined;
    return this.hand(cursor.take(), undefined);
  }

  private hand(tick: Tick, forward: number | undefined): Tick {
    this.handedSinceRewind++;
    if (!(tick.ts <= this.newest)) this.newest = tick.ts;
    if ((this.speed === 'max' || forward !== undefined) && tick.ts > this.position) this.position = tick.ts;
    return tick;
  }

  private async nextSlowly(): Promise<IteratorResult<Tick, undefined>> {
    for (;;) {
      if (this.closed) return DONE;
      const cursor = this.cursor;
      if (cursor === undefined) throw new Error('ReplayPlayer: open() before iterating');
      const forward = this.forwardTarget;
      if (this.rewinding || this.error !== undefined || this.ended || (this.paused && forward === undefined)) {
        if (this.host === undefined && !this.rewinding) {
          if (this.error !== undefined) throw this.error;
          if (this.ended) return DONE;
        }
        await this.wake.untilChange();
        continue;
      }
      const head = cursor.headTime();
      if (Number.isNaN(head)) {
        await this.fill(cursor);
        continue;
      }
      if (forward !== undefined) {
        if (head > forward) {
          this.finishForward(head === Number.POSITIVE_INFINITY ? this.newest : forward);
          continue;
        }
      } else if (head === Number.POSITIVE_INFINITY) {
        await this.reachEnd();
        continue;
      } else if (this.speed !== 'max') {
        const dueInMs = this.anchorWall + (head - this.position) / this.speed - this.clock.now();
        if (dueInMs > 0) {
          // A gap of more than 24.8 days (at speed 1) is slept in pieces: the loop works out what is due
          // from the anchor again after each, and a control interrupts any of them.
          await this.wake.sleep(Math.min(Math.max(dueInMs, PACING_BATCH_MS), MAX_TIMER_MS));
          continue;
        }
      }
      if (++this.sliceTicks >= TICKS_PER_CLOCK_CHECK) {
        this.sliceTicks = 0;
        const now = this.clock.now();
        if (now - this.sliceStart > MAX_UNPACED_SLICE_MS) {
          await yieldToEventLoop();
          this.sliceStart = this.clock.now();
          continue;
        }
      }
      return { done: false, value: this.hand(cursor.take(), forward) };
    }
  }

  /** Stops at once: a waiting `next()` settles as done and the files are closed. */
  async return(): Promise<IteratorResult<Tick, undefined>> {
    if (this.closed) return DONE;
    this.closed = true;
    this.interrupt();
    this.changed();
    this.forwardDone?.();
    await this.cursor?.close();
    return DONE;
  }

  private async fill(cursor: TickCursor): Promise<void> {
    try {
      await cursor.fill();
    } catch (error) {
      // A cursor replaced by a rewind meanwhile may fail as it is closed: that is no failure of the replay.
      if (cursor !== this.cursor || this.closed) return;
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    this.error = asError(error);
    this.position = this.currentPosition();
    if (this.forwardTarget !== undefined) this.finishForward(this.position);
    this.changed();
  }

  private async reachEnd(): Promise<void> {
    if (this.loop && this.handedSinceRewind > 0) {
      // A short pass waits at its end (pause, speed and seeks interrupt the wait), then the loop goes on.
      const wait = this.passStartWall + MIN_LOOP_PASS_MS - this.clock.now();
      if (wait > 0) {
        await this.wake.sleep(wait);
        return;
      }
      // Through the seek queue, but not awaited here: a seek waiting in it may need this iterator to move. A
      // rewind even when the start is where the pass ended (every tick at one instant): a forward seek there
      // would hand over nothing and bring the iterator straight back here, round and round without yielding.
      void this.queueSeek(this.start, true);
      await this.wake.untilChange();
      return;
    }
    this.ended = true;
    this.position = Number.isFinite(this.end) ? this.end : Number.isNaN(this.newest) ? this.position : this.newest;
    this.changed();
  }

  private forwardTo(target: number, position: number): Promise<void> {
    this.position = position;
    return new Promise((resolve) => {
      this.forwardTarget = target;
      this.forwardDone = resolve;
      this.interrupt();
      this.changed();
    });
  }

  private finishForward(position: number): void {
    const done = this.forwardDone;
    this.forwardTarget = undefined;
    this.forwardDone = undefined;
    this.reanchor(Number.isNaN(position) ? this.position : Math.max(this.position, position));
    this.changed();
    done?.();
  }

  /** Goes back to `target`: reads the files again from the start, giving the ticks up to it to the host. */
  private async rewind(target: number): Promise<void> {
    this.rewinding = true;
    this.interrupt();
    this.changed();
    const previous = this.cursor;
    const sink = this.host?.beginRewind();
    let cursor: TickCursor | undefined;
    let rebuilt: Rebuilt;
    try {
      cursor = await this.openCursor();
      rebuilt = await rebuildUpTo(cursor, target, sink, this.clock, () => this.closed);
    } catch (failure) {
      // The files cannot be opened again (deleted, say): the replay fails where it stood.
      rebuilt = { newest: Number.NaN, error: asError(failure) };
    }
    const { newest, error } = rebuilt;
    await previous?.close();
    if (cursor !== undefined) this.cursor = cursor;
    this.error = error;
    this.ended = false;
    this.handedSinceRewind = 0;
    this.passStartWall = this.clock.now();
    this.newest = newest;
    this.rewinds++;
    // A rebuild that failed on the way stopped at its newest good tick.
    this.reanchor(error === undefined ? target : Number.isNaN(newest) ? this.start : newest);
    // The host swaps its state in while the player already stands at the target (its state says so).
    this.host?.endRewind();
    this.rewinding = false;
    this.interrupt();
    this.changed();
  }

  private reanchor(position: number): void {
    this.position = position;
    this.anchorWall = this.clock.now();
  }

  /** Wakes the iterator so it looks at the state again. */
  private interrupt(): void {
    this.sliceStart = this.clock.now();
    this.wake.interrupt();
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new ReplayError('UNREADABLE', String(error));
}
