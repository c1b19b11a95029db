import { expect } from 'vitest';
import { hasDueTicks, type Feed, type Tick } from '../../feeds/tick.js';

/**
 * Pulls about `count` ticks from `feed` as the server's FeedRunner does: what is due through takeDue(), in
 * a plain loop, then next() to wait for more. Fails unless the feed's iterator has takeDue() and most ticks
 * came through it. The iterator is returned (the feed stopped) at the end.
 */
export async function pullAsTheServer(feed: Feed, count: number): Promise<Tick[]> {
  const iterator = feed[Symbol.asyncIterator]();
  expect(hasDueTicks(iterator), 'the iterator has takeDue()').toBe(true);
  if (!hasDueTicks(iterator)) return [];
  const ticks: Tick[] = [];
  let taken = 0;
  while (ticks.length < count) {
    for (let tick = iterator.takeDue(); tick !== undefined; tick = iterator.takeDue()) {
      ticks.push(tick);
      taken++;
    }
    const next = await iterator.next();
    if (next.done === true) break;
    ticks.push(next.value);
  }
  await iterator.return?.();
  expect(taken, 'ticks handed over without a promise').toBeGreaterThan(ticks.length / 2);
  return ticks;
}
