import { describe, expect, test } from 'vitest';
import { benchFeed } from '../../bench/servers/feed.js';
import { hasDueTicks, type Tick } from '../../feeds/tick.js';

describe("the benchmark's feed", () => {
  const market = { seed: 42, symbols: 500, ticksPerSecond: 20_000 };

  test('hands the server the ticks already due without a promise each, as the simulator does for npm start', async () => {
    const feed = benchFeed(market);
    const iterator = feed[Symbol.asyncIterator]();
    expect(hasDueTicks(iterator)).toBe(true);
    if (!hasDueTicks(iterator)) return;
    expect(iterator.takeDue()).toBeUndefined();
    const first = iterator.next();
    feed.go();
    const started = Date.now();
    const tick = (await first).value as Tick;
    await new Promise((resolve) => setTimeout(resolve, 30));
    const due: Tick[] = [];
    for (let next = iterator.takeDue(); next !== undefined; next = iterator.takeDue()) due.push(next);
    // Due after 30 ms at 20,000 ticks a second (as many as the feed's batch holds), in event-time order, none
    // in the future.
    expect(due.length).toBeGreaterThan(0);
    const now = performance.timeOrigin + performance.now();
    for (const next of due) expect(next.ts).toBeLessThanOrEqual(now);
    expect(due.every((next, i) => next.ts >= (i === 0 ? tick.ts : due[i - 1]!.ts))).toBe(true);
    // Event times start at go(), on the wall clock.
    expect(tick.ts).toBeGreaterThanOrEqual(started - 5);
    expect(tick.ts).toBeLessThan(started + 5);
    await iterator.return?.();
  });
});
