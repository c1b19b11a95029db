import type { Bar } from '../../client/protocol/messages.js';
import { addVolume, foldBars } from '../../client/bars.js';

/**
 * Slots per bar in the backing array: time, open, high, low, close, volume, the event times of the trades
 * that set open and close, and gen.
 */
const STRIDE = 9;
const T = 0;
const O = 1;
const H = 2;
const L = 3;
const C = 4;
const V = 5;
const OPEN_TS = 6;
const CLOSE_TS = 7;
const G = 8;
/** The newest bar's copy (`newest`) holds the slots before G, laid out as in the ring. */
const NEWEST_SLOTS = G;

const INITIAL_CAPACITY_BARS = 64;
/** Late writes remembered for changedSince(); a reader further behind than this gets a full scan. */
const LATE_LOG_SIZE = 64;

/**
 * OHLCV bars of one interval for one symbol, oldest first, in a bounded ring that grows on demand up to
 * `capacity` bars and then forgets the oldest: memory stays flat on a feed that runs for days.
 *
 * Each bar remembers `gen`, the market flush generation in which it last changed, so a connection that has
 * seen everything up to generation P is sent exactly the bars with gen > P.
 *
 * Bars are keyed by start time and kept sorted; a late trade updates (or creates) the bar it belongs to as
 * long as that bar is still retained. Open is the trade with the earliest event time and close the one with
 * the latest (ties: arrival order), so a bar does not depend on the order its trades arrive in, and a bar
 * built from trades equals the fold of shorter bars built from the same trades (client/bars.ts).
 *
 * Nearly every trade lands in the newest bar, so the newest bar has a copy of its own (`newest`) that such a
 * trade updates alone; its slot in the ring catches up (settle()) before anything reads the ring. Why: the
 * ring is off the V8 heap, its newest bar at a different place for every symbol, and the first reads of the
 * ring and of that bar in a trade missed the caches: a third of what applying a tick cost (`perf` of the
 * benchmark's `hot` scenario). The copy is 64 bytes, which V8 keeps inside its heap beside the typed array
 * object.
 */
export class BarSeries {
  private data: Float64Array;
  /** The newest bar's values while `held` (the ring's slots before G); its gen is `newestGen`. */
  private readonly newest = new Float64Array(NEWEST_SLOTS);
  private newestGen = 0;
  /** `newest` holds the bar at index count - 1. */
  private held = false;
  /** `newest` changed since the ring's slot last took it: settle() before reading the ring. */
  private dirty = false;
  /** Ring slot of the oldest bar. */
  private head = 0;
  private count = 0;
  private slots: number;
  private readonly lateLog: { gen: number; time: number }[] = [];
  /** Newest generation among late writes the log has forgotten. */
  private lateOverflowGen = 0;
  /** Start time of the newest bar the ring has forgotten; NaN while it has forgotten none. */
  evictedThrough = Number.NaN;

  constructor(
    readonly intervalMs: number,
    readonly capacity: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.slots = Math.min(capacity, INITIAL_CAPACITY_BARS);
    this.data = new Float64Array(this.slots * STRIDE);
  }

  get length(): number {
    return this.count;
  }

  /** Start time of the bar containing `ts`. */
  bucket(ts: number): number {
    return Math.floor(ts / this.intervalMs) * this.intervalMs;
  }

  /** Backing-array offset of the i-th oldest bar. */
  private at(i: number): number {
    // i < slots and head < slots: one subtraction wraps it (a % here was a division per bar read).
    const slot = this.head + i;
    return (slot < this.slots ? slot : slot - this.slots) * STRIDE;
  }

  private time(i: number): number {
    return this.data[this.at(i) + T]!;
  }

  private gen(i: number): number {
    return this.data[this.at(i) + G]!;
  }

  private bar(i: number): Bar {
    const d = this.data;
    const o = this.at(i);
    return [d[o + T]!, d[o + O]!, d[o + H]!, d[o + L]!, d[o + C]!, d[o + V]!];
  }

  /** Index of the bar starting at `time`, or -(insertion point) - 1 when there is none (binary search). */
  private indexOf(time: number): number {
    // Trades nearly always land in the newest bar: check it before searching.
    if (this.count > 0 && this.time(this.count - 1) === time) return this.count - 1;
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const t = this.time(mid);
      if (t < time) lo = mid + 1;
      else if (t > time) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }

