/**
 * The Binance connector against a fake Binance (fake-binance.ts) playing the real ETHUSDT capture: the
 * subscribe handshake, the server's pings answered with the same payload, the bars of the live session equal
 * to the bars of replaying the capture file, and Binance's 24-hour replacement with no gap and no duplicate.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { FakeBinance } from './fake-binance.js';
import { allBars, drain, liveOptions, marketOf, replayed, sortedTrades, trades, type Drained } from './live-harness.js';
import { BINANCE_CAPTURE, capturesPresent } from './shared-captures.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function fakeBinance(options?: Parameters<typeof FakeBinance.start>[1]): Promise<FakeBinance> {
  const fake = await FakeBinance.start(BINANCE_CAPTURE, options);
  cleanup.push(() => fake.close());
  return fake;
}

function live(fake: FakeBinance, overrides?: Parameters<typeof liveOptions>[2]): Drained {
  const drained = drain(liveOptions(['binance:ETHUSDT'], { binance: fake.url }, overrides));
  cleanup.push(() => drained.stop());
  return drained;
}

/** Trade ids of the fake's tape, in order. */
function tapeTradeIds(fake: FakeBinance, limit = fake.tape.length): number[] {
  return fake.tape.slice(0, limit).filter((m) => m.topic.endsWith('@trade')).map((m) => (JSON.parse(m.text) as { data: { t: number } }).data.t);
}

describe.skipIf(!capturesPresent)('Binance live feed against a fake Binance playing the real capture', () => {
  test('subscribes to trade and bookTicker with an id, and goes live on the {"result":null,"id":N} answer', async () => {
    const fake = await fakeBinance();
    const { feed } = live(fake);
    await waitFor(() => feed.live.venue('binance').state === 'live', 'the subscription to be acknowledged');
    expect(fake.requests).toEqual([{ method: 'SUBSCRIBE', params: ['ethusdt@trade', 'ethusdt@bookTicker'], id: 1 }]);
    expect(fake.connections.length).toBe(1);
    expect(feed.live.symbols.get('ETH-USDT')!.stale).toBe(false);
  });

  test('bars from the live session equal bars from replaying the same capture file', async () => {
    const fake = await fakeBinance();
    const session = live(fake);
    await waitFor(() => session.feed.live.venue('binance').state === 'live', 'the subscription');
    await fake.play({ batch: 500 });
    const expected = tapeTradeIds(fake).length;
    await waitFor(() => trades(session.ticks).length === expected, `${expected} trades`, 20_000);
    const fromFile = await replayed([BINANCE_CAPTURE]);
    expect(sortedTrades(session.ticks)).toEqual(sortedTrades(fromFile));
    expect(allBars(marketOf(session.ticks))).toEqual(allBars(marketOf(fromFile)));
    // Quotes too: every bookTicker became a quote tick.
    expect(session.ticks.length - expected).toBe(fake.tape.length - expected);
    expect(session.feed.live.venue('binance').invalid).toBe(0);
  });

  test("answers the server's pings with pongs carrying the same payload", async () => {
    const fake = await fakeBinance({ pingEveryMs: 30 });
    const { feed } = live(fake);
    await waitFor(() => feed.live.venue('binance').state === 'live', 'the subscription');
    await waitFor(() => fake.pings.length >= 5 && fake.pongs.length >= 5, 'five pings answered');
    await waitFor(() => fake.pongs.length >= fake.pings.length - 1, 'the pongs to catch up');
    expect(fake.pongs).toEqual(fake.pings.slice(0, fake.pongs.length));
    expect(fake.rateViolations).toBe(0);
  });

  test('subscribes many symbols in several SUBSCRIBE messages, never more than 5 messages a second', async () => {
    const fake = await fakeBinance();
    const symbols = Array.from({ length: 450 }, (_, i) => `T${i}USDT`);
    const drained = drain(liveOptions([`binance:${symbols.join(',')}`], { binance: fake.url }));
    cleanup.push(() => drained.stop());
    await waitFor(() => drained.feed.live.venue('binance').state === 'live', 'every SUBSCRIBE answered', 5_000);
    expect(fake.requests.map((request) => (request.params as string[]).length)).toEqual([200, 200, 200, 200, 100]);
    expect(fake.rateViolations).toBe(0);
    expect(fake.connections.length).toBe(1);
  });

  test('replaces its connection before Binance cuts it, with no trade missed and none twice', async () => {
    // Binance's 24 hours become 1.2 s; the connector replaces after 0.4 s (0.1 s of overlap).
    const fake = await fakeBinance({ maxAgeMs: 1_200 });
    const session = live(fake, { replaceAfterMs: 400, switchOverlapMs: 100 });
    await waitFor(() => session.feed.live.venue('binance').state === 'live', 'the subscription');
    const limit = 12_000;
    await fake.play({ batch: 8, everyMs: 2, limit });
    const ids = tapeTradeIds(fake, limit);
    await waitFor(() => trades(session.ticks).length >= ids.length, `${ids.length} trades`, 10_000);
    const health = session.feed.live.venue('binance');
    expect(health.replacements).toBeGreaterThanOrEqual(3);
    // Every connection but the first replaced one before it, and none was a reconnect. A replacement opens
    // its connection 0.1 s before it switches over, so the count is read when none is half done.
    await waitFor(() => fake.connections.length === health.replacements + 1, 'no replacement half done', 2_000);
    expect(health.reconnects).toBe(0);
    expect(health.duplicates).toBeGreaterThan(0);
    expect(session.feed.live.symbols.get('ETH-USDT')!.gaps).toBe(0);
    const fromFile = (await replayed([BINANCE_CAPTURE])).filter((tick) => tick.price !== undefined).slice(0, ids.length);
    expect(sortedTrades(session.ticks)).toEqual(sortedTrades(fromFile));
  });

  test('without a replacement in time, the cut loses trades and the gap says how many', async () => {
    const fake = await fakeBinance({ maxAgeMs: 500 });
    const session = live(fake);
    await waitFor(() => session.feed.live.venue('binance').state === 'live', 'the subscription');
    await fake.play({ batch: 8, everyMs: 2, limit: 8_000 });
    const health = session.feed.live.venue('binance');
    expect(health.reconnects).toBeGreaterThanOrEqual(1);
    expect(health.replacements).toBe(0);
  });
});
