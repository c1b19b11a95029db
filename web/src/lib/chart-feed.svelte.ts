import { INTERVAL_MS, barIndex, bucketOf, foldBars, mergeBar, sameBar, type Bar, type Interval, type TickerClient } from '../../../client/index.js';

/** Intervals the chart offers. */
export const CHART_INTERVALS = ['1s', '5s', '1m', '5m'] as const satisfies readonly Interval[];
export type ChartInterval = (typeof CHART_INTERVALS)[number];

export function isChartInterval(value: unknown): value is ChartInterval {
  return typeof value === 'string' && (CHART_INTERVALS as readonly string[]).includes(value);
}

/** Bars of the chosen interval asked for on each load. */
export const HISTORY_LIMIT_BARS = 600;
/** Bars shown at most; beyond this plus some slack the oldest are dropped (one full redraw). */
export const MAX_SHOWN_BARS = 3_000;
const TRIM_SLACK_BARS = 500;
/**
 * Buckets whose 1 s bars are kept for the live fold: the forming one and the one before it, which a late
 * trade may still change.
 */
const TRACKED_BUCKETS = 2;
const SECOND_MS = 1_000;
/** A failed load is tried again after this, doubling per failure up to RETRY_MAX_MS. */
export const RETRY_MIN_MS = 1_000;
export const RETRY_MAX_MS = 30_000;

export interface ChartFeedOptions {
  /**
   * How long the shown symbol and interval must stay put before their bars are asked for: a selection
   * moved row by row (a held arrow key) loads only where it stops. 0: at once.
   */
  readonly settleMs?: number;
  /** Called just before each load's requests go out (the dashboard sends the chart's subscription then). */
  readonly beforeLoad?: () => void;
}

/** Where the chart's bars go: the view (lightweight-charts) implements this. */
export interface BarSink {
  /** Replaces every bar: a load, a reload, a bar inserted behind the newest, or a trim of the oldest. */
  reset(bars: readonly Bar[]): void;
  /**
   * Replaces the newest bar (same time) or appends a newer one; with `historical`, replaces an existing bar
   * older than the newest (a late trade, or a bar re-sent after the load already had it).
   */
  upsert(bar: Bar, historical: boolean): void;
}

export type ChartStatus = 'idle' | 'loading' | 'live' | 'error';

/**
 * The bars of one symbol at one interval: filled from `history`, then kept live from the 1 s bars carried in
 * snapshots and updates (the symbol must be subscribed with `bars: true`).
 *
 * For intervals above 1 s the forming candle is folded here from its 1 s bars with the same foldBars the
 * server's `history` uses (client/bars.ts), so a live candle equals the one `history` would return. To fold a bucket exactly, all of its
 * 1 s bars must be known: each load asks for the interval's bars and then for the 1 s bars of the last two
 * buckets. Both answers arrive on the socket after every update sent before them, so live bars received
 * while loading are older than the answers and are dropped; once loaded, every change arrives live.
 *
 * At most one load is in flight: a load asked for meanwhile (another symbol, a reload) starts when it ends,
 * and the superseded answer is dropped. A load that fails is tried again, later each time, until it succeeds
 * or something else is shown.
 */
export class ChartFeed {
  symbol = $state<string | undefined>(undefined);
  interval = $state<ChartInterval>('1s');
  status = $state<ChartStatus>('idle');
  error = $state<string | undefined>(undefined);
  /** Bars shown now. */
  barCount = $state(0);
  /** Completed loads: each load or reload (interval change, reconnect, lost frame) adds one. */
  loads = $state(0);
  /** The newest bar shown (the forming one). */
  latest = $state.raw<Readonly<Bar> | undefined>(undefined);

  private bars: Bar[] = [];
  /** 1 s bars of the tracked buckets, each list sorted by time, by bucket start. */
  private readonly seconds = new Map<number, Bar[]>();
  /** Buckets from here on are fully known (their 1 s bars are in `seconds` or arrive live). */
  private trackFrom = Number.POSITIVE_INFINITY;
  private live = false;
  private loadToken = 0;
  /** The settle (or retry) delay before the next load. */
  private loadTimer: ReturnType<typeof setTimeout> | undefined;
  /** A load's requests are out; the next waits for their answers. */
  private inFlight = false;
  /** A load became due while one was in flight. */
  private loadQueued = false;
  /** Loads of the current symbol and interval that failed in a row. */
  private failures = 0;
  private sink: BarSink | undefined;
  private readonly settleMs: number;
  private readonly beforeLoad: (() => void) | undefined;
  private readonly unlisten: readonly (() => void)[];

