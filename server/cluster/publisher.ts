import type { Redis } from 'ioredis';
import type { Bar } from '../../client/protocol/messages.js';
import type { Instrument } from '../../feeds/tick.js';
import type { Market } from '../market/market.js';
import type { BarRetention, SymbolState } from '../market/symbol-state.js';
import { PUBLISH_MAX_BARS_PER_RECORD } from './config.js';
import type { ClusterKeys } from './keys.js';
import { publishRecord, type BarWrites, type SymbolWrite } from './publish-script.js';
import type { FeedStatusMessage } from '../../client/protocol/messages.js';
import { RECORD_VERSION, encodeRecord, encodeValue, type LostKey, type PublishedEntry } from './records.js';
import type { ReplayNews } from './replay-relay.js';

export interface PublisherOptions {
  readonly ingestId: string;
  readonly streamMaxEntries: number;
  readonly retention: BarRetention;
  /**
   * Told of each key whose content the publish script found lost, holding another type (replaced) or, for
   * `symbols` and `instruments`, missing (deleted): what it held is then published again whole.
   */
  readonly replaced?: (key: string, lost: LostKey) => void;
}

export interface PublisherCounters {
  /** Flush records written. */
  records: number;
  /** Symbol entries written. */
  entries: number;
  /** Bars written (1 s and 1 min). */
  bars: number;
  /** Bytes of flush records written. */
  recordBytes: number;
}

/** What a publish carries besides the market, on its last record. */
export interface RecordNews {
  /** A replaying ingest's state and the control requests it carried out (replay-relay.ts). */
  readonly replay?: ReplayNews;
  /** A live feed's status, when it changed (feed-status-relay.ts): also kept in the `feed-status` key. */
  readonly feed?: FeedStatusMessage;
}

interface Part {
  readonly entries: PublishedEntry[];
  readonly writes: SymbolWrite[];
  readonly instruments: Instrument[];
  bars: number;
}

function barWrites(bars: readonly Bar[]): BarWrites {
  return { times: bars.map((bar) => bar[0]), encoded: bars.map((bar) => encodeValue(bar)) };
}

/**
 * Writes the ingest's market to Redis: after each flush, every symbol that changed since what Redis
 * holds (`through`), as one flush record and the state keys it updates (publish-script.ts). Nothing
 * queues: while Redis is away flushes go unpublished, and the next publish carries everything changed
 * since `through`, merged, as the hub does for a slow client. A publish too large for one record (all of
 * it, after Redis lost its data) is split, and `through` advances only when the last part is written.
 */
export class Publisher {
  /** Redis holds this market as of this generation; -1: nothing of it. */
  through = -1;
  /** When the last record was written (ms). */
  lastPublishedAt = 0;
  readonly counters: PublisherCounters = { records: 0, entries: 0, bars: 0, recordBytes: 0 };
  private readonly announced = new Set<string>();
  /** Symbols Redis holds unreadably or not at all: the next publish writes each whole, as a first publish does. */
  private readonly whole = new Set<string>();
  /** The next publish starts the market over under this dataset: every symbol's bars replaced. */
  private startingOver: string | undefined;
  /** Counts forget() and startOver(): one during a publish keeps that publish from marking Redis complete. */
  private resets = 0;

  constructor(
    private readonly client: Redis,
    private readonly keys: ClusterKeys,
    private readonly market: Market,
    private readonly options: PublisherOptions,
  ) {}

  /** Redis holds nothing of this market (it lost its data, or holds another ingest's): publish it all next. */
  forget(): void {
    this.resets++;
    this.through = -1;
    this.announced.clear();
    this.whole.clear();
  }

  /**
   * The market started over (a replay went back in time): the next publish replaces everything Redis
   * holds of it, bars included, under a new `dataset`, so gateways rebuild their replicas from scratch.
   */
  startOver(dataset: string): void {
    this.resets++;
    this.through = -1;
    this.startingOver = dataset;
  }

  /**
   * Redis holds this market as of `gen` (restored from it), every instrument included, but for `missing`:
   * symbols it held unreadably or not at all, which the next publish writes whole (entry, instrument and
   * every bar), as a first publish does.
   */
  markPublished(gen: number, missing: ReadonlySet<string> = new Set()): void {
    this.through = gen;
    for (const state of this.market.all()) if (!missing.has(state.symbol)) this.announced.add(state.symbol);
    this.publishWhole(missing);
  }

  /** Redis holds these symbols unreadably or not at all: the next publish writes each whole (entry, instrument, every bar). */
  private publishWhole(symbols: Iterable<string>): void {
    for (const symbol of symbols) {
      this.announced.delete(symbol);
      this.whole.add(symbol);
    }
  }

  /**
   * The symbols whose stored values a replaced key held: a bar key's symbol (among `writes`), every symbol
   * for `symbols` and `instruments`; none for the stream and `seq`, which hold no state.
   */
  private heldBy(key: string, writes: readonly SymbolWrite[]): string[] {
    if (key === this.keys.symbols || key === this.keys.instruments) return [...this.market.all()].map((state) => state.symbol);
    const write = writes.find(({ symbol }) => key === this.keys.secondBars(symbol) || key === this.keys.minuteBars(symbol));
    return write === undefined ? [] : [write.symbol];
  }

