/**
 * The chart's live candles against the real server, in Node (no browser needed): after a load, the candles
 * ChartFeed folds from live 1 s bars must equal what `history` answers for the same interval.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { TickerClient, type Bar, type WebSocketConstructor } from '../../client/index.js';
import { ChartFeed } from '../../web/src/lib/chart-feed.svelte.js';
import { startServer, type RunningServer } from './harness.js';
import { warmSimulator } from './warm-feed.js';

const SYMBOL = 'BTC-USD';

/** The `ws` package's WebSocket, accepted by the client as it is (checked here at compile time). */
const NodeWebSocket: WebSocketConstructor = WebSocket;

let server: RunningServer | undefined;
let client: TickerClient | undefined;

beforeAll(async () => {
  const feed = warmSimulator(60_000);
  server = await startServer(undefined, { feed });
  await feed.caughtUp;
  client = new TickerClient({ url: `ws://127.0.0.1:${server.port}/ws`, WebSocket: NodeWebSocket });
  client.connect();
  await client.ready();
  await client.subscribe([SYMBOL], { bars: true });
});

afterAll(async () => {
  client?.close();
  await server?.app.close();
});

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('live 5 s candles folded from 1 s bars equal the server history, across bucket boundaries', async () => {
  const feed = new ChartFeed(client!);
  // What a chart would draw, by bar time.
  const drawn = { bars: new Map<number, Bar>(), resets: 0 };
  feed.attach({
    reset(bars) {
      drawn.resets++;
      drawn.bars = new Map(bars.map((bar) => [bar[0], [...bar] as Bar]));
    },
    upsert(bar, historical) {
      expect(historical ? drawn.bars.has(bar[0]) : bar[0] >= Math.max(...drawn.bars.keys())).toBe(true);
      drawn.bars.set(bar[0], [...bar] as Bar);
    },
  });
  feed.show(SYMBOL, '5s');
  await until(() => feed.status === 'live', 5_000);
  const resetsAtLoad = drawn.resets;
  const loadedNewest = Math.max(...drawn.bars.keys());
  // Two bucket boundaries pass while live.
  await until(() => Math.max(...drawn.bars.keys()) >= loadedNewest + 10_000, 15_000);

  const history = await client!.history(SYMBOL, '5s', { limit: 20 });
  // The newest bar may have moved since this answer was built; every closed one is final.
  const closed = history.slice(0, -1);
  expect(closed.length).toBeGreaterThan(10);
  expect(closed.filter((bar) => bar[0] >= loadedNewest).length).toBeGreaterThanOrEqual(2);
  for (const bar of closed) expect(drawn.bars.get(bar[0])).toEqual(bar);
  // Once loaded, the chart is only ever updated, never redrawn whole.
  expect(drawn.resets).toBe(resetsAtLoad);
  feed.dispose();
}, 25_000);
