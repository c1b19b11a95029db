/**
 * One file as a stream of tick batches: its lines (line-reader.ts) through its format's parser, then the
 * checks every format shares: a valid tick (feeds/tick.ts), a symbol the protocol can name (isSymbolName),
 * event time in order (see `order()`), and the `--from`/`--to` window. Strict by default: the first bad line ends the file with a ReplayError
 * (`FILE:LINE: reason`) after every good tick before it; with `skipBad` bad lines are counted by reason.
 */
import { isSymbolName, SYMBOL_NAME_RULE } from '../../client/protocol/messages.js';
import { tickProblem, tickProblemDetail, type Tick } from '../tick.js';
import { isoTime } from '../time.js';
import { ReplayError, type ReplayErrorCode } from './errors.js';
import { DETECTION_LINES, detectFormat, formatNamed, type FormatName, type ReplayFormat } from './formats/index.js';
import type { LineParser } from './formats/format.js';
import { corruptGzip, gzipDamage, LineReader, type LineBatch, type LineReaderOptions } from './line-reader.js';

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
  /**
   * Checks of gzip files' integrity (`gzipDamage`) by path, shared by the passes of one replay, so a seek
   * back does not inflate a file through again to learn what an earlier pass did. Without it each
   * FileTicks runs its own, stopped when it is closed.
   */
  readonly gzipChecks?: Map<string, Promise<string | undefined>>;
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

/** A tick held back by the order check, and its line. */
interface Held {
  readonly tick: Tick;
  readonly line: number;
}

