/**
 * Micro-benchmarks of the costs that grow with the market and the audience, run in this process on the
 * default scenario's market (500 symbols, 1,000 ticks per 50 ms flush, clients subscribed to 50 symbols):
 * encoding a flush, assembling one client's frame, a whole flush of the hub for 1,000 clients with the
 * sockets stubbed out (JavaScript only, no system calls), and decoding frames as the browser client does
 * (msgpackr in pure JavaScript: its native extension is stubbed out here, and browsers never have it).
 */
import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import type { WebSocket } from 'ws';
import { decodeBinary, decodeText, encodeBinary } from '../client/protocol/codec.js';
import { createSimulator, UNIVERSE } from '../feeds/simulator/index.js';
import type { Tick } from '../feeds/tick.js';
import { DEFAULT_LIMITS, defineConfig } from '../server/config.js';
import { binaryFrame, Body, textFrame } from '../server/hub/frames.js';
import { Hub } from '../server/hub/hub.js';
import { payloadOf } from '../server/hub/websocket-frame.js';
import { PieceCache } from '../server/hub/piece-cache.js';
import { SILENT_LOGGER } from '../server/logging/silent.js';
import { hubOptions } from '../server/plugins/hub.js';
import { Market, type FlushResult } from '../server/market/market.js';
import { decodeInChromium } from './browser-decode/run.js';
import { drawSubscriptions } from './subscriptions.js';
import { median } from './report.js';
import { inRoundOrder, type Target } from './run-target.js';
import type { ScenarioOutput, Table } from './table.js';

const SYMBOLS = 500;
const TICKS_PER_FLUSH = 1_000;
const CLIENTS = 1_000;
const SYMBOLS_PER_CLIENT = 50;
const BENCH_TIME_MS = 1_000;

/** A socket that takes frames and sends them nowhere: the hub's own cost, without the kernel's. */
class NullSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  bytes = 0;
  send(data: Uint8Array | string): void {
    this.bytes += data.length;
  }
  close(): void {
    this.readyState = 3;
  }
  pause(): void {}
  resume(): void {}
}

function newMarket(): { market: Market; next: () => Tick } {
  const simulator = createSimulator({ seed: 42, ticksPerSecond: 20_000, syntheticSymbols: SYMBOLS - UNIVERSE.length, startTime: Date.now() });
  const market = new Market(simulator.instruments, {
    retention: { secondBars: DEFAULT_LIMITS.barRetention1sBars, minuteBars: DEFAULT_LIMITS.barRetention1mBars },
    maxSymbols: DEFAULT_LIMITS.maxSymbols,
  });
  const ticks = simulator.ticks();
  const next = (): Tick => ticks.next().value as Tick;
  // A minute of history first, so every symbol has traded and bars exist.
  for (let i = 0; i < 20_000 * 60; i++) market.apply(next());
  market.flush();
  return { market, next };
}

function flushOnce(market: Market, next: () => Tick): FlushResult {
  for (let i = 0; i < TICKS_PER_FLUSH; i++) market.apply(next());
  return market.flush();
}

/** Rounds of the hub-flush program per target, interleaved so that each sees the same machine load. */
const HUB_FLUSH_ROUNDS = 4;

/**
 * The hub's JavaScript cost per connection per flush, and the market's per tick applied between flushes,
 * for each tickertape target (today's code and any tickertape@REF), each in its own process
 * (bench/servers/hub-flush.ts), in interleaved rounds.
 */
function hubFlushByTarget(targets: readonly Target[]): Table | undefined {
  const ours = targets.filter((target) => target.protocol === 'tickertape');
  if (ours.length < 2) return undefined;
  const here = fileURLToPath(new URL('.', import.meta.url));
  const perClient = new Map<string, number[]>(ours.map((target) => [target.name, []]));
  const perTick = new Map<string, number[]>(ours.map((target) => [target.name, []]));
  for (let round = 0; round < HUB_FLUSH_ROUNDS; round++) {
    for (const target of inRoundOrder(ours, round)) {
      const program = resolve(here, target.program).replace(/tickertape\.js$/, 'hub-flush.js');
      const line = execFileSync(process.execPath, [program], { encoding: 'utf8' });
      const result = JSON.parse(line) as { medianPerClientUs: number; medianPerTickUs: number };
      perClient.get(target.name)!.push(result.medianPerClientUs);
      perTick.get(target.name)!.push(result.medianPerTickUs);
    }
  }
  const first = ours[0]!.name;
  const share = (us: number, of: number): string => `${((us / of) * 100).toFixed(0)} %`;
  return {
    header: ['target', 'µs per connection per flush', `vs ${first}`, 'µs per tick applied', `vs ${first}`],
    rows: ours.map((target) => {
      const flush = median(perClient.get(target.name)!);
      const tick = median(perTick.get(target.name)!);
      return [target.name, flush, share(flush, median(perClient.get(first)!)), tick, share(tick, median(perTick.get(first)!))];
    }),
  };
}

/** The browser cases' rows in the micro table (bench/browser-decode/). */
const BROWSER_BINARY_CASE = 'client in Chromium: decode one MessagePack update frame';
const BROWSER_TEXT_CASE = 'client in Chromium: decode the same frame as JSON text';

