/**
 * Record, then replay: a recording of the seeded simulator, replayed through a real server, gives exactly
 * the bars and session figures the server computes from the simulator's ticks directly.
 */
import { describe, expect, test } from 'vitest';
import { INTERVALS } from '../../client/protocol/messages.js';
import { TickRecorder } from '../../feeds/recording/recorder.js';
import { openReplay } from '../../feeds/replay/index.js';
import { createSimulator } from '../../feeds/simulator/index.js';
import { Market } from '../../server/market/market.js';
import { BAR_RETENTION_1M_BARS, BAR_RETENTION_1S_BARS, MAX_SYMBOLS } from '../../server/config.js';
import { scratchFolder } from '../helpers/scratch.js';
import { startServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws-client.js';

const files = scratchFolder('tickertape-round-trip-');

describe('record → replay', () => {
  test('reproduces every bar at every interval, and the session figures, exactly', async () => {
    const simulator = createSimulator({ seed: 11, startTime: Date.UTC(2024, 4, 6, 13, 30), ticksPerSecond: 200 });
    const ticks = [...simulator.ticks(60_000)];
    const direct = new Market(simulator.instruments, { retention: { secondBars: BAR_RETENTION_1S_BARS, minuteBars: BAR_RETENTION_1M_BARS }, maxSymbols: MAX_SYMBOLS });
    for (const tick of ticks) direct.apply(tick);

    // Gzip, rotated into a series: the replay merges the files back into one stream.
    const recorder = await TickRecorder.open({ file: files.path('sim.tape.gz'), rotateBytes: 256 * 1024 });
    for (const tick of ticks) if (!recorder.write(tick)) await recorder.drain();
    await recorder.close();
    expect(recorder.stats.files.length).toBeGreaterThan(1);

    const feed = await openReplay({ files: recorder.stats.files, speed: 'max' });
    const server = await startServer({ feed, config: { flushIntervalMs: 20 } });
    try {
      const client = await WsClient.open(server.url);
      await client.next('replay', (message) => message.state === 'ended', 30_000);
      const replayed = server.app.market;
      expect(replayed.counters.ticks).toBe(ticks.length);
      for (const state of direct.all()) {
        const again = replayed.get(state.symbol)!;
        expect(again.snapshot(0), state.symbol).toEqual(state.snapshot(0));
        for (const interval of INTERVALS) {
          expect(replayed.history(state.symbol, interval, 5_000), `${state.symbol} ${interval}`).toEqual(direct.history(state.symbol, interval, 5_000));
        }
      }
      client.close();
    } finally {
      await server.close();
    }
  });
});