  constructor(
    private readonly client: TickerClient,
    options: ChartFeedOptions = {},
  ) {
    this.settleMs = options.settleMs ?? 0;
    this.beforeLoad = options.beforeLoad;
    this.unlisten = [
      client.on('update', (_view, entry) => {
        if (entry.k !== undefined && entry.s === this.symbol) this.onLiveBars(entry.k);
      }),
      client.on('snapshot', (_view, message) => {
        if (message.data.k !== undefined && message.symbol === this.symbol) this.onLiveBars(message.data.k);
      }),
      client.on('state', ({ newState }) => {
        // A new connection (perhaps to a restarted server): reload so the chart has no gap.
        if (newState === 'connected') this.reload();
        else {
          this.live = false;
          clearTimeout(this.loadTimer);
          this.loadTimer = undefined;
        }
      }),
      client.on('gap', () => this.reload()),
    ];
  }

  /** Shows `symbol` (none: an empty chart) at `interval`; loads only if either changed. */
  show(symbol: string | undefined, interval: ChartInterval = this.interval): void {
    if (symbol === this.symbol && interval === this.interval) return;
    this.symbol = symbol;
    this.interval = interval;
    // Not the old symbol's or interval's candles under the new title while loading.
    this.replaceAll([]);
    this.reload();
  }

  /** Connects the view; it receives the current bars at once. Returns the function that disconnects it. */
  attach(sink: BarSink): () => void {
    this.sink = sink;
    sink.reset(this.bars);
    return () => {
      if (this.sink === sink) this.sink = undefined;
    };
  }

  /** The shown bar starting at `time` (ms), if any. */
  barAt(time: number): Readonly<Bar> | undefined {
    const bar = this.bars[this.indexOf(time)];
    return bar !== undefined && bar[0] === time ? bar : undefined;
  }

  /** Loads the bars again from `history`; when not connected, the next connection does it. */
  reload(): void {
    ++this.loadToken;
    this.failures = 0;
    this.live = false;
    this.seconds.clear();
    this.trackFrom = Number.POSITIVE_INFINITY;
    this.error = undefined;
    const { symbol, interval } = this;
    if (symbol === undefined) {
      this.replaceAll([]);
      this.status = 'idle';
      return;
    }
    this.status = 'loading';
    this.schedule(this.settleMs);
  }

  dispose(): void {
    for (const off of this.unlisten) off();
    this.loadToken++;
    clearTimeout(this.loadTimer);
    this.sink = undefined;
  }

  /** Starts the current symbol's load after `delay` ms (restarting the wait if one was under way). */
  private schedule(delay: number): void {
    clearTimeout(this.loadTimer);
    this.loadTimer = undefined;
    // Not connected: the next connection reloads.
    if (this.client.state !== 'connected') return;
    if (delay <= 0) this.startLoad();
    else this.loadTimer = setTimeout(() => this.startLoad(), delay);
  }

  private startLoad(): void {
    this.loadTimer = undefined;
    if (this.inFlight) {
      this.loadQueued = true;
      return;
    }
    const { symbol, interval, loadToken: token } = this;
    if (symbol === undefined || this.client.state !== 'connected') return;
    this.inFlight = true;
    this.status = 'loading';
    this.beforeLoad?.();
    void this.load(token, symbol, interval).finally(() => {
      this.inFlight = false;
      if (!this.loadQueued) return;
      this.loadQueued = false;
      if (this.loadTimer === undefined) this.startLoad();
    });
  }

