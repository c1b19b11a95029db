import { afterEach, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { TickerClient } from '../../client/client.js';
import type { Recovery } from '../../client/recovery.js';
import type { Quote } from '../../client/quote.js';
import type { Bar } from '../../client/protocol/messages.js';
import { createSimulator } from '../../feeds/simulator/index.js';
import { BarTape } from '../helpers/bar-tape.js';
import { buildApp } from '../../server/app.js';
import { defineConfig } from '../../server/config.js';
import { sleep, startServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const SYMBOLS = ['AAPL', 'BTC-USD', 'MSFT'];
const SEED = 11;

/**
 * A simulated market that, started at any moment, has played every tick since `startTime`: the same seed
 * and start time give the same ticks, so a restarted server holds exactly the bars the first one would have.
 */
function marketSince(startTime: number): ReturnType<typeof createSimulator> {
  return createSimulator({ seed: SEED, ticksPerSecond: 300, symbols: SYMBOLS, startTime, warmupMs: Date.now() - startTime });
}

/**
 * The restarted server, listening only once its replay has reached the present and traded in every symbol
 * at `notBefore` or later: a client that reconnected while it was still catching up (or, on a machine
 * starved of CPU, before its feed had got clear of the bars the client already holds) would get an old
 * snapshot and no seconds to fill, and the test would not exercise what it is about.
 */
async function restartedServer(startTime: number, port: number, snapshotBars: number, notBefore: number): Promise<{ close(): Promise<void> }> {
  const app = await buildApp({ config: defineConfig({ flushIntervalMs: 50, limits: { snapshotBars } }), feed: marketSince(startTime), logger: false });
  await app.ready();
  await waitFor(
    () => SYMBOLS.every((symbol) => (app.market.get(symbol)?.lastTime ?? 0) >= Math.max(Date.now() - 1_000, notBefore)),
    'the replay to catch up',
    20_000,
  );
  await app.listen({ port, host: '127.0.0.1' });
  return { close: () => app.close() };
}

/** The bars of `tape` against the server's 1 s history: every closed bar the client holds, and no other. */
async function compareWithServer(client: TickerClient, tape: BarTape, symbol: string): Promise<{ client: Bar[]; server: Bar[] }> {
  const closed = tape.closedBars(symbol);
  const first = closed[0]![0];
  const last = closed[closed.length - 1]![0];
  const server = (await client.history(symbol, '1s', { limit: 900 })).filter((bar) => bar[0] >= first && bar[0] <= last);
  return { client: closed, server };
}

describe('reconnecting to a restarted server', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  test.each([
    ['the snapshot covers the time away', 60],
    ['history fills the time away', 1],
  ])('restores every subscription, and the bars have no gap and no duplicate (%s)', async (_name, snapshotBars) => {
    const startTime = Math.floor(Date.now() / 1000) * 1000 - 30_000;
    const first = await startServer({ feed: marketSince(startTime), config: { flushIntervalMs: 50 } });
    const { port, url } = first;
    let server: { close(): Promise<void> } = first;
    cleanup.push(() => server.close());
    const client = new TickerClient({ url, WebSocket, reconnect: { minDelayMs: 20, maxDelayMs: 200 }, heartbeatMs: 2_000 });
    cleanup.push(() => client.close());
    const tape = new BarTape();
    client.on('bar', (event) => tape.record(event));
    const recoveries: Recovery[] = [];
    client.on('recovered', (recovery) => recoveries.push(recovery));
    // A second consumer on the same client: every symbol through the wildcard, as an async iterator.
    const quoted = new Map<string, Quote[]>();
    const quotes = client.quotes(['*']);
    const reading = (async () => {
      for await (const quote of quotes) {
        const list = quoted.get(quote.symbol) ?? [];
        list.push(quote);
        quoted.set(quote.symbol, list);
      }
    })();
    client.connect();
    await client.subscribe(SYMBOLS, { bars: true });
    await waitFor(() => SYMBOLS.every((symbol) => (tape.closed.get(symbol)?.length ?? 0) >= 3), 'three closed bars per symbol');

    await server.close();
    await waitFor(() => client.state === 'connecting', 'the client to notice');
    expect(SYMBOLS.map((symbol) => client.subscriptionState(symbol))).toEqual(['subscribing', 'subscribing', 'subscribing']);
    await sleep(2_500);
    const quotesBefore = new Map(SYMBOLS.map((symbol) => [symbol, quoted.get(symbol)?.length ?? 0]));
    // Three seconds past the newest bar the client holds: at least two whole seconds for history to fill.
    const newestHeld = Math.max(...SYMBOLS.map((symbol) => tape.bars(symbol).at(-1)![0]));
    server = await restartedServer(startTime, port, snapshotBars, newestHeld + 3_000);
    await waitFor(() => recoveries.length === 1, 'the recovered event', 10_000);
    const recovered = recoveries[0]!;
    expect(recovered.reason).toBe('reconnect');
    expect([...recovered.symbols].sort()).toEqual(SYMBOLS);
    expect(recovered.incomplete).toEqual([]);
    if (snapshotBars === 1) expect(recovered.filledBars).toBeGreaterThan(1);
    else expect(recovered.filledBars).toBe(0);

    const newestAtRecovery = new Map(SYMBOLS.map((symbol) => [symbol, tape.bars(symbol).at(-1)![0]]));
    await waitFor(
      () => SYMBOLS.every((symbol) => tape.closedBars(symbol).some((bar) => bar[0] > newestAtRecovery.get(symbol)! + 1_000)),
      'live closed bars after the recovery',
    );
    // Every subscription is back: the explicit ones and the wildcard's quotes.
    expect(SYMBOLS.map((symbol) => client.subscriptionState(symbol))).toEqual(['subscribed', 'subscribed', 'subscribed']);
    expect(client.subscriptionState('*')).toBe('subscribed');
    for (const symbol of SYMBOLS) expect(quoted.get(symbol)!.length, symbol).toBeGreaterThan(quotesBefore.get(symbol)!);

    expect(tape.breaches).toEqual([]);
    for (const symbol of SYMBOLS) {
      const { client: held, server: truth } = await compareWithServer(client, tape, symbol);
      // No gap, no duplicate: the client's closed bars are exactly the server's, second for second,
      // across the time the server was down.
      expect(held.length, symbol).toBeGreaterThan(8);
      expect(held, symbol).toEqual(truth);
      const seen = tape.firstSeen.get(symbol)!;
      expect(seen, `${symbol}: each bar first told once, in time order`).toEqual([...new Set(seen)].sort((a, b) => a - b));
    }
    await quotes.return();
    await reading;
  });
});
