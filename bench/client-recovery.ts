/**
 * Client recovery figures: how long a dead server takes to notice, how long a restart or a lost frame takes
 * to recover, and whether the bars then equal the server's. Prints a table; asserts nothing (the tests in
 * test/client assert the behaviour).
 *
 *   node --import tsx bench/client-recovery.ts [rounds]
 */
import { spawn } from 'node:child_process';
import WebSocket from 'ws';
import { TickerClient } from '../client/client.js';
import type { ClientError } from '../client/errors.js';
import type { Bar } from '../client/protocol/messages.js';
import type { Recovery } from '../client/recovery.js';
import { createSimulator } from '../feeds/simulator/index.js';
import { buildApp } from '../server/app.js';
import { defineConfig } from '../server/config.js';
import { median } from './report.js';

const ROUNDS = Number(process.argv[2] ?? 3);
const SYMBOLS = ['AAPL', 'BTC-USD', 'MSFT'];
const AWAY_MS = 2_500;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
async function until(probe: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(2);
  }
}

interface Row {
  readonly scenario: string;
  readonly measure: string;
  readonly values: number[];
  readonly note: string;
}
const rows: Row[] = [];
function record(scenario: string, measure: string, value: number, note = ''): void {
  let row = rows.find((r) => r.scenario === scenario && r.measure === measure);
  if (row === undefined) rows.push((row = { scenario, measure, values: [], note }));
  row.values.push(value);
}

/** Dead server: `tickertape serve` in its own process, stopped with SIGSTOP. */
async function deadServer(heartbeatMs: number): Promise<void> {
  const server = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'serve', '--port', '0', '--host', '127.0.0.1', '--warmup-s', '5'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let output = '';
  server.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await until(() => /dashboard on http:\/\/localhost:\d+\//.test(output));
  const port = /localhost:(\d+)\//.exec(output)![1];
  const client = new TickerClient({ url: `ws://127.0.0.1:${port}/ws`, WebSocket, heartbeatMs, connectTimeoutMs: 2 * heartbeatMs, reconnect: { minDelayMs: 20, maxDelayMs: 200 } });
  let lastMessageAt = 0;
  let deadAt = 0;
  let recoveredAt = 0;
  client.on('message', () => (lastMessageAt = Date.now()));
  client.on('error', (error) => {
    if ((error as ClientError).code === 'HEARTBEAT_TIMEOUT' && deadAt === 0) deadAt = Date.now();
  });
  client.on('recovered', () => (recoveredAt = Date.now()));
  client.connect();
  await client.subscribe(SYMBOLS);
  await sleep(500);
  server.kill('SIGSTOP');
  const stoppedAt = Date.now();
  await until(() => deadAt > 0);
  const scenario = `SIGSTOP server, heartbeatMs ${heartbeatMs}`;
  record(scenario, 'last message → dead (ms)', deadAt - lastMessageAt, `bound 2 × ${heartbeatMs}`);
  record(scenario, 'SIGSTOP → dead (ms)', deadAt - stoppedAt);
  server.kill('SIGCONT');
  const continuedAt = Date.now();
  await until(() => recoveredAt > 0);
  record(scenario, 'SIGCONT → recovered (ms)', recoveredAt - continuedAt, 'includes the backoff delay');
  client.close();
  server.kill('SIGTERM');
}

async function simulatedServer(startTime: number, port: number, snapshotBars: number): Promise<Awaited<ReturnType<typeof buildApp>>> {
  const feed = createSimulator({ seed: 11, ticksPerSecond: 300, symbols: SYMBOLS, startTime, warmupMs: Date.now() - startTime });
  const app = await buildApp({ config: defineConfig({ flushIntervalMs: 50, limits: { snapshotBars } }), feed, logger: false });
  await app.listen({ port, host: '127.0.0.1' });
  return app;
}

/** A server restarted on the same port, replaying the same deterministic market. */
async function restart(snapshotBars: number): Promise<void> {
  const startTime = Math.floor(Date.now() / 1000) * 1000 - 30_000;
  let app = await simulatedServer(startTime, 0, 60);
  const port = (app.server.address() as { port: number }).port;
  const client = new TickerClient({ url: `ws://127.0.0.1:${port}/ws`, WebSocket, reconnect: { minDelayMs: 20, maxDelayMs: 100 } });
  const series = new Map<string, Map<number, Bar>>();
  const closed = new Map<string, Set<number>>();
  client.on('bar', ({ symbol, bar, closed: isClosed }) => {
    if (!series.has(symbol)) series.set(symbol, new Map());
    series.get(symbol)!.set(bar[0], [...bar] as Bar);
    if (isClosed) (closed.get(symbol) ?? closed.set(symbol, new Set()).get(symbol)!).add(bar[0]);
  });
  const recoveries: { at: number; recovery: Recovery }[] = [];
  client.on('recovered', (recovery) => recoveries.push({ at: Date.now(), recovery }));
  client.connect();
  await client.subscribe(SYMBOLS, { bars: true });
  await sleep(2_000);
  await app.close();
  await sleep(AWAY_MS);
  app = await simulatedServer(startTime, port, snapshotBars);
  const listeningAt = Date.now();
  await until(() => recoveries.length > 0);
  const { at, recovery } = recoveries[0]!;
  await sleep(1_500);
  let compared = 0;
  let mismatched = 0;
  for (const symbol of SYMBOLS) {
    const times = [...closed.get(symbol)!].sort((a, b) => a - b);
    const truth = (await client.history(symbol, '1s', { limit: 900 })).filter((bar) => bar[0] >= times[0]! && bar[0] <= times.at(-1)!);
    const held = times.map((time) => series.get(symbol)!.get(time)!);
    compared += truth.length;
    mismatched += Math.abs(truth.length - held.length) + truth.filter((bar, i) => JSON.stringify(bar) !== JSON.stringify(held[i])).length;
  }
  const scenario = `server restart, ${AWAY_MS} ms away, snapshot ${snapshotBars} bars`;
  record(scenario, 'listening → recovered (ms)', at - listeningAt, 'includes the backoff delay');
  record(scenario, 'bars filled from history', recovery.filledBars);
  record(scenario, 'closed bars compared', compared);
  record(scenario, 'bars differing or missing', mismatched);
  client.close();
  await app.close();
}

/** Frames lost on purpose (the hub's test hook). */
async function lostFrames(): Promise<void> {
  const app = await simulatedServer(Date.now() - 10_000, 0, 60);
  const port = (app.server.address() as { port: number }).port;
  const client = new TickerClient({ url: `ws://127.0.0.1:${port}/ws`, WebSocket });
  let gapAt = 0;
  let recoveredAt = 0;
  client.on('gap', () => (gapAt = Date.now()));
  client.on('recovered', () => (recoveredAt = Date.now()));
  client.connect();
  await client.subscribe(SYMBOLS, { bars: true });
  await sleep(1_000);
  app.hub.loseUpdateFrames(3);
  await until(() => recoveredAt > 0);
  record('3 update frames lost', 'gap seen → recovered (ms)', recoveredAt - gapAt);
  client.close();
  await app.close();
}

for (let round = 0; round < ROUNDS; round++) {
  await deadServer(300);
  await deadServer(1_000);
  await restart(60);
  await restart(1);
  await lostFrames();
}

console.table(
  rows.map((row) => ({
    scenario: row.scenario,
    measure: row.measure,
    min: Math.min(...row.values),
    median: median(row.values),
    max: Math.max(...row.values),
    note: row.note,
  })),
);
process.exit(0);
