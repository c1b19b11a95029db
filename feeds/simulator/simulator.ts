/**
 * `createSimulator(options)`: a seeded, deterministic simulated market behind the `Feed` seam. The same seed and
 * `startTime` give exactly the same ticks, whether played in real time (`for await`) or drawn unpaced (`ticks()`).
 */
import type { DueTicks, Feed, FeedInfo, Instrument, Tick } from '../tick.js';
import { SimulatedMarket } from './market.js';
import { resolveOptions, type ResolvedSimulatorOptions, type SimulatorOptions } from './options.js';
import { PacedTicks } from './paced-ticks.js';
import { toInstrument } from './universe.js';

/**
 * The paced feed's iterator; `return()` is always present and stops it at once, even mid-wait. `takeDue()`
 * hands over a tick already due without a promise.
 */
export interface PacedTickIterator extends AsyncIterableIterator<Tick, undefined, undefined>, DueTicks {
  return(): Promise<IteratorResult<Tick, undefined>>;
}

export interface Simulator extends Feed {
  /** The options in force, defaults filled in. */
  readonly options: ResolvedSimulatorOptions;
  /**
   * Paced in real time: each iteration replays the sequence from the seed, with event times from `startTime`
   * (default: `Date.now()` as the iteration starts) following the wall clock. `break` or `return()` stops it.
   */
  [Symbol.asyncIterator](): PacedTickIterator;
  /**
   * The same sequence, unpaced, as fast as it can be made: the first `count` ticks (default: without end).
   * Event times start at `startTime` (default: `Date.now()` at this call).
   */
  ticks(count?: number): Generator<Tick, void, undefined>;
}

export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const resolved = resolveOptions(options);
  const { seed, ticksPerSecond, instruments, batchIntervalMs, warmupMs } = resolved;
  const equities = instruments.filter((instrument) => instrument.assetClass === 'equity').length;
  const info: FeedInfo = {
    kind: 'simulated',
    description:
      `simulator seed=${seed}, ${ticksPerSecond} ticks/s, ${instruments.length} symbols ` +
      `(${equities} equities, ${instruments.length - equities} crypto)` +
      (warmupMs > 0 ? `, warm start ${formatDuration(warmupMs)}` : ''),
  };
  const feedInstruments: readonly Instrument[] = Object.freeze(instruments.map(toInstrument));
  const newMarket = (): SimulatedMarket => new SimulatedMarket(resolved, resolved.startTime ?? Date.now());

  return {
    info,
    instruments: feedInstruments,
    options: resolved,
    [Symbol.asyncIterator]: () => {
      // A warm start puts event-time zero `warmupMs` in the past; the paced iterator then catches up.
      const market = new SimulatedMarket(resolved, resolved.startTime ?? Date.now() - warmupMs);
      return new PacedTicks(market, batchIntervalMs, warmupMs);
    },
    ticks(count = Infinity) {
      if (!(count === Infinity || (Number.isSafeInteger(count) && count >= 0))) {
        throw new RangeError(`ticks(count): count must be a non-negative integer or Infinity, got ${String(count)}`);
      }
      return unpaced(newMarket(), count);
    },
  };
}

function formatDuration(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
}

function* unpaced(market: SimulatedMarket, count: number): Generator<Tick, void, undefined> {
  for (let i = 0; i < count; i++) yield market.next();
}
