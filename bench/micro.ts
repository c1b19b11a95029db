/**
 * Micro-benchmarks of the costs that grow with the market and the audience, run in this process on the
 * default scenario's market (500 symbols, 1,000 ticks per 50 ms flush, clients subscribed to 50 symbols):
 * encoding a flush, assembling one client's frame, a whole flush of the hub for 1,000 clients with the
 * sockets stubbed out (JavaScript only, no system calls), and decoding frames as the browser client does
 * (msgpackr in pure JavaScript: its native extension is stubbed out here, and browsers never have it).
 */
import { EventEmitter } from 'node:events';
import { Bench } from 'tinybench';
import type { WebSocket } from 'ws';
import { decodeBinary, decodeText, encodeBinary } from '../client/protocol/codec.js';
import { createSimulator, UNIVERSE } from '../feeds/simulator/index.js';
import type { Tick } from '../feeds/tick.js';
import { DEFAULT_LIMITS } from '../server/config.js';
import { binaryFrame, Body, textFrame } from '../server/hub/frames.js';
import { Hub } from '../server/hub/hub.js';
import { payloadOf } from '../server/hub/websocket-frame.js';
import { PieceCache } from '../server/hub/piece-cache.js';
import { Market, type FlushResult } from '../server/market/market.js';
import { drawSubscriptions } from './subscriptions.js';
import type { Table } from './table.js';

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

function silentLog(): ConstructorParameters<typeof Hub>[2] {
  const noop = (): void => {};
  const log = { info: noop, warn: noop, error: noop, debug: noop, trace: noop, fatal: noop, silent: noop, level: 'silent', child: () => log };
  return log as unknown as ConstructorParameters<typeof Hub>[2];
}

export async function runMicro(): Promise<{ tables: { title: string; table: Table }[]; data: unknown; notes: string[] }> {
  const { market, next } = newMarket();
  const symbols = Array.from(market.all(), (state) => state.symbol);
  const subscriptions = drawSubscriptions(symbols, CLIENTS, SYMBOLS_PER_CLIENT, 42);

  // A representative flush and its frames, for the per-frame and decode cases.
  const sample = flushOnce(market, next);
  const cache = new PieceCache();
  cache.clear(sample.gen - 1);
  const framePieces = subscriptions.map((list) =>
    list.map((symbol) => cache.get(market.get(symbol)!, sample.gen - 1, false)).filter((piece) => piece !== null),
  );
  const entriesPerFrame = framePieces.reduce((sum, pieces) => sum + pieces.length, 0) / CLIENTS;
  const frames = framePieces.slice(0, 100).map((pieces) => payloadOf(binaryFrame(1, Date.now(), new Body(pieces))));
  const texts = framePieces.slice(0, 100).map((pieces) => textFrame(1, Date.now(), new Body(pieces)));
  const frameBytes = frames.reduce((sum, frame) => sum + frame.length, 0) / frames.length;

  const hub = new Hub(
    market,
    {
      serverName: 'bench',
      feed: () => ({ kind: 'simulated', description: 'micro' }),
      flushIntervalMs: 50,
      maxBufferedBytes: DEFAULT_LIMITS.maxBufferedBytes,
      slowClientTimeoutMs: DEFAULT_LIMITS.slowClientTimeoutMs,
      maxSymbolsPerConnection: DEFAULT_LIMITS.maxSymbolsPerConnection,
      snapshotBars: DEFAULT_LIMITS.snapshotBars,
      historyDefaultLimit: DEFAULT_LIMITS.historyDefaultLimitBars,
      requests: { maxSymbolLength: 32, maxSymbolsPerRequest: 1_000, maxHistoryLimit: 5_000 },
    },
    silentLog(),
  );
  for (const list of subscriptions) {
    const session = hub.accept(new NullSocket() as unknown as WebSocket, 'msgpack', 'bench');
    hub.receive(session, Buffer.from(encodeBinary({ type: 'subscribe', symbols: list, bars: false, snapshot: false })), true);
  }

  let frameIndex = 0;
  let flushes = 0;
  const bench = new Bench({ time: BENCH_TIME_MS, warmupTime: 200 });
  bench
    .add('encode a flush: every changed symbol once', () => {
      const result = flushOnce(market, next);
      const pieces = new PieceCache();
      pieces.clear(result.gen - 1);
      for (const state of result.changed) pieces.get(state, result.gen - 1, false);
    })
    .add('market only: apply 1,000 ticks and flush', () => {
      flushOnce(market, next);
    })
    .add('assemble one client frame (body + prefix)', () => {
      const pieces = framePieces[frameIndex++ % CLIENTS]!;
      binaryFrame(frameIndex, Date.now(), new Body(pieces, false));
    })
    .add(`hub flush for ${CLIENTS.toLocaleString('en-US')} clients (JS only)`, () => {
      hub.flush(flushOnce(market, next));
      flushes++;
    })
    .add('client: decode one MessagePack update frame', () => {
      decodeBinary(frames[frameIndex++ % frames.length]!);
    })
    .add('client: decode the same frame as JSON text', () => {
      decodeText(texts[frameIndex++ % texts.length]!);
    });
  await bench.warmup();
  await bench.run();

  const perTask = new Map(bench.tasks.map((task) => [task.name, task.result?.mean ?? Number.NaN]));
  const marketMs = perTask.get('market only: apply 1,000 ticks and flush')!;
  const rows = bench.tasks.map((task) => {
    const meanMs = task.result?.mean ?? Number.NaN;
    let unit = '-';
    let perUnitUs = Number.NaN;
    if (task.name.startsWith('encode')) {
      unit = 'entry';
      perUnitUs = ((meanMs - marketMs) * 1000) / sample.changed.length;
    } else if (task.name.startsWith('assemble')) {
      unit = 'entry';
      perUnitUs = (meanMs * 1000) / entriesPerFrame;
    } else if (task.name.startsWith('hub flush')) {
      unit = 'client';
      perUnitUs = ((meanMs - marketMs) * 1000) / CLIENTS;
    } else if (task.name.startsWith('client')) {
      unit = 'entry';
      perUnitUs = (meanMs * 1000) / entriesPerFrame;
    } else if (task.name.startsWith('market')) {
      unit = 'tick';
      perUnitUs = (meanMs * 1000) / TICKS_PER_FLUSH;
    }
    return [task.name, meanMs * 1000, Math.round(task.result?.hz ?? 0), unit, perUnitUs, `±${(task.result?.rme ?? 0).toFixed(1)} %`] as const;
  });
  const notes = [
    `${sample.changed.length} of ${SYMBOLS} symbols changed in a flush of ${TICKS_PER_FLUSH} ticks; a frame carries ${entriesPerFrame.toFixed(1)} entries, ${frameBytes.toFixed(0)} bytes`,
    'encode and hub flush rows subtract the market-only row (applying the ticks and closing the generation) from their per-unit figure',
    `the hub flushed ${flushes} times, sending ${CLIENTS} frames each`,
  ];
  return {
    tables: [{ title: 'micro-benchmarks (mean of each)', table: { header: ['case', 'µs', 'per second', 'unit', 'µs per unit', 'error'], rows } }],
    data: { rows, entriesPerFrame, frameBytes, changedPerFlush: sample.changed.length },
    notes,
  };
}
