/**
 * One file as a stream of tick batches: its lines (line-reader.ts) through its format's parser, then the
 * checks every format shares: a valid tick (feeds/tick.ts), a symbol the protocol can name (isSymbolName),
 * event time not too far behind the file's newest, and the `--from`/`--to` window. Strict by default: the first bad line ends the file with a ReplayError
 * (`FILE:LINE: reason`) after every good tick before it; with `skipBad` bad lines are counted by reason.
 */
import { isSymbolName, SYMBOL_NAME_RULE } from '../../client/protocol/messages.js';
import { tickProblem, tickProblemDetail, type Tick } from '../tick.js';
import { isoTime } from '../time.js';
import { ReplayError, type ReplayErrorCode } from './errors.js';
import { DETECTION_LINES, detectFormat, formatNamed, type FormatName, type ReplayFormat } from './formats/index.js';
import type { LineParser } from './formats/format.js';
import { LineReader, type LineBatch, type LineReaderOptions } from './line-reader.js';

export interface FileTicksOptions {
  /** Read the file as this format instead of detecting it. */
  readonly format?: FormatName;
  /** `--symbol`: the symbol of files that name none. */
  readonly symbol?: string;
  readonly skipBad: boolean;
  /** Ticks before this event time (ms) are left out. */
  readonly from: number;
  /** Ticks at or after this event time (ms) are left out. */
  readonly to: number;
  /** How far (ms) a tick's time may lie behind the newest already read from the file. */
  readonly maxOutOfOrderMs: number;
  /** Test hooks: line cap and chunk size. */
  readonly reader?: LineReaderOptions;
}

/** What reading a file found; the replay summary adds these up. */
export interface FileStats {
  readonly file: string;
  format: FormatName | undefined;
  /** Lines read. */
  lines: number;
  /** Ticks handed over (inside the window). */
  ticks: number;
  /** Valid ticks left out by `--from`/`--to`. */
  outside: number;
  /** Lines expected to carry no tick, by reason (`depth`, `header`, ...). */
  readonly ignored: Record<string, number>;
  /** Bad lines skipped with `--skip-bad`, by reason. */
  readonly skipped: Record<string, number>;
  readonly symbols: Set<string>;
  /** Event time of the oldest and newest tick handed over (NaN before the first). */
  firstTime: number;
  lastTime: number;
}

/** Distinct symbols a file's stats remember. */
export const MAX_SUMMARY_SYMBOLS = 100_000;

const TICK_PROBLEM_REASONS = {
  symbol: 'bad symbol',
  time: 'bad time',
  price: 'bad price',
  size: 'bad size',
  quote: 'bad quote',
  empty: 'no price and no quote',
} as const;

export class FileTicks {
  readonly stats: FileStats;
  private readonly reader: LineReader;
  private format: ReplayFormat | undefined;
  private parser: LineParser | undefined;
  /** Batches read for detection, still to be parsed. */
  private readonly early: LineBatch[] = [];
  private newest = Number.NEGATIVE_INFINITY;
  /** The symbol of the last tick that passed the symbol rule, and whether the summary lists it yet. */
  private lastSymbol = '';
  private lastListed = false;
  /** Every symbol that passed the rule, and whether a tick of it has been handed over (listed in stats.symbols). */
  private readonly symbolsSeen = new Map<string, boolean>();
  private finished = false;
  /** A strict-mode error, thrown once the ticks before it are handed over. */
  private failure: ReplayError | undefined;

  constructor(
    readonly file: string,
    private readonly options: FileTicksOptions,
  ) {
    this.reader = new LineReader(file, { ...options.reader, skipLongLines: options.skipBad });
    this.stats = {
      file,
      format: undefined,
      lines: 0,
      ticks: 0,
      outside: 0,
      ignored: {},
      skipped: {},
      symbols: new Set(),
      firstTime: Number.NaN,
      lastTime: Number.NaN,
    };
  }

  /** Bytes read and the file's size, for progress. */
  get bytesRead(): number {
    return this.reader.bytesRead;
  }

  get size(): number {
    return this.reader.size;
  }

  get formatName(): FormatName | undefined {
    return this.format?.name;
  }

  /** Opens the file and settles its format; every problem is a ReplayError naming the file. */
  async open(): Promise<void> {
    await this.reader.open();
    const head: string[] = [];
    while (head.length < DETECTION_LINES) {
      const batch = await this.reader.next();
      if (batch === undefined) break;
      this.early.push(batch);
      for (const line of batch.lines) {
        if (isBlank(line)) continue;
        head.push(line);
        if (head.length === DETECTION_LINES) break;
      }
    }
    if (head.length === 0) {
      await this.reader.close();
      throw new ReplayError('EMPTY', 'empty file: no lines but blank ones', this.file);
    }
    this.format = this.options.format === undefined ? detectFormat(head, this.file) : formatNamed(this.options.format);
    this.stats.format = this.format.name;
    this.parser = this.format.open(head, { file: this.file, symbol: this.options.symbol });
  }

