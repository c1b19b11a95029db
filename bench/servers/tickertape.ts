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
  // What the server owes its clients: every changed symbol, to each of its subscribers, once a round.
  // Counted here, around the market's flush, so the server itself carries no benchmark code. A round is
  // `slices` flushes (the rolling flush, server/hub/hub.ts), each serving one slice of the connections
  // with the symbols changed in the round's generations: the flush of generation g owes a slice's share
  // (1/slices of the subscribers, dealt by connection id) of every symbol changed in the last `slices`
  // generations. Exact with one slice; with more, the subscriptions are drawn at random, so a slice's
  // share of a symbol's subscribers is 1/slices on average (the benchmark's ids deal the clients evenly).
  // Commits before the rolling flush have no `slices`: one.
  const slices = (app.hub as unknown as { readonly slices?: number }).slices ?? 1;
  let owed = 0;
  const market = app.market;
  // By the symbol's index in the market: the generation it last changed in, and its subscribers.
  const changedGen: number[] = [];
  const subscribers: number[] = [];
  const flush = market.flush.bind(market);
  market.flush = () => {
    const result = flush();
    for (const state of result.changed) {
      changedGen[state.index] = result.gen;
      subscribers[state.index] ??= spec.subscribers[state.symbol] ?? 0;
    }
    let round = 0;
    for (let i = 0; i < changedGen.length; i++) if (changedGen[i]! > result.gen - slices) round += subscribers[i]!;
    owed += round / slices;
    return result;
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
