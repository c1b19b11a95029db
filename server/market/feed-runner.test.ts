import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { openReplay } from '../../feeds/replay/index.js';
import { createSimulator } from '../../feeds/simulator/index.js';
import { scratchFolder } from '../../test/helpers/scratch.js';
import type { Feed, Tick } from '../../feeds/tick.js';
import { SILENT_LOGGER } from '../logging/silent.js';
import { BAR_RETENTION_1M_BARS, BAR_RETENTION_1S_BARS, MAX_SYMBOLS } from '../config.js';
import { FeedRunner } from './feed-runner.js';
import { Market, ticksHanded } from './market.js';

const files = scratchFolder('tickertape-feed-runner-');
const options = { retention: { secondBars: BAR_RETENTION_1S_BARS, minuteBars: BAR_RETENTION_1M_BARS }, maxSymbols: MAX_SYMBOLS };

/** Runs `feed` into a new market for `ms`, then stops it: the market and how many ticks it was handed. */
async function run(feed: Feed, ms: number): Promise<{ market: Market; handed: number }> {
  const market = new Market(feed.instruments, options);
  const runner = new FeedRunner(feed, market, SILENT_LOGGER);
  runner.start();
  await sleep(ms);
  await runner.stop();
  const handed = ticksHanded(market.counters);
  return { market, handed };
}

describe('feed runner', () => {
  test.each([
    ['the paced simulator (ticks already due taken without a promise)', false],
    ['the same feed through its async iterator only', true],
  ])('%s: the market gets exactly the sequence the simulator draws unpaced', async (_what, asyncOnly) => {
    const simulator = createSimulator({ seed: 3, ticksPerSecond: 20_000, startTime: Date.now() });
    // Hiding takeDue() leaves the runner nothing but next().
    const asyncIterator = (): AsyncIterator<Tick> => {
      const paced = simulator[Symbol.asyncIterator]();
      return { next: () => paced.next(), return: () => paced.return() };
    };
    const feed: Feed = asyncOnly ? { info: simulator.info, instruments: simulator.instruments, [Symbol.asyncIterator]: asyncIterator } : simulator;
    const { market, handed } = await run(feed, 400);
    expect(handed).toBeGreaterThan(2_000);
    expect(market.counters.ticks).toBe(handed);
    const direct = new Market(simulator.instruments, options);
    for (const tick of simulator.ticks(handed)) direct.apply(tick);
    for (const state of direct.all()) expect(market.get(state.symbol)!.entrySince(0, true), state.symbol).toEqual(state.entrySince(0, true));
  });

  test('a replay at max through the runner: every tick reaches the market, and finished settles once the file has ended', async () => {
    const file = files.write('max.csv', `time,symbol,price,size\n${Array.from({ length: 5_000 }, (_, i) => `${1_704_205_800_000 + i},A,${100 + (i % 7)},1\n`).join('')}`);
    const feed = await openReplay({ files: [file], speed: 'max' });
    const market = new Market(feed.instruments, options);
    const runner = new FeedRunner(feed, market, SILENT_LOGGER);
    runner.start();
    await runner.finished;
    expect(runner.state).toBe('ended');
    expect(market.counters.ticks).toBe(5_000);
    expect(market.get('A')!.entrySince(-1, false)).toMatchObject({ p: 100 + (4_999 % 7), v: 5_000 });
  });
});
