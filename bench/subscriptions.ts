import { Sfc32 } from '../feeds/simulator/random.js';

/**
 * Each client's symbols: `perClient` distinct symbols drawn uniformly from `symbols`, from a seeded PRNG, so
 * every server under test gets exactly the same subscriptions.
 */
export function drawSubscriptions(symbols: readonly string[], clients: number, perClient: number, seed: number): string[][] {
  if (perClient > symbols.length) throw new RangeError(`cannot subscribe to ${perClient} of ${symbols.length} symbols`);
  const rng = new Sfc32(seed);
  const pool = [...symbols];
  return Array.from({ length: clients }, () => {
    // A partial Fisher-Yates shuffle: the first perClient slots are a uniform sample without repeats.
    for (let i = 0; i < perClient; i++) {
      const j = i + Math.floor(rng.uniform() * (pool.length - i));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    return pool.slice(0, perClient);
  });
}

/** How many clients subscribe to each symbol. */
export function subscriberCounts(subscriptions: readonly (readonly string[])[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const symbols of subscriptions) for (const symbol of symbols) counts[symbol] = (counts[symbol] ?? 0) + 1;
  return counts;
}
