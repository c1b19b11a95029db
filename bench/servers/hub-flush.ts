/**
 * The hub's own cost of a flush, JavaScript only: 1,000 connections (sockets that send nowhere) subscribed
 * to 50 of 500 symbols, 1,000 ticks applied between flushes, each flush timed alone, and so is applying each
 * batch of ticks to the market (drawn from the simulator beforehand, so the simulator's cost is not in it).
 * The flush in between leaves the market's memory out of the caches as a running server's does. A program of
 * its own, compiled with each `tickertape@REF` like the server (bench/baseline.ts), so the micro scenario can
 * time past commits beside today's code. Prints one JSON line: the median µs per flush, per connection, and
 * per tick applied.
 */
import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { encodeBinary } from '../../client/protocol/codec.js';
import { createSimulator, UNIVERSE } from '../../feeds/simulator/index.js';
import type { Tick } from '../../feeds/tick.js';
import { DEFAULT_LIMITS } from '../../server/config.js';
import { Hub } from '../../server/hub/hub.js';
import { Market } from '../../server/market/market.js';

const SYMBOLS = 500;
const CLIENTS = 1_000;
const SYMBOLS_PER_CLIENT = 50;
const TICKS_PER_FLUSH = 1_000;
const MEASURE_MS = Number(process.argv[2] ?? 3_000);

class NullSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  send(): void {}
  close(): void {
    this.readyState = 3;
  }
  pause(): void {}
  resume(): void {}
}

const simulator = createSimulator({ seed: 42, ticksPerSecond: 20_000, syntheticSymbols: SYMBOLS - UNIVERSE.length, startTime: Date.now() });
const market = new Market(simulator.instruments, {
  retention: { secondBars: DEFAULT_LIMITS.barRetention1sBars, minuteBars: DEFAULT_LIMITS.barRetention1mBars },
  maxSymbols: DEFAULT_LIMITS.maxSymbols,
});
const ticks = simulator.ticks();
const apply = (count: number): void => {
  for (let i = 0; i < count; i++) market.apply(ticks.next().value as Tick);
};
apply(20_000 * 60);
market.flush();

// Its own silent logger rather than server/logging/silent.ts: this file is compiled against past commits'
// server code too, which may not have that module.
const noop = (): void => {};
const log = { info: noop, warn: noop, error: noop, debug: noop, trace: noop, fatal: noop, level: 'silent', child: () => log };
// One flush serves every connection (slices: 1): each flush timed is a whole round. Not a literal in the
// call, so the same file compiles against commits whose HubOptions had no `slices`.
const options = {
  serverName: 'bench',
  feed: () => ({ kind: 'simulated' as const, description: 'hub-flush' }),
  flushIntervalMs: 50,
  maxBufferedBytes: DEFAULT_LIMITS.maxBufferedBytes,
  slowClientTimeoutMs: DEFAULT_LIMITS.slowClientTimeoutMs,
  maxSymbolsPerConnection: DEFAULT_LIMITS.maxSymbolsPerConnection,
  snapshotBars: DEFAULT_LIMITS.snapshotBars,
  historyDefaultLimit: DEFAULT_LIMITS.historyDefaultLimitBars,
  requests: { maxSymbolLength: 32, maxSymbolsPerRequest: 1_000, maxHistoryLimit: 5_000 },
  flow: {
    maxMessagesPerS: DEFAULT_LIMITS.maxInboundMessagesPerS,
    burstMessages: DEFAULT_LIMITS.inboundBurstMessages,
    maxRateLimitedMessages: DEFAULT_LIMITS.maxRateLimitedMessages,
    maxBufferedBytes: DEFAULT_LIMITS.maxBufferedBytes,
  },
  slices: 1,
};
const hub = new Hub(market, options, log as unknown as ConstructorParameters<typeof Hub>[2]);
// The same seeded draw as bench/subscriptions.ts, inlined so this file stands alone against old commits.
let seed = 42;
const random = (): number => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
const symbols = simulator.instruments.map((instrument) => instrument.symbol);
for (let c = 0; c < CLIENTS; c++) {
  const pool = [...symbols];
  for (let i = 0; i < SYMBOLS_PER_CLIENT; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  const session = hub.accept(new NullSocket() as unknown as WebSocket, 'msgpack', 'bench');
  hub.receive(session, Buffer.from(encodeBinary({ type: 'subscribe', symbols: pool.slice(0, SYMBOLS_PER_CLIENT), bars: false, snapshot: false })), true);
}

const samples: number[] = [];
const applySamples: number[] = [];
const batch: Tick[] = [];
const end = performance.now() + MEASURE_MS;
while (performance.now() < end) {
  for (let i = 0; i < TICKS_PER_FLUSH; i++) batch[i] = ticks.next().value as Tick;
  const applying = performance.now();
  for (const tick of batch) market.apply(tick);
  applySamples.push(performance.now() - applying);
  const result = market.flush();
  const started = performance.now();
  hub.flush(result);
  samples.push(performance.now() - started);
}
const median = (values: number[]): number => values.sort((x, y) => x - y)[values.length >> 1] ?? Number.NaN;
const medianMs = median(samples);
process.stdout.write(
  `${JSON.stringify({
    flushes: samples.length,
    medianFlushUs: medianMs * 1000,
    medianPerClientUs: (medianMs * 1000) / CLIENTS,
    medianPerTickUs: (median(applySamples) * 1000) / TICKS_PER_FLUSH,
    frames: hub.counters.frames,
    entries: hub.counters.entries,
  })}\n`,
);