  /**
   * Adds a trade to the bar it belongs to. Returns false when the trade is older than everything retained
   * in a full ring (it cannot be placed without breaking the bound).
   */
  addTrade(ts: number, price: number, size: number, gen: number): boolean {
    const time = this.bucket(ts);
    if (this.held && this.newest[T] === time) {
      // The newest bar: its copy alone (the ring's slot catches up in settle()).
      addToBar(this.newest, 0, ts, price, size);
      this.newestGen = gen;
      this.dirty = true;
      return true;
    }
    this.settle();
    let i = this.indexOf(time);
    if (i < 0) {
      i = this.insertAt(-i - 1, time, price, ts, gen);
      if (i < 0) return false;
    }
    const o = this.at(i);
    addToBar(this.data, o, ts, price, size);
    this.data[o + G] = gen;
    this.noteLate(i, gen);
    // A new newest bar, or one before it that changed (the copy is still right then, but this is rare).
    this.hold();
    return true;
  }

  /** Writes the newest bar's copy to its slot in the ring when it changed there. */
  private settle(): void {
    if (!this.dirty) return;
    const d = this.data;
    const n = this.newest;
    const o = this.at(this.count - 1);
    for (let slot = 0; slot < NEWEST_SLOTS; slot++) d[o + slot] = n[slot]!;
    d[o + G] = this.newestGen;
    this.dirty = false;
  }

  /** Copies the newest bar from the ring (settled) for the trades after it. */
  private hold(): void {
    if (this.count === 0) {
      this.held = false;
      return;
    }
    const d = this.data;
    const n = this.newest;
    const o = this.at(this.count - 1);
    for (let slot = 0; slot < NEWEST_SLOTS; slot++) n[slot] = d[o + slot]!;
    this.newestGen = d[o + G]!;
    this.held = true;
  }

  /**
   * Opens an empty bar (o = h = l = c = price at `ts`, v = 0) at sorted position `pos`. Returns its index,
   * or -1 when the ring is full and the bar would be the oldest.
   */
  private insertAt(pos: number, time: number, price: number, ts: number, gen: number): number {
    if (this.count === this.slots) {
      if (this.slots < this.capacity) this.grow();
      else {
        if (pos === 0) return -1;
        // Forget the oldest bar to make room.
        this.evictedThrough = this.time(0);
        this.head = (this.head + 1) % this.slots;
        this.count--;
        pos--;
      }
    }
    // Shift the bars after `pos` one slot towards the newest end (rare: only late trades insert mid-ring).
    for (let j = this.count; j > pos; j--) {
      const to = this.at(j);
      const from = this.at(j - 1);
      this.data.copyWithin(to, from, from + STRIDE);
    }
    this.count++;
    const d = this.data;
    const o = this.at(pos);
    d[o + T] = time;
    d[o + O] = price;
    d[o + H] = price;
    d[o + L] = price;
    d[o + C] = price;
    d[o + V] = 0;
    d[o + G] = gen;
    d[o + OPEN_TS] = ts;
    d[o + CLOSE_TS] = ts;
    return pos;
  }

  private grow(): void {
    const slots = Math.min(this.capacity, this.slots * 2);
    const data = new Float64Array(slots * STRIDE);
    for (let i = 0; i < this.count; i++) {
      const from = this.at(i);
      data.set(this.data.subarray(from, from + STRIDE), i * STRIDE);
    }
    this.data = data;
    this.slots = slots;
    this.head = 0;
  }

  /**
   * Bars changed after generation `since`, oldest first. Ordinary trades only touch the newest bars, so
   * those form a suffix of the ring; trades that landed in older bars are found through the late-write log.
   */
  changedSince(since: number): Bar[] {
    this.settle();
    let first = this.count;
    while (first > 0 && this.gen(first - 1) > since) first--;
    const out: Bar[] = [];
    if (this.lateOverflowGen > since) {
      // The log forgot a late write that this reader has not seen: scan everything (rare).
      for (let i = 0; i < first; i++) if (this.gen(i) > since) out.push(this.bar(i));
    } else if (this.lateLog.length > 0) {
      const times = new Set<number>();
      for (const late of this.lateLog) if (late.gen > since) times.add(late.time);
      const older: number[] = [];
      for (const time of times) {
        const i = this.indexOf(time);
        if (i >= 0 && i < first && this.gen(i) > since) older.push(i);
      }
      older.sort((x, y) => x - y);
      for (const i of older) out.push(this.bar(i));
    }
    for (let i = first; i < this.count; i++) out.push(this.bar(i));
    return out;
  }

