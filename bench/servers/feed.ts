import { createSimulator, UNIVERSE } from '../../feeds/simulator/index.js';
import { hasDueTicks, type DueTicks, type Feed, type Tick } from '../../feeds/tick.js';
import type { MarketSpec } from './ipc.js';

export interface BenchFeed extends Feed {
  /** Lets the ticks flow: until then the feed's iterator waits, and event time starts when this is called. */
  go(): void;
}

/**
 * The feed every server under test plays: the seeded simulator, event times following the wall clock (so a
 * client's receive time minus a tick's event time is its latency), widened with synthetic symbols beyond
 * the 60 real ones. It starts when told to, once the clients are subscribed, so every target is measured on
 * the same ticks (the simulator is deterministic given its seed and start).
 */
export function benchFeed(market: MarketSpec): BenchFeed {
  const wide = market.symbols > UNIVERSE.length;
  const simulator = createSimulator({
    seed: market.seed,
    ticksPerSecond: market.ticksPerSecond,
    symbols: wide ? undefined : market.symbols,
    syntheticSymbols: wide ? market.symbols - UNIVERSE.length : 0,
  });
  let go: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    go = resolve;
  });
  return {
    info: simulator.info,
    instruments: simulator.instruments,
    go: () => go(),
    [Symbol.asyncIterator](): AsyncIterator<Tick> & DueTicks {
      let inner: AsyncIterator<Tick> | undefined;
      let due: DueTicks | undefined;
      const begin = (): AsyncIterator<Tick> => {
        inner = simulator[Symbol.asyncIterator]();
        due = hasDueTicks(inner) ? inner : undefined;
        return inner;
      };
      return {
        next: () => inner?.next() ?? started.then(() => (inner ?? begin()).next()),
        // As the simulator's own iterator does under `npm start`: the server's feed runner takes the ticks
        // already due in a plain loop and awaits next() only for the next batch (feeds/tick.ts). Without it the
        // benchmark measured tickertape with a promise per tick, which the product does not make.
        takeDue: () => due?.takeDue(),
        return: async () => (await inner?.return?.()) ?? { done: true, value: undefined },
      };
    },
  };
}
