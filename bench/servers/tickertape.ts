/**
 * tickertape under test: the real app (buildApp) on the benchmark's simulated market. Started by the
 * benchmark as its own process (bench/run-target.ts).
 *
 * Default limits, but two, raised here and only here: the benchmark opens thousands of connections from
 * one machine (8 loopback addresses), which the per-address cap (100, against one abusive client) and the
 * global cap (10,000) exist to refuse. Both go up to the scenario's client count (at least 10,000), as an
 * operator would raise --max-connections-per-ip / --max-connections for many clients behind one NAT. The
 * inbound rate limit (50 messages/s per connection) stays: each bench client sends one subscribe.
 */
import { buildApp } from '../../server/app.js';
import { DEFAULT_LIMITS, defineConfig } from '../../server/config.js';
import { benchFeed } from './feed.js';
import { runServerProcess } from './process.js';

runServerProcess(async (spec) => {
  const feed = benchFeed(spec.market);
  const app = await buildApp({
    config: defineConfig({
      port: 0,
      host: '127.0.0.1',
      flushIntervalMs: spec.flushIntervalMs,
      logLevel: 'warn',
      limits: {
        maxConnectionsPerIp: Math.max(spec.connections, DEFAULT_LIMITS.maxConnections),
        maxConnections: Math.max(spec.connections, DEFAULT_LIMITS.maxConnections),
      },
    }),
    feed,
    logger: false,
  });
  // What the server owes its clients: every symbol changed since a connection's previous update, to each
  // of its subscribers. Counted here, around the market's flush and the hub's services, so the server
  // itself carries no benchmark code. A hub serves its connections in slices (server/hub/slices.ts): a
  // slice served with what changed after generation `since` is owed that for its share of the subscribers,
  // 1/slices (the benchmark's ids deal the clients evenly and the subscriptions are drawn at random; exact
  // when every slice is served at once). Commits before the slices: every changed symbol every flush.
  let owed = 0;
  const market = app.market;
  const hub = app.hub as unknown as { onServed?: (since: number, slices: number) => void; slices?: number };
  // By the symbol's index in the market: the generation it last changed in, and its subscribers.
  const changedGen: number[] = [];
  const subscribers: number[] = [];
  const sliced = hub.slices !== undefined;
  const flush = market.flush.bind(market);
  market.flush = () => {
    const result = flush();
    for (const state of result.changed) {
      changedGen[state.index] = result.gen;
      subscribers[state.index] ??= spec.subscribers[state.symbol] ?? 0;
      if (!sliced) owed += subscribers[state.index]!;
    }
    return result;
  };
  hub.onServed = (since, slices) => {
    let sum = 0;
    for (let i = 0; i < changedGen.length; i++) if (changedGen[i]! > since) sum += subscribers[i]!;
    owed += sum / slices;
  };
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    port: address.port,
    symbols: feed.instruments.map((instrument) => instrument.symbol),
    go: () => feed.go(),
    counters: () => ({
      ticks: market.counters.ticks,
      eventTimeMs: Math.max(0, ...Array.from(market.all(), (state) => state.lastTime).filter(Number.isFinite)),
      owed,
      connections: app.hub.connections,
      heldBack: app.hub.counters.paused,
    }),
    close: () => app.close(),
  };
});
