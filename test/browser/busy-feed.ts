/**
 * A synthetic feed for load tests: `count` symbols (LOAD001…) trading every `everyMs`, so each 50 ms flush
 * carries an update for each of them; prices walk by one tick, up, down or not at all. The last `quiet`
 * symbols trade once, at the start, and never again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Feed, Instrument, Tick } from '../../feeds/tick.js';

export function busyFeed(count: number, everyMs: number, quiet = 0): Feed {
  const instruments: Instrument[] = Array.from({ length: count }, (_, i) => ({
    symbol: `LOAD${String(i + 1).padStart(3, '0')}`,
    name: `Load test ${i + 1}`,
    assetClass: 'equity',
    currency: 'USD',
    tickSize: 0.01,
  }));
  return {
    info: { kind: 'simulated', description: `load test: ${count} symbols, each every ${everyMs} ms` },
    instruments,
    [Symbol.asyncIterator]: () => play(instruments, everyMs, count - quiet),
  };
}

async function* play(instruments: readonly Instrument[], everyMs: number, active: number): AsyncGenerator<Tick, void, undefined> {
  // Whole cents, so prices stay on the tick grid.
  const cents = instruments.map((_, i) => 10_000 + i * 137);
  let seed = 1;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let round = 0; ; round++) {
    await sleep(everyMs);
    const ts = Date.now();
    for (let i = 0; i < (round === 0 ? instruments.length : active); i++) {
      const step = Math.floor(random() * 3) - 1;
      const price = (cents[i]! += step);
      yield {
        symbol: instruments[i]!.symbol,
        ts,
        price: price / 100,
        size: 1 + Math.floor(random() * 100),
        bid: (price - 1) / 100,
        ask: (price + 1) / 100,
      };
    }
  }
}