  private async load(token: number, symbol: string, interval: ChartInterval): Promise<void> {
    const intervalMs = INTERVAL_MS[interval];
    const secondsLimit = interval === '1s' ? HISTORY_LIMIT_BARS : (TRACKED_BUCKETS * intervalMs) / SECOND_MS;
    try {
      // The 1 s request goes second, so its answer is the newer of the two.
      const barsAnswer = this.client.history(symbol, interval, { limit: HISTORY_LIMIT_BARS });
      const secondsAnswer = interval === '1s' ? barsAnswer : this.client.history(symbol, '1s', { limit: secondsLimit });
      const [bars, seconds] = await Promise.all([barsAnswer, secondsAnswer]);
      if (token !== this.loadToken) return;
      this.start(bars, seconds, secondsLimit, intervalMs);
    } catch (error) {
      if (token !== this.loadToken) return;
      this.status = 'error';
      const reason = error instanceof Error ? error.message : String(error);
      // A lost connection reloads when it comes back (the state listener); anything else is tried again.
      if (this.client.state !== 'connected') {
        this.error = reason;
        return;
      }
      const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(this.failures, 16));
      this.failures++;
      this.error = `${reason} (trying again in ${Math.round(delay / SECOND_MS)} s)`;
      this.schedule(delay);
    }
  }

  /** Joins the two history answers and goes live. */
  private start(bars: readonly Bar[], seconds: readonly Bar[], secondsLimit: number, intervalMs: number): void {
    // With a full answer, 1 s bars before the first one returned may exist: buckets starting before it are
    // only partly covered and keep the interval answer's bar. With a short answer, everything was returned.
    const coveredFrom = seconds.length >= secondsLimit ? seconds[0]![0] : Number.NEGATIVE_INFINITY;
    const firstFullBucket = Math.ceil(coveredFrom / intervalMs) * intervalMs;
    const covered = seconds.filter((bar) => bar[0] >= firstFullBucket);
    const shown = bars.filter((bar) => bar[0] < firstFullBucket).map(copyBar);
    shown.push(...foldBars(covered, intervalMs));

    if (intervalMs > SECOND_MS) {
      const newest = covered.at(-1);
      this.trackFrom =
        newest === undefined
          ? firstFullBucket
          : Math.max(firstFullBucket, bucketOf(newest[0], intervalMs) - (TRACKED_BUCKETS - 1) * intervalMs);
      for (const bar of covered) {
        const bucket = bucketOf(bar[0], intervalMs);
        if (bucket < this.trackFrom) continue;
        let list = this.seconds.get(bucket);
        if (list === undefined) this.seconds.set(bucket, (list = []));
        list.push(copyBar(bar));
      }
    }
    this.replaceAll(shown);
    this.failures = 0;
    this.error = undefined;
    this.live = true;
    this.status = 'live';
    this.loads++;
  }

  private onLiveBars(bars: readonly Bar[]): void {
    if (!this.live) return;
    const intervalMs = INTERVAL_MS[this.interval];
    for (const bar of bars) {
      if (intervalMs === SECOND_MS) {
        this.put(copyBar(bar));
        continue;
      }
      const bucket = bucketOf(bar[0], intervalMs);
      // Older than the tracked buckets (a very late trade): the next load has it right.
      if (bucket < this.trackFrom) continue;
      let list = this.seconds.get(bucket);
      if (list === undefined) {
        this.seconds.set(bucket, (list = []));
        this.forgetBucketsBefore(bucket - (TRACKED_BUCKETS - 1) * intervalMs);
      }
      mergeBar(list, bar);
      this.put(foldBars(list, intervalMs)[0]!);
    }
  }

  private forgetBucketsBefore(bucket: number): void {
    if (bucket <= this.trackFrom) return;
    this.trackFrom = bucket;
    for (const start of this.seconds.keys()) if (start < bucket) this.seconds.delete(start);
  }

  private put(bar: Bar): void {
    const bars = this.bars;
    const newest = bars[bars.length - 1];
    if (newest === undefined || newest[0] < bar[0]) {
      bars.push(bar);
      if (bars.length > MAX_SHOWN_BARS + TRIM_SLACK_BARS) {
        bars.splice(0, bars.length - MAX_SHOWN_BARS);
        this.replaceAll(bars);
        return;
      }
      this.barCount = bars.length;
      this.latest = bar;
      this.sink?.upsert(bar, false);
    } else if (newest[0] === bar[0]) {
      bars[bars.length - 1] = bar;
      this.latest = bar;
      this.sink?.upsert(bar, false);
    } else {
      // Behind the newest bar: a late trade, or a bar the load already had that an update sends again
      // (it changed in the flush that the history answer preceded).
      const index = this.indexOf(bar[0]);
      const old = bars[index];
      if (old !== undefined && old[0] === bar[0]) {
        if (sameBar(old, bar)) return;
        bars[index] = bar;
        this.sink?.upsert(bar, true);
      } else {
        bars.splice(index, 0, bar);
        this.replaceAll(bars);
      }
    }
  }

  /** Index of the first shown bar starting at or after `time`. */
  private indexOf(time: number): number {
    return barIndex(this.bars, time);
  }

  private replaceAll(bars: Bar[]): void {
    this.bars = bars;
    this.barCount = bars.length;
    this.latest = bars[bars.length - 1];
    this.sink?.reset(bars);
  }
}

function copyBar(bar: Readonly<Bar>): Bar {
  return [bar[0], bar[1], bar[2], bar[3], bar[4], bar[5]];
}