export async function runMicro(targets: readonly Target[] = []): Promise<ScenarioOutput> {
  const { market, next } = newMarket();
  const symbols = Array.from(market.all(), (state) => state.symbol);
  const subscriptions = drawSubscriptions(symbols, CLIENTS, SYMBOLS_PER_CLIENT, 42);

  // A representative flush and its frames, for the per-frame and decode cases.
  const sample = flushOnce(market, next);
  const cache = new PieceCache();
  cache.clear(sample.gen - 1, market.size);
  // Each client's body as the hub makes it: keys into the flush's piece cache (the only piece source the
  // server has, so the copy's call site sees one kind here too).
  const bodies = subscriptions.map((list) => {
    const keys = Int32Array.from(list.map((symbol) => cache.key(market.get(symbol)!, sample.gen - 1, false) ?? Number.NaN).filter((key) => !Number.isNaN(key)));
    const bytes = keys.reduce((sum, key) => sum + cache.size(key), 0);
    return new Body(cache, keys, keys.length, bytes, false);
  });
  const entriesPerFrame = bodies.reduce((sum, body) => sum + body.count, 0) / CLIENTS;
  const frames = bodies.slice(0, 100).map((body) => payloadOf(binaryFrame(1, Date.now(), body)));
  const texts = bodies.slice(0, 100).map((body) => textFrame(1, Date.now(), body));
  const frameBytes = frames.reduce((sum, frame) => sum + frame.length, 0) / frames.length;

  const config = defineConfig({ flushIntervalMs: 50 });
  const hub = new Hub(market, hubOptions(config, () => ({ kind: 'simulated', description: 'micro' }), 1), SILENT_LOGGER);
  for (const list of subscriptions) {
    const session = hub.accept(new NullSocket() as unknown as WebSocket, 'msgpack', 'bench');
    hub.receive(session, Buffer.from(encodeBinary({ type: 'subscribe', symbols: list, bars: false, snapshot: false })), true);
  }

  let frameIndex = 0;
  let flushes = 0;
  const bench = new Bench({ time: BENCH_TIME_MS, warmupTime: 200 });
  bench
    .add('encode a flush: every changed symbol once', () => {
      const pieces = new PieceCache();
      pieces.clear(sample.gen - 1, market.size);
      for (const state of sample.changed) pieces.key(state, sample.gen - 1, false);
    })
    .add('assemble one client frame (body + prefix)', () => {
      binaryFrame(frameIndex, Date.now(), bodies[frameIndex++ % CLIENTS]!);
    })
    .add(`hub flush for ${CLIENTS.toLocaleString('en-US')} clients (JS only)`, () => {
      // The same closed generation each time: the hub's own work (pieces, bodies, frames), not the market's.
      hub.flush(sample);
      flushes++;
    })
    .add('client: decode one MessagePack update frame', () => {
      decodeBinary(frames[frameIndex++ % frames.length]!);
    })
    .add('client: decode the same frame as JSON text', () => {
      decodeText(texts[frameIndex++ % texts.length]!);
    })
    // Last: it moves the market on, and the cases above measure the sample flush.
    .add('market: apply 1,000 ticks and close the generation', () => {
      flushOnce(market, next);
    });
  await bench.warmup();
  await bench.run();

  const perUnit: readonly (readonly [prefix: string, unit: string, count: number])[] = [
    ['market', 'tick', TICKS_PER_FLUSH],
    ['encode', 'entry', sample.changed.length],
    ['assemble', 'entry', entriesPerFrame],
    ['hub flush', 'client', CLIENTS],
    ['client', 'entry', entriesPerFrame],
  ];
  // Medians: on a shared machine a preempted sample is an outlier, and the median ignores it.
  const rows: (readonly [string, number, number, string, number, number])[] = bench.tasks.map((task) => {
    const medianMs = median(task.result?.samples ?? []);
    const [, unit, count] = perUnit.find(([prefix]) => task.name.startsWith(prefix)) ?? ['', '-', Number.NaN];
    return [task.name, medianMs * 1000, (task.result?.mean ?? Number.NaN) * 1000, unit, (medianMs * 1000) / count, task.result?.samples.length ?? 0] as const;
  });
  const notes = [
    `${sample.changed.length} of ${SYMBOLS} symbols changed in a flush of ${TICKS_PER_FLUSH} ticks; a frame carries ${entriesPerFrame.toFixed(1)} entries, ${frameBytes.toFixed(0)} bytes`,
    `the hub flushed ${flushes} times, sending ${CLIENTS} frames each`,
  ];
  // The same frames decoded by the client library inside Chromium, as the dashboard decodes them.
  const inBrowser = await decodeInChromium(process.cwd(), frames, texts);
  if ('skipped' in inBrowser) notes.push(inBrowser.skipped);
  else {
    const { binary, text, userAgent } = inBrowser.results;
    rows.push(
      [BROWSER_BINARY_CASE, binary.medianUs, binary.meanUs, 'entry', binary.medianUs / entriesPerFrame, binary.samples],
      [BROWSER_TEXT_CASE, text.medianUs, text.meanUs, 'entry', text.medianUs / entriesPerFrame, text.samples],
    );
    notes.push(`in Chromium (${userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? userAgent}): samples of ${binary.perSample} decodes each, the page's clock being coarse`);
  }
  const tables = [{ title: 'micro-benchmarks', table: { header: ['case', 'median µs', 'mean µs', 'unit', 'µs per unit (median)', 'samples'], rows } as Table }];
  const byTarget = hubFlushByTarget(targets);
  if (byTarget !== undefined) tables.push({ title: `hub flush (${CLIENTS} connections, JavaScript only) and ticks applied between flushes, by commit (median of ${HUB_FLUSH_ROUNDS} interleaved rounds, the order reversed every other round)`, table: byTarget });
  return {
    tables,
    data: { rows, entriesPerFrame, frameBytes, changedPerFlush: sample.changed.length },
    notes,
  };
}
