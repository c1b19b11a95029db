/**
 * The Coinbase connector against a fake Coinbase Exchange (fake-coinbase.ts) playing the real 10-product
 * capture: subscribe within the 5-second deadline, the `subscriptions` answer, bars equal to replaying the
 * capture file, and a dropped connection whose resubscription's `last_match` is not counted twice.
 */
import { afterEach, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { waitFor } from '../helpers/wait.js';
import { FakeCoinbase } from './fake-coinbase.js';
import { allBars, drain, liveOptions, marketOf, replayed, sortedTrades, trades, type Drained } from './live-harness.js';
import { COINBASE_CAPTURE, capturesPresent } from './shared-captures.js';

const PRODUCTS = ['SKL-USD', 'SKL-BTC', 'BAND-GBP', 'NMR-EUR', 'BAND-BTC', 'YFI-BTC', 'DASH-BTC', 'NU-GBP', 'CRV-EUR', 'SKL-GBP'];

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function fakeCoinbase(options?: Parameters<typeof FakeCoinbase.start>[1]): Promise<FakeCoinbase> {
  const fake = await FakeCoinbase.start(COINBASE_CAPTURE, options);
  cleanup.push(() => fake.close());
  return fake;
}

function live(fake: FakeCoinbase): Drained {
  const drained = drain(liveOptions([`coinbase:${PRODUCTS.join(',')}`], { coinbase: fake.url }));
  cleanup.push(() => drained.stop());
  return drained;
}

describe.skipIf(!capturesPresent)('Coinbase live feed against a fake Coinbase playing the real capture', () => {
  test('subscribes to matches, ticker and heartbeat well within the 5-second deadline that closes a silent client', async () => {
    const fake = await fakeCoinbase({ subscribeDeadlineMs: 300 });
    // The fake keeps the rule: a client that does not subscribe is closed.
    const silent = new WebSocket(fake.url);
    const closed = new Promise<number>((resolve) => silent.on('close', (code) => resolve(code)));
    const { feed } = live(fake);
    await waitFor(() => feed.live.venue('coinbase').state === 'live', 'the subscriptions answer');
    expect(await closed).toBe(1008);
    expect(fake.deadlineCloses).toBe(1);
    expect(fake.subscribes).toEqual([{ type: 'subscribe', product_ids: PRODUCTS, channels: ['matches', 'ticker', 'heartbeat'] }]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(fake.deadlineCloses).toBe(1);
    expect(feed.live.venue('coinbase').state).toBe('live');
  });

  test('bars from the live session equal bars from replaying the same capture file', async () => {
    const fake = await fakeCoinbase({ heartbeatEveryMs: 50 });
    const session = live(fake);
    await waitFor(() => session.feed.live.venue('coinbase').state === 'live', 'the subscription');
    await fake.play({ batch: 5, everyMs: 2 });
    const fromFile = await replayed([COINBASE_CAPTURE]);
    const expected = trades(fromFile).length;
    await waitFor(() => trades(session.ticks).length === expected, `${expected} trades`, 10_000);
    expect(sortedTrades(session.ticks)).toEqual(sortedTrades(fromFile));
    expect(allBars(marketOf(session.ticks))).toEqual(allBars(marketOf(fromFile)));
    expect(session.feed.live.venue('coinbase').invalid).toBe(0);
  });

  test("after a reconnect, the resubscription's last_match is dropped as a duplicate, not counted twice", async () => {
    const fake = await fakeCoinbase();
    const session = live(fake);
    await waitFor(() => session.feed.live.venue('coinbase').state === 'live', 'the subscription');
    await waitFor(() => trades(session.ticks).length === PRODUCTS.length, 'one last_match per product');
    fake.dropAll();
    await waitFor(() => session.feed.live.venue('coinbase').reconnects === 1 && session.feed.live.venue('coinbase').state === 'live', 'the reconnect');
    await waitFor(() => session.feed.live.venue('coinbase').duplicates === PRODUCTS.length, 'the repeated last_matches');
    expect(trades(session.ticks).length).toBe(PRODUCTS.length);
    expect([...session.feed.live.symbols.values()].every((symbol) => symbol.gaps === 0)).toBe(true);
  });
});
