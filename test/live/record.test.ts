/**
 * `serve --record` on a live feed: the recording of a live session, replayed through the replay readers,
 * gives exactly the bars the live session gave.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { recordingFeed } from '../../feeds/recording/record-feed.js';
import { TickRecorder } from '../../feeds/recording/recorder.js';
import { isLiveFeed, openLiveFeed } from '../../feeds/live/feed.js';
import { buildApp } from '../../server/app.js';
import { defineConfig } from '../../server/config.js';
import { freePort } from '../helpers/free-port.js';
import type { Tick } from '../../feeds/tick.js';
import { scratchFolder } from '../helpers/scratch.js';
import { waitFor } from '../helpers/wait.js';
import { FakeBinance } from './fake-binance.js';
import { FakeCoinbase } from './fake-coinbase.js';
import { allBars, liveOptions, marketOf, replayed, trades } from './live-harness.js';
import { BINANCE_CAPTURE, COINBASE_CAPTURE, capturesPresent } from './shared-captures.js';

const files = scratchFolder('tickertape-live-record-');
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function recordLive(specs: string[], endpoints: Parameters<typeof liveOptions>[1], play: () => Promise<void>, done: (ticks: Tick[]) => boolean, name: string): Promise<{ ticks: Tick[]; files: string[] }> {
  const live = openLiveFeed(liveOptions(specs, endpoints));
  const recorder = await TickRecorder.open({ file: files.path(name) });
  const iterator = recordingFeed(live, recorder)[Symbol.asyncIterator]();
  const ticks: Tick[] = [];
  const pumping = (async () => {
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) ticks.push(next.value);
  })();
  await waitFor(() => [...live.live.venues.values()].every((venue) => venue.state === 'live'), 'the venue live');
  await play();
  await waitFor(() => done(ticks), 'every trade', 10_000);
  await iterator.return?.();
  await pumping;
  return { ticks, files: recorder.stats.files };
}

describe.skipIf(!capturesPresent)('recording a live session', () => {
  test('Binance: the recording replays to the same ticks and bars as the live session', async () => {
    const binance = await FakeBinance.start(BINANCE_CAPTURE);
    cleanup.push(() => binance.close());
    // The fake plays 2024 messages today: start the tape at its first trade, so no quote is timed before
    // a trade has told the connector Binance's clock (it would carry today's time, years after the trades).
    binance.played = binance.tape.findIndex((message) => message.topic.endsWith('@trade'));
    const limit = 15_000;
    const expected = binance.tape.slice(binance.played, limit).filter((m) => m.topic.endsWith('@trade')).length;
    const { ticks, files: recorded } = await recordLive(['binance:ETHUSDT'], { binance: binance.url }, () => binance.play({ batch: 200, limit }), (got) => trades(got).length === expected, 'binance.tape.gz');
    const again = await replayed(recorded);
    expect(again).toEqual(ticks);
    expect(allBars(marketOf(again))).toEqual(allBars(marketOf(ticks)));
  });

  test('Coinbase: the recording replays to the same ticks and bars as the live session', async () => {
    const coinbase = await FakeCoinbase.start(COINBASE_CAPTURE);
    cleanup.push(() => coinbase.close());
    const products = ['SKL-USD', 'SKL-BTC', 'BAND-GBP', 'NMR-EUR'];
    const expected = trades(await replayed([COINBASE_CAPTURE])).filter((tick) => products.includes(tick.symbol)).length;
    const { ticks, files: recorded } = await recordLive([`coinbase:${products.join(',')}`], { coinbase: coinbase.url }, () => coinbase.play({ batch: 5 }), (got) => trades(got).length === expected, 'coinbase.tape');
    const again = await replayed(recorded);
    expect(new Set(again.map((tick) => tick.symbol))).toEqual(new Set(products));
    expect(again).toEqual(ticks);
    expect(allBars(marketOf(again))).toEqual(allBars(marketOf(ticks)));
  });
});

describe('serve --record on a live feed', () => {
  test('the recorded feed is still the live feed: its venues reach /metrics beside the recording', async () => {
    // Nothing listens there: the venue stays unreached, which is what /metrics should say.
    const live = openLiveFeed(liveOptions(['binance:ETHUSDT'], { binance: `ws://127.0.0.1:${await freePort()}` }));
    const recorder = await TickRecorder.open({ file: files.path('unreached.tape') });
    const feed = recordingFeed(live, recorder);
    expect(isLiveFeed(feed) && feed.live).toBe(live.live);
    const app = await buildApp({ config: defineConfig({ port: 0, host: '127.0.0.1' }), feed, logger: false });
    cleanup.push(() => app.close());
    await app.ready();
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toMatch(/^tickertape_feed_connected\{venue="binance"\} 0$/m);
    expect(metrics).toMatch(/^tickertape_recording_failed 0$/m);
    expect((await app.inject('/readyz')).json()).toMatchObject({ recording: 'recording' });
  });
});
