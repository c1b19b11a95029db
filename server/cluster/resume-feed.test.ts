import { expect, test } from 'vitest';
import { createSimulator } from '../../feeds/simulator/index.js';
import { pullAsTheServer } from '../../test/helpers/due-ticks.js';
import { resumeFrom } from './resume-feed.js';

test('a resumed simulator skips the ticks before `from` and still hands its due ticks over without a promise (takeDue)', async () => {
  // Without takeDue() an ingest's FeedRunner pays a promise and a resumed async function for every tick.
  const startTime = Date.now();
  const simulator = createSimulator({ seed: 5, ticksPerSecond: 10_000, startTime, warmupMs: 3_000 });
  const from = startTime - 1_000;
  const got = await pullAsTheServer(resumeFrom(simulator, from), 25_000);
  expect(got.length).toBeGreaterThan(10_000);
  expect(got).toEqual([...simulator.ticks(40_000)].filter((tick) => tick.ts >= from).slice(0, got.length));
});

test('a resume from no time is the feed itself', () => {
  const simulator = createSimulator({ seed: 5 });
  expect(resumeFrom(simulator, Number.NEGATIVE_INFINITY)).toBe(simulator);
});
