/**
 * Soak: a real `tickertape serve` process and N WebSocket clients (default 2,000) for a set time, with
 * some clients reconnecting all along and, optionally, some that stop reading. Every report interval it
 * prints the server's RSS and heap (from its /metrics), its event-loop lag, and the p50/p99 delivery
 * latency clients saw (now − the frame's `time`); at the end, the RSS slope over the run and p99 at the
 * start against the end. A leak shows as a slope; a slowdown as a p99 that climbs.
 *
 *   node --import tsx bench/soak.ts [--clients 2000] [--duration-s 600] [--report-s 30] [--churn-per-s 5]
 *                                  [--stalled 0] [--symbols 5] [--rate 2000]
 *
 * Traffic goes to 127.0.0.1 only, and the run stops by itself after --duration-s.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { encodeBinary } from '../client/protocol/codec.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '2000' },
    'duration-s': { type: 'string', default: '60' },
    'report-s': { type: 'string', default: '10' },
    'churn-per-s': { type: 'string', default: '5' },
    stalled: { type: 'string', default: '0' },
    symbols: { type: 'string', default: '5' },
    rate: { type: 'string', default: '2000' },
  },
});
const CLIENTS = Number(values.clients);
const DURATION_MS = Number(values['duration-s']) * 1000;
const REPORT_MS = Number(values['report-s']) * 1000;
const CHURN_PER_S = Number(values['churn-per-s']);
const STALLED = Number(values.stalled);
const SYMBOLS_PER_CLIENT = Number(values.symbols);
/** Clients opened at once while ramping up. */
const OPEN_BATCH = 100;

const root = fileURLToPath(new URL('..', import.meta.url));
const server = spawn(
  process.execPath,
  ['--import', 'tsx', 'cli/main.ts', 'serve', '--host', '127.0.0.1', '--port', '0', '--rate', values.rate, '--warmup-s', '60',
    '--max-connections-per-ip', String(CLIENTS + STALLED + 100), '--max-connections', String(CLIENTS + STALLED + 100)],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
);
const port = await new Promise<number>((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    const match = /dashboard on http:\/\/localhost:(\d+)\//.exec(out);
    if (match !== null) resolve(Number(match[1]));
  });
  server.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
});
const http = `http://127.0.0.1:${port}`;
const url = `ws://127.0.0.1:${port}/ws`;
const universe = ((await (await fetch(`${http}/api/symbols`)).json()) as { symbols: { symbol: string }[] }).symbols.map((s) => s.symbol);

// ---------------------------------------------------------------------------------------------------------
// Clients

let latencies: number[] = [];
let frames = 0;
let reconnects = 0;
const live = new Set<WebSocket>();
const TIME_KEY = Buffer.from([0xa4, 0x74, 0x69, 0x6d, 0x65]); // "time"

/**
 * An update's `time`, read straight from the frame's header (`..."time" d3 <int64>`): 2,000 clients
 * decoding every frame in full would measure this process's CPU, not the server.
 */
function frameTime(data: Buffer): number | undefined {
  if (data[1] !== 0xa4 || data[6] !== 0xa6 || data[7] !== 0x75) return undefined; // "type": "u..."
  const at = data.indexOf(TIME_KEY, 8);
  if (at < 0 || at > 40) return undefined;
  const marker = data[at + 5];
  if (marker === 0xd3) return Number(data.readBigInt64BE(at + 6));
  if (marker === 0xcf) return Number(data.readBigUInt64BE(at + 6));
  return undefined;
}

function pick(n: number): string[] {
  const chosen = new Set<string>();
  while (chosen.size < Math.min(n, universe.length)) chosen.add(universe[Math.floor(Math.random() * universe.length)]!);
  return [...chosen];
}

function openClient(stalled = false): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, ['msgpack']);
    socket.once('open', () => {
      socket.send(encodeBinary({ type: 'subscribe', symbols: pick(SYMBOLS_PER_CLIENT), bars: false, snapshot: true }));
      if (stalled) socket.pause();
      else live.add(socket);
      resolve(socket);
    });
    socket.on('message', (data: Buffer) => {
      const time = frameTime(data);
      if (time === undefined) return;
      frames++;
      latencies.push(Date.now() - time);
    });
    socket.once('close', () => live.delete(socket));
    socket.once('error', reject);
  });
}