/** What the order check makes of a tick: hand it over, hold it back, or drop it (skipped, or the file stops). */
type Order = 'pass' | 'hold' | 'skip' | 'stop';

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
  /** The file's time: the newest event time handed over, or passed over by the window (see `order()`). */
  private newest = Number.NEGATIVE_INFINITY;
  /**
   * A tick with `low <= ts <= high` is in order and needs no more thought: within the tolerance of `newest`
   * either way, and nothing held. `high` is -Infinity while a tick is held (and before the first), so every
   * tick then goes through `order()`.
   */
  private low = Number.NEGATIVE_INFINITY;
  private high = Number.NEGATIVE_INFINITY;
  /** A tick far ahead of `newest`, held until the tick after it says whether the file's time moved on. */
  private held: Held | undefined;
  /** Before the file's time is known: a tick far behind the held first one, for the tick after it to judge. */
  private challenger: Held | undefined;
  /** Held ticks let through by `order()`, for `parse()` to hand over before the tick that let them through. */
  private readonly released: Tick[] = [];
  /** The symbol of the last tick that passed the symbol rule, and whether the summary lists it yet. */
  private lastSymbol = '';
  private lastListed = false;
  /** Every symbol that passed the rule, and whether a tick of it has been handed over (listed in stats.symbols). */
  private readonly symbolsSeen = new Map<string, boolean>();
  private finished = false;
  /** A strict-mode error, thrown once the ticks before it are handed over. */
  private failure: ReplayError | undefined;
  /**
   * A gzip file's first bad line may be damage in the compressed stream that only its checksum, at the end,
   * gives away: the whole file is then inflated once (`gzipDamage`) before anything after that line is
   * handed over. The check, the line, its reason, and (--skip-bad) whether the reading waits for the check.
   */
  private gzipCheck: Promise<string | undefined> | undefined;
  private gzipCheckAbort: AbortController | undefined;
  private firstBad: { readonly line: number; readonly reason: string } | undefined;
  private awaitingGzipCheck = false;

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
      if (this.awaitingGzipCheck) await this.gzipChecked();
      if (this.failure !== undefined) {
        // A bad line in a gzip file may be damage in the stream: the error says so when it is.
        await this.gzipChecked();
        throw this.failure;
      }
      if (this.finished) return undefined;
      let batch = this.early.shift();
      if (batch === undefined) {
        try {
          batch = await this.reader.next();
        } catch (error) {
          // Closed while a read was under way: the pass that wanted it is over.
          if (this.finished) return undefined;
          if (!(error instanceof ReplayError)) throw error;
          // A corrupt gzip stream is not a bad line: --skip-bad does not skip it (a stream cut short, it does).
          if (!this.options.skipBad || (error.code === 'BAD_GZIP' && !this.reader.truncated)) {
            // A held first tick goes first, as every good tick before a bad line does.
            this.failure = error;
            this.settle(error.line ?? Number.MAX_SAFE_INTEGER);
            const last = this.flushReleased([], 0);
            if (last.length > 0) return last;
            await this.gzipChecked();
            throw this.failure;
          }
          // --skip-bad: a truncated gzip or an unreadable tail ends this file; the others go on.
          this.count(this.stats.skipped, error.code === 'BAD_GZIP' ? 'truncated gzip' : 'read error');
          batch = undefined;
        }
      }
      if (batch === undefined) {
        this.finished = true;
        this.stats.lines = this.reader.longLinesSkipped + this.stats.lines;
        if (this.reader.longLinesSkipped > 0) this.stats.skipped['line too long'] = this.reader.longLinesSkipped;
        this.settle(Number.POSITIVE_INFINITY);
        const last = this.flushReleased([], 0);
        return last.length > 0 ? last : undefined;
      }
      const ticks = this.parse(batch);
      if (ticks.length > 0) return ticks;
    }
  }

  /** Stops reading (e.g. a seek starts a new pass). */
  async close(): Promise<void> {
    this.finished = true;
    this.gzipCheckAbort?.abort();
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
        else if (!this.bad('BAD_LINE', firstLine + i, problem.reason, problem.detail)) return this.flushReleased(out, out.length);
        else if (this.awaitingGzipCheck) this.deferRest(batch, i);
        continue;
      }
      let kept = before;
      for (let j = before; j < out.length; j++) {
        const tick = out[j]!;
        const issue = tickProblem(tick);
        if (issue !== undefined) {
          if (!this.bad('BAD_LINE', firstLine + i, TICK_PROBLEM_REASONS[issue], tickProblemDetail(tick, issue))) return this.flushReleased(out, kept);
          if (this.awaitingGzipCheck) this.deferRest(batch, i);
          continue;
        }
        // The protocol's symbol rule, checked once per symbol: a file names the same few symbols over and over,
        // so a tick costs a comparison with the one before, and a change of symbol one look-up.
        const { symbol } = tick;
        if (symbol !== this.lastSymbol) {
          let listed = this.symbolsSeen.get(symbol);
          if (listed === undefined) {
            if (!isSymbolName(symbol)) {
              if (!this.bad('BAD_LINE', firstLine + i, TICK_PROBLEM_REASONS.symbol, describeSymbol(symbol))) return this.flushReleased(out, kept);
              if (this.awaitingGzipCheck) this.deferRest(batch, i);
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
        if (!(ts >= this.low && ts <= this.high)) {
          // Far behind or far ahead of the file's time, or a tick is held: the rare path.
          const order = this.order(tick, firstLine + i);
          if (this.awaitingGzipCheck) this.deferRest(batch, i);
          const released = this.released;
          for (let r = 0; r < released.length; r++) {
            // Held ticks, handed over before this one: into a slot a dropped tick left, or in front of it.
            const early = released[r]!;
            if (!this.inWindow(early)) {
              if (this.finished) {
                released.length = 0;
                out.length = kept;
                return out;
              }
              continue;
            }
            if (kept < j) out[kept++] = early;
            else {
              out.splice(kept++, 0, early);
              j++;
            }
          }
          released.length = 0;
          if (order === 'stop') return out.slice(0, kept);
          if (order !== 'pass') continue;
        }
        if (ts > this.newest) {
          this.newest = ts;
          this.low = ts - maxOutOfOrderMs;
          this.high = ts + maxOutOfOrderMs;
        }
        if (ts < from || ts >= to) {
          if (this.outside(ts)) {
            out.length = kept;
            return out;
          }
          continue;
        }
        out[kept++] = tick;
        stats.ticks++;
        if (!(ts >= stats.firstTime)) stats.firstTime = ts;
        if (!(ts <= stats.lastTime)) stats.lastTime = ts;
        // The symbol's first tick handed over.
        if (!this.lastListed) this.list(symbol);
      }
      out.length = kept;
    }
    return out;
  }

  /**
   * The order check for a tick outside `low..high`. A tick more than the tolerance behind the file's time is
   * out of order. A tick more than the tolerance ahead of it may be the first after a gap (a night, a
   * weekend, a merged series) or a corrupt line (a digit flipped in its year): it is held, and the ticks
   * after it decide. The next tick, if it follows the held one (is not more than the tolerance behind it),
   * moves the file's time on to it; if it is back in step with the ticks before (within the tolerance of
   * the file's time), the held tick is the bad line, so one bad time never makes every later good line out
   * of order. A next tick in step with neither (far behind the held one, far ahead of the file's time) is
   * held beside it, and the tick after that sides with one of the two. A file's first tick has no ticks
   * before it, so it is held too, judged the same way. A tick still held at the end of the file is handed
   * over: nothing after it says otherwise (see `settle()`).
   */
  private order(tick: Tick, line: number): Order {
    const tolerance = this.options.maxOutOfOrderMs;
    const { ts } = tick;
    for (;;) {
      const held = this.held;
      if (held === undefined) {
        if (ts < this.newest - tolerance) return this.bad('OUT_OF_ORDER', line, 'out of order', behind(ts, this.newest, tolerance)) ? 'skip' : 'stop';
        if (ts <= this.newest + tolerance) return 'pass';
        this.held = { tick, line };
        this.high = Number.NEGATIVE_INFINITY;
        return 'hold';
      }
      const challenger = this.challenger;
      if (ts >= held.tick.ts - tolerance) {
        // It follows the held tick: the file's time moves on to that (and a tick held beside it is out of order).
        this.release(held);
        if (challenger !== undefined && !this.bad('OUT_OF_ORDER', challenger.line, 'out of order', behind(challenger.tick.ts, held.tick.ts, tolerance))) {
          return 'stop';
        }
        continue;
      }
      // Far behind the ticks before the held one too: out of order, and the held tick waits on.
      if (ts < this.newest - tolerance) return this.bad('OUT_OF_ORDER', line, 'out of order', behind(ts, this.newest, tolerance)) ? 'skip' : 'stop';
      if (ts > this.newest + tolerance && challenger === undefined) {
        // In step with neither: the next tick decides.
        this.challenger = { tick, line };
        return 'hold';
      }
      // Back in step with the ticks before the held one, or a second tick far behind it: the held tick is the
      // bad line, and a tick held beside it is judged in its place.
      this.held = challenger;
      this.challenger = undefined;
      if (challenger === undefined) this.high = this.newest + tolerance;
      const after = challenger === undefined ? `the next tick (${at(ts, line)})` : `the next two ticks (${at(challenger.tick.ts, challenger.line)}, ${at(ts, line)})`;
      const before = this.newest === Number.NEGATIVE_INFINITY ? '' : `${formatSeconds(held.tick.ts - this.newest)} after the newest time before it (${isoTime(this.newest)}) and `;
      const gap = held.tick.ts - Math.max(ts, challenger?.tick.ts ?? ts);
      const detail = `${isoTime(held.tick.ts)} is ${before}${formatSeconds(gap)}${challenger === undefined ? '' : ' or more'} after ${after}; ${allowed(tolerance)}`;
      if (!this.bad('OUT_OF_ORDER', held.line, 'far ahead', detail)) return 'stop';
    }
  }

  /** The file's time moves on to a held tick, which is handed over. */
  private release(held: Held): void {
    const tolerance = this.options.maxOutOfOrderMs;
    const { ts } = held.tick;
    this.held = undefined;
    this.challenger = undefined;
    this.released.push(held.tick);
    this.newest = ts;
    this.low = ts - tolerance;
    this.high = ts + tolerance;
  }

  /**
   * The file ends after a held tick: nothing after it says otherwise, so it is handed over. When it stops at a
   * bad line (`beforeLine`) instead, only a held first tick is: a tick held for its jump ahead is not known to
   * be good, and the replay would wait out its gap before it reported the error. A challenger of a held first
   * tick is out of order.
   */
  private settle(beforeLine: number): void {
    const { held, challenger } = this;
    if (held === undefined || held.line >= beforeLine) return;
    if (beforeLine !== Number.POSITIVE_INFINITY && this.newest !== Number.NEGATIVE_INFINITY) return;
    this.release(held);
    if (challenger !== undefined) this.bad('OUT_OF_ORDER', challenger.line, 'out of order', behind(challenger.tick.ts, held.tick.ts, this.options.maxOutOfOrderMs));
  }

  /** `out` cut to its first `kept` ticks, then the released ones inside the window: a batch that ends the file. */
  private flushReleased(out: Tick[], kept: number): Tick[] {
    out.length = kept;
    for (const tick of this.released) if (this.inWindow(tick)) out.push(tick);
    this.released.length = 0;
    return out;
  }

  /**
   * The window and the stats for a tick handed over by `order()`, as `parse()` does for the others: whether
   * it is inside `--from`/`--to` (once one is past `to` by the tolerance, the file is finished).
   */
  private inWindow(tick: Tick): boolean {
    const { from, to } = this.options;
    const { ts, symbol } = tick;
    const stats = this.stats;
    if (ts < from || ts >= to) {
      this.outside(ts);
      return false;
    }
    stats.ticks++;
    if (!(ts >= stats.firstTime)) stats.firstTime = ts;
    if (!(ts <= stats.lastTime)) stats.lastTime = ts;
    if (this.symbolsSeen.get(symbol) === false) this.list(symbol);
    return true;
  }

  /**
   * Counts a tick outside `--from`/`--to`. Once one is past `to` by the tolerance, nothing later in the file
   * can fall inside the window without being out of order: the file is finished (returns true).
   */
  private outside(ts: number): boolean {
    this.stats.outside++;
    if (ts < this.options.to + this.options.maxOutOfOrderMs) return false;
    this.finished = true;
    void this.reader.close();
    return true;
  }

  /** The summary lists a symbol from its first tick handed over. */
  private list(symbol: string): void {
    this.symbolsSeen.set(symbol, true);
    if (symbol === this.lastSymbol) this.lastListed = true;
    if (this.stats.symbols.size < MAX_SUMMARY_SYMBOLS) this.stats.symbols.add(symbol);
  }

  /** Counts a bad line (`--skip-bad`, returns true) or records the error that ends the file (returns false). */
  private bad(code: ReplayErrorCode, line: number, reason: string, detail: string | undefined): boolean {
    if (this.firstBad === undefined && this.reader.gzip && !this.reader.ended) this.checkGzip(line, detail === undefined ? reason : `${reason}: ${detail}`);
    if (this.options.skipBad) {
      this.count(this.stats.skipped, reason);
      return true;
    }
    this.failure = new ReplayError(code, detail === undefined ? reason : `${reason}: ${detail}`, this.file, line);
    void this.reader.close();
    // A first tick held from a line before this one goes first (and a challenger of it fails first).
    this.settle(line);
    return false;
  }

  /**
   * --skip-bad, once a gzip file's first bad line has started the check of its stream: the lines after line
   * `i` of the batch wait for it (back in `early`), and this parse ends with line `i`. Called where a bad line
   * is found, so the loop over lines pays nothing for it.
   */
  private deferRest(batch: LineBatch, i: number): void {
    const { lines, firstLine } = batch;
    if (i + 1 < lines.length) this.early.unshift({ lines: lines.slice(i + 1), firstLine: firstLine + i + 1 });
    lines.length = i + 1;
  }

  /** Starts the check of the whole gzip stream at its first bad line (see `gzipCheck`). */
  private checkGzip(line: number, reason: string): void {
    this.firstBad = { line, reason };
    const shared = this.options.gzipChecks;
    let check = shared?.get(this.file);
    if (check === undefined) {
      if (shared === undefined) this.gzipCheckAbort = new AbortController();
      check = gzipDamage(this.file, this.gzipCheckAbort?.signal);
      shared?.set(this.file, check);
    }
    this.gzipCheck = check;
    this.awaitingGzipCheck = this.options.skipBad;
  }

  /**
   * Waits for the gzip check, if one runs: corrupt data makes the file fail with BAD_GZIP at its first bad
   * line, in place of a strict-mode error about that line and under --skip-bad alike.
   */
  private async gzipChecked(): Promise<void> {
    const check = this.gzipCheck;
    const first = this.firstBad;
    this.awaitingGzipCheck = false;
    if (check === undefined || first === undefined) return;
    this.gzipCheck = undefined;
    const damage = await check;
    if (damage === undefined || this.finished) return;
    this.failure = new ReplayError(
      'BAD_GZIP',
      `${corruptGzip(damage)}; this line, the first bad one, is likely damaged data (${first.reason})`,
      this.file,
      first.line,
    );
    void this.reader.close();
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
  if (ms >= 86_400_000) {
    const days = Math.round(ms / 8_640_000) / 10;
    return `${days} ${days === 1 ? 'day' : 'days'}`;
  }
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms)} ms`;
}

function allowed(toleranceMs: number): string {
  return `at most ${formatSeconds(toleranceMs)} out of order allowed`;
}

/** A tick's time and line, for messages. */
function at(ts: number, line: number): string {
  return `${isoTime(ts)} on line ${line}`;
}

/** Why a tick far behind the file's time is out of order. */
function behind(ts: number, newest: number, toleranceMs: number): string {
  return `${isoTime(ts)} is ${formatSeconds(newest - ts)} before ${isoTime(newest)}, read earlier (at most ${formatSeconds(toleranceMs)} allowed)`;
}