  /** Whether anything changed after what Redis holds. */
  get behind(): boolean {
    if (this.whole.size > 0) return true;
    for (const state of this.market.all()) if (state.changedGen > this.through) return true;
    return false;
  }

  /**
   * Publishes what changed after `through`, through generation `gen` (closed by the market's last flush;
   * nothing after it has been applied yet) at `time` (ms, the flush's), in the market's `dataset`. With
   * nothing changed, writes an empty record: a heartbeat. `news` rides on the last part.
   */
  async publish(gen: number, dataset: string, time = Date.now(), news: RecordNews = {}): Promise<void> {
    const since = this.through;
    const startingOver = this.startingOver;
    const resets = this.resets;
    const whole = [...this.whole];
    const parts = this.parts(since);
    // The symbols whose values a replaced key held: the next publish writes them whole, whether this one
    // completes or not (after it has dropped the ones it wrote whole).
    const rewrite = new Set<string>();
    try {
      await this.publishParts(parts, gen, dataset, time, news, startingOver, rewrite);
      if (this.resets === resets) {
        this.through = gen;
        this.startingOver = undefined;
        for (const symbol of whole) this.whole.delete(symbol);
      }
      this.lastPublishedAt = Date.now();
    } finally {
      this.publishWhole(rewrite);
    }
  }

  /** Writes `parts` in order, the last completing the publish; adds to `rewrite` what each replaced key held. */
  private async publishParts(parts: readonly Part[], gen: number, dataset: string, time: number, news: RecordNews, startingOver: string | undefined, rewrite: Set<string>): Promise<void> {
    const { replay, feed } = news;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      const last = i === parts.length - 1;
      const record = encodeRecord({
        v: RECORD_VERSION,
        ingest: this.options.ingestId,
        dataset,
        gen,
        time,
        more: last ? undefined : true,
        entries: part.entries,
        instruments: part.instruments.length > 0 ? part.instruments : undefined,
        replay: last ? replay?.state : undefined,
        answers: last && replay?.answers !== undefined && replay.answers.length > 0 ? replay.answers : undefined,
        feed: last ? feed : undefined,
      });
      const { replaced, missing } = await publishRecord(this.client, this.keys, {
        ingestId: this.options.ingestId,
        gen: i === parts.length - 1 ? gen : undefined,
        streamMaxEntries: this.options.streamMaxEntries,
        secondBarsKept: this.options.retention.secondBars,
        minuteBarsKept: this.options.retention.minuteBars,
        record,
        symbols: part.writes,
        // An instrument announced: its entry and it were written (and stay, but for a takeover's clearing).
        held: this.announced.size > 0,
        dataset: i === 0 && startingOver !== undefined ? startingOver : undefined,
        replace: startingOver !== undefined,
        feedStatus: last && feed !== undefined ? encodeValue(feed) : undefined,
      });
      this.counters.records++;
      this.counters.entries += part.entries.length;
      this.counters.bars += part.bars;
      this.counters.recordBytes += record.byteLength;
      for (const instrument of part.instruments) this.announced.add(instrument.symbol);
      const lost = [...replaced.map((key) => [key, 'another type'] as const), ...missing.map((key) => [key, 'missing'] as const)];
      for (const [key, how] of lost) {
        this.options.replaced?.(key, how);
        for (const symbol of this.heldBy(key, part.writes)) rewrite.add(symbol);
      }
    }
  }

  /** What changed after `since`, in parts of at most PUBLISH_MAX_BARS_PER_RECORD bars (always at least one part). */
  private parts(since: number): Part[] {
    const parts: Part[] = [];
    let part: Part = { entries: [], writes: [], instruments: [], bars: 0 };
    for (const state of this.market.all()) {
      // A symbol to be written whole: everything about it, as if nothing had been published.
      const from = this.whole.has(state.symbol) ? -1 : since;
      if (state.changedGen <= from) continue;
      const change = this.changeOf(state, from);
      if (part.bars > 0 && part.bars + change.bars > PUBLISH_MAX_BARS_PER_RECORD) {
        parts.push(part);
        part = { entries: [], writes: [], instruments: [], bars: 0 };
      }
      part.entries.push(change.entry);
      part.writes.push(change.write);
      if (change.instrument !== undefined) part.instruments.push(change.instrument);
      part.bars += change.bars;
    }
    parts.push(part);
    return parts;
  }

  /**
   * One state's changes after `since`: for the record, for the state keys, and how many bars they hold. Its
   * instrument, when published, goes at its place in the market's order.
   */
  private changeOf(state: SymbolState, since: number): { entry: PublishedEntry; write: SymbolWrite; instrument: Instrument | undefined; bars: number } {
    const entry = state.entrySince(since, true) ?? { s: state.symbol };
    const minutes = state.minutes.changedSince(since);
    const seconds = entry.k ?? [];
    const instrument = this.announced.has(state.symbol) ? undefined : state.instrument;
    return {
      entry: minutes.length > 0 ? { e: entry, m: minutes } : { e: entry },
      write: {
        symbol: state.symbol,
        entry: encodeValue(state.snapshot(0)),
        instrument: instrument === undefined ? undefined : { index: state.index, encoded: encodeValue(instrument) },
        seconds: barWrites(seconds),
        minutes: barWrites(minutes),
      },
      instrument,
      bars: seconds.length + minutes.length,
    };
  }
}