  /** Records a write that went to a bar other than the newest, for changedSince(). */
  private noteLate(index: number, gen: number): void {
    if (index === this.count - 1) return;
    if (this.lateLog.length === LATE_LOG_SIZE) {
      const dropped = this.lateLog.shift()!;
      this.lateOverflowGen = Math.max(this.lateOverflowGen, dropped.gen);
    }
    this.lateLog.push({ gen, time: this.time(index) });
  }

  /**
   * Takes over `other`'s bars (same interval and capacity; `other` must not be used again), every one
   * marked as changed in generation `gen`: a replay seeking back swaps in bars rebuilt off to the side.
   */
  adopt(other: BarSeries, gen: number): void {
    if (other.intervalMs !== this.intervalMs || other.capacity !== this.capacity) throw new RangeError('adopt(): bar series differ in interval or capacity');
    other.settle();
    this.data = other.data;
    this.head = other.head;
    this.count = other.count;
    this.slots = other.slots;
    this.evictedThrough = other.evictedThrough;
    this.lateLog.length = 0;
    this.lateOverflowGen = 0;
    for (let i = 0; i < this.count; i++) this.data[this.at(i) + G] = gen;
    this.dirty = false;
    this.hold();
  }

  /**
   * Puts a whole bar in place of the one with the same start (or adds it), marked as changed in generation
   * `gen`, unless it holds these values already. How a replica follows bars it is sent rather than trades
   * (server/cluster/). Returns whether anything changed; false too for a bar older than everything a full
   * ring retains. Its trades' event times are unknown, so later trades in it count as newer than all of them.
   */
  putBar(bar: Readonly<Bar>, gen: number): boolean {
    const [time, open, high, low, close, volume] = bar;
    this.settle();
    let i = this.indexOf(time);
    if (i < 0) {
      i = this.insertAt(-i - 1, time, open, time, gen);
      if (i < 0) return false;
    } else {
      const o = this.at(i);
      const d = this.data;
      if (d[o + O] === open && d[o + H] === high && d[o + L] === low && d[o + C] === close && d[o + V] === volume) return false;
    }
    const d = this.data;
    const o = this.at(i);
    d[o + O] = open;
    d[o + H] = high;
    d[o + L] = low;
    d[o + C] = close;
    d[o + V] = volume;
    d[o + G] = gen;
    this.noteLate(i, gen);
    this.hold();
    return true;
  }

  /** The newest `limit` bars starting before `end` (ms, exclusive), oldest first. */
  range(limit: number, end = Number.POSITIVE_INFINITY): Bar[] {
    this.settle();
    let stop = this.count;
    if (end !== Number.POSITIVE_INFINITY) {
      const i = this.indexOf(this.bucket(end - 1));
      stop = i >= 0 ? i + 1 : -i - 1;
    }
    const out: Bar[] = [];
    for (let i = Math.max(0, stop - limit); i < stop; i++) out.push(this.bar(i));
    return out;
  }

  /**
   * Every retained bar, folded into `intervalMs` buckets, without the oldest bucket when the ring has
   * forgotten part of it (a folded bar is returned only when complete).
   */
  folded(intervalMs: number): Bar[] {
    const bars = foldBars(this.range(this.count), intervalMs);
    const first = bars[0];
    if (first !== undefined && !Number.isNaN(this.evictedThrough) && this.evictedThrough >= first[0]) bars.shift();
    return bars;
  }
}

/**
 * A trade into the bar at `o` of `bar` (the ring, or the newest bar's copy: the same layout): open and close
 * by the trades' event times, whatever order they arrive in.
 */
function addToBar(bar: Float64Array, o: number, ts: number, price: number, size: number): void {
  if (ts < bar[o + OPEN_TS]!) {
    bar[o + O] = price;
    bar[o + OPEN_TS] = ts;
  }
  if (price > bar[o + H]!) bar[o + H] = price;
  if (price < bar[o + L]!) bar[o + L] = price;
  if (ts >= bar[o + CLOSE_TS]!) {
    bar[o + C] = price;
    bar[o + CLOSE_TS] = ts;
  }
  bar[o + V] = addVolume(bar[o + V]!, size);
}