  /** The next ticks in file order (never an empty batch), or undefined once the file is done. */
  async next(): Promise<Tick[] | undefined> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      if (this.finished) return undefined;
      let batch = this.early.shift();
      if (batch === undefined) {
        try {
          batch = await this.reader.next();
        } catch (error) {
          // Closed while a read was under way: the pass that wanted it is over.
          if (this.finished) return undefined;
          if (!(error instanceof ReplayError) || !this.options.skipBad) throw error;
          // --skip-bad: a truncated gzip or an unreadable tail ends this file; the others go on.
          this.count(this.stats.skipped, error.code === 'BAD_GZIP' ? 'bad gzip' : 'read error');
          batch = undefined;
        }
      }
      if (batch === undefined) {
        this.finished = true;
        this.stats.lines = this.reader.longLinesSkipped + this.stats.lines;
        if (this.reader.longLinesSkipped > 0) this.stats.skipped['line too long'] = this.reader.longLinesSkipped;
        return undefined;
      }
      const ticks = this.parse(batch);
      if (ticks.length > 0) return ticks;
    }
  }

  /** Stops reading (e.g. a seek starts a new pass). */
  async close(): Promise<void> {
    this.finished = true;
    await this.reader.close();
  }

  private parse(batch: LineBatch): Tick[] {
    const parser = this.parser!;
    const { from, to, maxOutOfOrderMs } = this.options;
    const { lines, firstLine } = batch;
    const stats = this.stats;
    const out: Tick[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      stats.lines++;
      if (isBlank(line)) continue;
      const before = out.length;
      const problem = parser.parse(line, out);
      if (problem !== undefined) {
        if (problem.kind === 'ignored') this.count(stats.ignored, problem.reason);
        else if (!this.bad('BAD_LINE', firstLine + i, problem.reason, problem.detail)) break;
        continue;
      }
      let kept = before;
      for (let j = before; j < out.length; j++) {
        const tick = out[j]!;
        const issue = tickProblem(tick);
        if (issue !== undefined) {
          if (!this.bad('BAD_LINE', firstLine + i, TICK_PROBLEM_REASONS[issue], tickProblemDetail(tick, issue))) return out.slice(0, kept);
          continue;
        }
        // The protocol's symbol rule, checked once per symbol: a file names the same few symbols over and over,
        // so a tick costs a comparison with the one before, and a change of symbol one look-up.
        const { symbol } = tick;
        if (symbol !== this.lastSymbol) {
          let listed = this.symbolsSeen.get(symbol);
          if (listed === undefined) {
            if (!isSymbolName(symbol)) {
              if (!this.bad('BAD_LINE', firstLine + i, TICK_PROBLEM_REASONS.symbol, describeSymbol(symbol))) return out.slice(0, kept);
              continue;
            }
            // Bounded: past the cap, symbols are checked (and listed) again as they come back.
            if (this.symbolsSeen.size >= MAX_SUMMARY_SYMBOLS) this.symbolsSeen.clear();
            this.symbolsSeen.set(symbol, false);
            listed = false;
          }
          this.lastSymbol = symbol;
          this.lastListed = listed;
        }
        const { ts } = tick;
        if (ts < this.newest - maxOutOfOrderMs) {
          const detail = `${isoTime(ts)} is ${formatSeconds(this.newest - ts)} before ${isoTime(this.newest)}, read earlier (at most ${formatSeconds(maxOutOfOrderMs)} allowed)`;
          if (!this.bad('OUT_OF_ORDER', firstLine + i, 'out of order', detail)) return out.slice(0, kept);
          continue;
        }
        if (ts > this.newest) this.newest = ts;
        if (ts < from || ts >= to) {
          stats.outside++;
          if (ts >= to + maxOutOfOrderMs) {
            // Nothing later in the file can fall inside the window without being out of order.
            this.finished = true;
            void this.reader.close();
            out.length = kept;
            return out;
          }
          continue;
        }
        out[kept++] = tick;
        stats.ticks++;
        if (!(ts >= stats.firstTime)) stats.firstTime = ts;
        if (!(ts <= stats.lastTime)) stats.lastTime = ts;
        if (!this.lastListed) {
          // The symbol's first tick handed over.
          this.lastListed = true;
          this.symbolsSeen.set(symbol, true);
          if (stats.symbols.size < MAX_SUMMARY_SYMBOLS) stats.symbols.add(symbol);
        }
      }
      out.length = kept;
    }
    return out;
  }

  /** Counts a bad line (`--skip-bad`, returns true) or records the error that ends the file (returns false). */
  private bad(code: ReplayErrorCode, line: number, reason: string, detail: string | undefined): boolean {
    if (this.options.skipBad) {
      this.count(this.stats.skipped, reason);
      return true;
    }
    this.failure = new ReplayError(code, detail === undefined ? reason : `${reason}: ${detail}`, this.file, line);
    void this.reader.close();
    return false;
  }

  private count(counts: Record<string, number>, reason: string): void {
    counts[reason] = (counts[reason] ?? 0) + 1;
  }
}

function isBlank(line: string): boolean {
  return line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim().length === 0);
}

function describeSymbol(symbol: string): string {
  const shown = symbol.length > 64 ? `${symbol.slice(0, 61)}...` : symbol;
  return `${JSON.stringify(shown)} (a symbol is ${SYMBOL_NAME_RULE})`;
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms)} ms`;
}
