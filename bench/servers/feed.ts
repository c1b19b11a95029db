import { createSimulator, UNIVERSE } from '../../feeds/simulator/index.js';
import type { Feed, Tick } from '../../feeds/tick.js';
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
    [Symbol.asyncIterator](): AsyncIterator<Tick> {
      let inner: AsyncIterator<Tick> | undefined;
      return {
        next: () => inner?.next() ?? started.then(() => (inner ??= simulator[Symbol.asyncIterator]()).next()),
        return: async () => (await inner?.return?.()) ?? { done: true, value: undefined },
      };
    },
  };
}
