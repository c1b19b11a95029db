import { expect, test } from 'vitest';
import { createSimulator } from '../../feeds/simulator/index.js';
import { hasDueTicks, type Tick } from '../../feeds/tick.js';
import { resumeFrom } from './resume-feed.js';

test('a resumed simulator skips the ticks before `from` and still hands its due ticks over without a promise (takeDue)', async () => {
  const startTime = Date.now();
  const simulator = createSimulator({ seed: 5, ticksPerSecond: 10_000, startTime, warmupMs: 3_000 });
  const from = startTime - 1_000;
  const iterator = resumeFrom(simulator, from)[Symbol.asyncIterator]();
  // Without takeDue() an ingest's FeedRunner pays a promise and a resumed async function for every tick.
  expect(hasDueTicks(iterator)).toBe(true);
  if (!hasDueTicks(iterator)) return;
  const got: Tick[] = [];
  let taken = 0;
  while (got.length < 25_000) {
    for (let tick = iterator.takeDue(); tick !== undefined; tick = iterator.takeDue()) {
      got.push(tick);
      taken++;
    }
    const next = await iterator.next();
    if (next.done === true) break;
    got.push(next.value);
  }
  await iterator.return?.();
  expect(taken).toBeGreaterThan(got.length / 2);
  expect(got).toEqual([...simulator.ticks(40_000)].filter((tick) => tick.ts >= from).slice(0, got.length));
});

test('a resume from no time is the feed itself', () => {
  const simulator = createSimulator({ seed: 5 });
  expect(resumeFrom(simulator, Number.NEGATIVE_INFINITY)).toBe(simulator);
});