for (let opened = 0; opened < CLIENTS; opened += OPEN_BATCH) {
  await Promise.all(Array.from({ length: Math.min(OPEN_BATCH, CLIENTS - opened) }, () => openClient()));
}
const stalled = await Promise.all(Array.from({ length: STALLED }, () => openClient(true)));

const churn = setInterval(() => {
  const victims = [...live].slice(0, CHURN_PER_S);
  for (const socket of victims) {
    socket.close();
    reconnects++;
    openClient().catch((error: unknown) => process.stderr.write(`reconnect failed: ${String(error)}\n`));
  }
}, 1000);

// ---------------------------------------------------------------------------------------------------------
// Reports

function metric(text: string, name: string): number {
  const match = new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text);
  return match === null ? Number.NaN : Number(match[1]);
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

interface Sample {
  readonly minutes: number;
  readonly rssMb: number;
  readonly heapMb: number;
  readonly p50: number;
  readonly p99: number;
}
const samples: Sample[] = [];
const started = Date.now();
const mb = (bytes: number): number => bytes / 1024 / 1024;
process.stdout.write(`soak: ${CLIENTS} clients (${STALLED} stalled), ${SYMBOLS_PER_CLIENT} symbols each, churn ${CHURN_PER_S}/s, feed ${values.rate} ticks/s, ${DURATION_MS / 1000} s\n\n`);
process.stdout.write('| elapsed s | clients | frames/s | p50 ms | p99 ms | server RSS MB | heap MB | loop lag p99 ms |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n');

async function report(): Promise<void> {
  const text = await (await fetch(`${http}/metrics`)).text();
  const sorted = latencies.sort((a, b) => a - b);
  const sample: Sample = {
    minutes: (Date.now() - started) / 60_000,
    rssMb: mb(metric(text, 'process_resident_memory_bytes')),
    heapMb: mb(metric(text, 'nodejs_heap_size_used_bytes')),
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
  };
  samples.push(sample);
  const elapsed = Math.round((Date.now() - started) / 1000);
  const lag = metric(text, 'nodejs_eventloop_lag_p99_seconds') * 1000;
  process.stdout.write(
    `| ${elapsed} | ${metric(text, 'tickertape_connections')} | ${Math.round(frames / (REPORT_MS / 1000))} | ${sample.p50} | ${sample.p99} | ${sample.rssMb.toFixed(1)} | ${sample.heapMb.toFixed(1)} | ${lag.toFixed(1)} |\n`,
  );
  latencies = [];
  frames = 0;
}

await new Promise<void>((resolve) => {
  const timer = setInterval(() => {
    void report().then(() => {
      if (Date.now() - started >= DURATION_MS) {
        clearInterval(timer);
        resolve();
      }
    });
  }, REPORT_MS);
});
clearInterval(churn);

/** Least-squares slope of RSS (MB per minute) over the second half of the run, after warm-up. */
function slope(points: readonly Sample[]): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.minutes, 0) / n;
  const my = points.reduce((s, p) => s + p.rssMb, 0) / n;
  const num = points.reduce((s, p) => s + (p.minutes - mx) * (p.rssMb - my), 0);
  const den = points.reduce((s, p) => s + (p.minutes - mx) ** 2, 0);
  return den === 0 ? Number.NaN : num / den;
}
const steady = samples.slice(Math.floor(samples.length / 2));
const first = samples[0]!;
const last = samples.at(-1)!;
process.stdout.write(
  `\nRSS ${first.rssMb.toFixed(1)} → ${last.rssMb.toFixed(1)} MB; slope over the second half ${slope(steady).toFixed(3)} MB/min, over all ${slope(samples).toFixed(3)} MB/min\n` +
    `p99 latency first interval ${first.p99} ms, last ${last.p99} ms; ${reconnects} reconnects\n`,
);

for (const socket of [...live, ...stalled]) socket.terminate();
server.kill('SIGTERM');
await new Promise((resolve) => server.once('exit', resolve));
