/** The simulator's options, their defaults and limits, and the one place they are validated. */
import { MAX_SYNTHETIC_SYMBOLS, syntheticInstruments, UNIVERSE, type SimulatedInstrument } from './universe.js';

export const DEFAULT_SEED = 42;
export const DEFAULT_TICKS_PER_SECOND = 2000;
/** Highest accepted rate; the generator makes well over this unpaced, a consumer rarely keeps up with it. */
export const MAX_TICKS_PER_SECOND = 1_000_000;
/** How often the paced feed wakes to hand over the ticks that have fallen due. */
export const DEFAULT_BATCH_INTERVAL_MS = 4;
export const MIN_BATCH_INTERVAL_MS = 1;
export const MAX_BATCH_INTERVAL_MS = 1000;
export const MAX_VOLATILITY_SCALE = 1000;
/** Longest warm start: one day of event time. */
export const MAX_WARMUP_MS = 86_400_000;

export interface SimulatorOptions {
  /** PRNG seed, any safe integer. Same seed and `startTime`, same ticks. Default 42. */
  readonly seed?: number;
  /** Long-run mean rate over all symbols, in ticks per second of event time. Default 2000. */
  readonly ticksPerSecond?: number;
  /** Event time of simulated offset zero, in ms since the Unix epoch. Default: `Date.now()` when an iteration starts. */
  readonly startTime?: number;
  /** Which symbols: a list of names from the universe, or a count (the most active ones). Default: all. */
  readonly symbols?: readonly string[] | number;
  /**
   * Adds this many synthetic symbols (`SYN0001`...) after the chosen ones, each behaving like a universe row,
   * for a market wider than the real 60 symbols (benchmarks use 500). Default 0.
   */
  readonly syntheticSymbols?: number;
  /** Paced feed only: how often it wakes to generate the ticks that have fallen due, in ms. Default 4. */
  readonly batchIntervalMs?: number;
  /**
   * Paced feed only: start this far in the past and play the first `warmupMs` of event time as fast as the
   * consumer takes it, so a server starts with minutes of bars to chart. Default 0.
   */
  readonly warmupMs?: number;
  /** Multiplies every symbol's volatility and jump sizes, e.g. 10 for a lively demo. Default 1 (realistic). */
  readonly volatilityScale?: number;
}

export interface ResolvedSimulatorOptions {
  readonly seed: number;
  readonly ticksPerSecond: number;
  readonly startTime: number | undefined;
  /** In universe order. */
  readonly instruments: readonly SimulatedInstrument[];
  readonly batchIntervalMs: number;
  readonly warmupMs: number;
  readonly volatilityScale: number;
}

const KNOWN_OPTIONS: ReadonlySet<string> = new Set<keyof SimulatorOptions>([
  'seed',
  'ticksPerSecond',
  'startTime',
  'symbols',
  'syntheticSymbols',
  'batchIntervalMs',
  'warmupMs',
  'volatilityScale',
]);

/** Applies defaults and throws a `RangeError` naming the option on any misuse. */
export function resolveOptions(options: SimulatorOptions = {}): ResolvedSimulatorOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`simulator options must be an object, got ${String(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw new RangeError(`unknown simulator option "${key}"; known: ${[...KNOWN_OPTIONS].join(', ')}`);
    }
  }
  const { seed = DEFAULT_SEED, ticksPerSecond = DEFAULT_TICKS_PER_SECOND, startTime } = options;
  const { batchIntervalMs = DEFAULT_BATCH_INTERVAL_MS, volatilityScale = 1, warmupMs = 0, syntheticSymbols = 0 } = options;

  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${String(seed)}`);
  if (!(Number.isFinite(ticksPerSecond) && ticksPerSecond > 0 && ticksPerSecond <= MAX_TICKS_PER_SECOND)) {
    throw new RangeError(`ticksPerSecond must be in (0, ${MAX_TICKS_PER_SECOND}], got ${String(ticksPerSecond)}`);
  }
  if (startTime !== undefined && !(Number.isFinite(startTime) && startTime >= 0)) {
    throw new RangeError(`startTime must be ms since the Unix epoch (finite, >= 0), got ${String(startTime)}`);
  }
  if (
    !(
      Number.isFinite(batchIntervalMs) &&
      batchIntervalMs >= MIN_BATCH_INTERVAL_MS &&
      batchIntervalMs <= MAX_BATCH_INTERVAL_MS
    )
  ) {
    throw new RangeError(
      `batchIntervalMs must be in [${MIN_BATCH_INTERVAL_MS}, ${MAX_BATCH_INTERVAL_MS}], got ${String(batchIntervalMs)}`,
    );
  }
  if (!(Number.isFinite(warmupMs) && warmupMs >= 0 && warmupMs <= MAX_WARMUP_MS)) {
    throw new RangeError(`warmupMs must be in [0, ${MAX_WARMUP_MS}] (one day), got ${String(warmupMs)}`);
  }
  if (!(Number.isFinite(volatilityScale) && volatilityScale > 0 && volatilityScale <= MAX_VOLATILITY_SCALE)) {
    throw new RangeError(`volatilityScale must be in (0, ${MAX_VOLATILITY_SCALE}], got ${String(volatilityScale)}`);
  }
  if (!(Number.isInteger(syntheticSymbols) && syntheticSymbols >= 0 && syntheticSymbols <= MAX_SYNTHETIC_SYMBOLS)) {
    throw new RangeError(`syntheticSymbols must be an integer in [0, ${MAX_SYNTHETIC_SYMBOLS}], got ${String(syntheticSymbols)}`);
  }
  return {
    seed,
    ticksPerSecond,
    startTime,
    instruments: [...selectInstruments(options.symbols), ...syntheticInstruments(syntheticSymbols)],
    batchIntervalMs,
    warmupMs,
    volatilityScale,
  };
}

function selectInstruments(symbols: readonly string[] | number | undefined): readonly SimulatedInstrument[] {
  if (symbols === undefined) return UNIVERSE;
  if (typeof symbols === 'number') {
    if (!(Number.isInteger(symbols) && symbols >= 1 && symbols <= UNIVERSE.length)) {
      throw new RangeError(`symbols as a count must be an integer in [1, ${UNIVERSE.length}], got ${symbols}`);
    }
    // The busiest ones, ties broken by universe order, then presented in universe order.
    const chosen = new Set(
      UNIVERSE.map((instrument, index) => ({ instrument, index }))
        .sort((x, y) => y.instrument.activity - x.instrument.activity || x.index - y.index)
        .slice(0, symbols)
        .map(({ instrument }) => instrument),
    );
    return UNIVERSE.filter((instrument) => chosen.has(instrument));
  }
  if (!Array.isArray(symbols) || symbols.length === 0) {
    throw new RangeError('symbols must be a non-empty list of symbol names or a count');
  }
  const wanted = new Set<string>();
  for (const symbol of symbols) {
    if (wanted.has(symbol)) throw new RangeError(`symbols lists "${String(symbol)}" twice`);
    wanted.add(symbol);
  }
  const known = new Set(UNIVERSE.map((instrument) => instrument.symbol));
  const unknown = [...wanted].filter((symbol) => !known.has(symbol));
  if (unknown.length > 0) {
    throw new RangeError(`unknown symbol(s) ${unknown.map((s) => `"${String(s)}"`).join(', ')}; see UNIVERSE`);
  }
  return UNIVERSE.filter((instrument) => wanted.has(instrument.symbol));
}
