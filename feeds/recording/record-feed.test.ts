import { expect, test } from 'vitest';
import { pullAsTheServer } from '../../test/helpers/due-ticks.js';
import { scratchFolder } from '../../test/helpers/scratch.js';
import { FileTicks } from '../replay/file-ticks.js';
import { createSimulator } from '../simulator/index.js';
import type { Tick } from '../tick.js';
import { TickRecorder } from './recorder.js';
import { recordingFeed } from './record-feed.js';

const files = scratchFolder('tickertape-record-feed-');

test('recording a simulator: its due ticks still come without a promise (takeDue), and the file holds every tick handed over, in order', async () => {
  const file = files.path('simulated.ttr');
  const recorder = await TickRecorder.open({ file });
  const simulator = createSimulator({ seed: 9, ticksPerSecond: 20_000, warmupMs: 10_000 });
  const handed = await pullAsTheServer(recordingFeed(simulator, recorder), 200_000);

  const source = new FileTicks(file, { skipBad: false, from: -Infinity, to: Infinity, maxOutOfOrderMs: 300_000 });
  await source.open();
  const recorded: Tick[] = [];
  for (let batch = await source.next(); batch !== undefined; batch = await source.next()) recorded.push(...batch);
  expect(recorded.length).toBe(handed.length);
  expect(recorded.map((tick) => [tick.symbol, tick.ts])).toEqual(handed.map((tick) => [tick.symbol, tick.ts]));
});
