import { describe, expect, test } from 'vitest';
import type { Gap, TickerClient } from '../../client/client.js';
import type { Recovery } from '../../client/recovery.js';
import { createSimulator } from '../../feeds/simulator/index.js';
import type { Tick } from '../../feeds/tick.js';
import { BarTape } from '../helpers/bar-tape.js';
import { instrument, ManualFeed } from '../helpers/manual-feed.js';
import { ReferenceBars } from '../helpers/reference.js';
import { useClientAndServer } from '../helpers/client-server.js';
import { sleep } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const T0 = Date.UTC(2024, 5, 3, 14, 30);

describe('lost frames (seq gaps forced by the hub test hook)', () => {
  const start = useClientAndServer();

  function watch(c: TickerClient): { tape: BarTape; gaps: Gap[]; recoveries: Recovery[] } {
    const tape = new BarTape();
    const gaps: Gap[] = [];
    const recoveries: Recovery[] = [];
    c.on('bar', (event) => tape.record(event));
    c.on('gap', (gap) => gaps.push(gap));
    c.on('recovered', (recovery) => recoveries.push(recovery));
    return { tape, gaps, recoveries };
  }

  test('a lost frame is detected from seq and its changes are recovered: quotes and bars', async () => {
    const feed = new ManualFeed([instrument('AAPL'), instrument('MSFT')]);
    const { server, client } = await start(feed);
    const { tape, gaps, recoveries } = watch(client);
    const reference = new ReferenceBars();
    const push = (...ticks: Tick[]): void => {
      for (const tick of ticks) reference.add(tick);
      feed.push(...ticks);
    };
    push({ symbol: 'AAPL', ts: T0, price: 190, size: 10, bid: 189.99, ask: 190.01 }, { symbol: 'MSFT', ts: T0, price: 420, size: 5, bid: 419.9, ask: 420.1 });
    client.connect();
    await client.subscribe(['AAPL', 'MSFT'], { bars: true });
    for (let second = 1; second <= 4; second++) {
      push({ symbol: 'AAPL', ts: T0 + second * 1_000, price: 190 + second / 100, size: 1 });
      await sleep(40);
    }
    await waitFor(() => client.view('AAPL')?.last === 190.04, 'the client to be in step');

    // The frame carrying these changes is lost: a new bar, a new price, a new MSFT quote.
    server.app.hub.loseUpdateFrames(1);
    push({ symbol: 'AAPL', ts: T0 + 5_000, price: 191, size: 3 }, { symbol: 'MSFT', ts: T0 + 5_000, bid: 421, ask: 421.2 });
    await sleep(80);
    expect(client.view('MSFT')!.bid).toBe(419.9);
    expect(gaps).toEqual([]);

    // The next frame shows the gap; the client recovers.
    push({ symbol: 'AAPL', ts: T0 + 6_000, price: 191.5, size: 2 });
    await waitFor(() => recoveries.length === 1, 'the recovery');
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.received).toBe(gaps[0]!.expected + 1);
    expect(recoveries[0]).toMatchObject({ reason: 'gap', incomplete: [] });
    expect([...recoveries[0]!.symbols].sort()).toEqual(['AAPL', 'MSFT']);
    expect(client.view('MSFT')).toMatchObject({ bid: 421, ask: 421.2 });
    expect(client.view('AAPL')).toMatchObject({ last: 191.5 });
    expect(client.view('AAPL')!.bars).toEqual(reference.get('AAPL'));
    expect(tape.bars('AAPL')).toEqual(reference.get('AAPL'));
    expect(tape.breaches).toEqual([]);
    expect(tape.firstSeen.get('AAPL')).toEqual(reference.get('AAPL').map((bar) => bar[0]));
  });

  test('several frames lost mid-stream on a busy market: the bars still equal the server history', async () => {
    const { server, client } = await start(createSimulator({ seed: 5, ticksPerSecond: 400, symbols: ['AAPL', 'BTC-USD', 'ETH-USD', 'NVDA'] }), { flushIntervalMs: 25 });
    const { tape, gaps, recoveries } = watch(client);
    client.connect();
    const symbols = ['AAPL', 'BTC-USD', 'ETH-USD', 'NVDA'];
    await client.subscribe(symbols, { bars: true });
    await waitFor(() => symbols.every((s) => (tape.closed.get(s)?.length ?? 0) >= 2), 'closed bars', 10_000);
    for (let round = 0; round < 3; round++) {
      server.app.hub.loseUpdateFrames(round + 2);
      await waitFor(() => recoveries.length === round + 1, `recovery ${round + 1}`);
      await sleep(600);
    }
    expect(gaps.map((gap) => gap.received - gap.expected)).toEqual([2, 3, 4]);
    const newest = new Map(symbols.map((s) => [s, tape.bars(s).at(-1)![0]]));
    await waitFor(() => symbols.every((s) => tape.closedBars(s).some((bar) => bar[0] > newest.get(s)!)), 'live bars after the last recovery');
    expect(tape.breaches).toEqual([]);
    for (const symbol of symbols) {
      const held = tape.closedBars(symbol);
      const truth = (await client.history(symbol, '1s', { limit: 900 })).filter((bar) => bar[0] >= held[0]![0] && bar[0] <= held.at(-1)![0]);
      expect(held, symbol).toEqual(truth);
    }
  });
});
