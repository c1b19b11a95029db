/**
 * Simulator benchmark: how fast the unpaced generator makes ticks, and how well the paced feed keeps up with the
 * wall clock at a high rate. Prints a table; asserts nothing.
 *
 *   npx tsx bench/simulator.ts [pacedSeconds]
 *
 * Without tsx in devDependencies (Node 20 cannot strip types itself), compile it first:
 *
 *   npx tsc bench/simulator.ts --outDir .tmp/bench --rootDir . --module nodenext --target es2022 \
 *     --strict --types node --skipLibCheck && node .tmp/bench/bench/simulator.js [pacedSeconds]
 */
import { createSimulator } from '../feeds/simulator/index.js';

const UNPACED_TICKS = 3_000_000;
const UNPACED_ROUNDS = 3;
const PACED_TICKS_PER_SECOND = 200_000;
const PACED_SECONDS = Number(process.argv[2] ?? 3);

interface Row {
  readonly run: string;
  readonly ticksPerSecond: number;
  readonly vsTarget: string;
  /** Event time covered / wall time taken: 100 % when the paced feed neither lags nor runs ahead. */
  readonly keptPace: string;
  /** Process CPU time / wall time over the run. */
  readonly cpu: string;
  readonly maxLagMs: string;
  readonly p99LagMs: string;
  readonly note: string;
}

function unpaced(ticksPerSecond: number): Row {
  const simulator = createSimulator({ seed: 42, startTime: 0, ticksPerSecond });
  let best = 0;
  let checksum = 0;
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  for (let round = 0; round < UNPACED_ROUNDS; round++) {
    const started = performance.now();
    for (const tick of simulator.ticks(UNPACED_TICKS)) checksum += tick.size ?? 0;
    best = Math.max(best, UNPACED_TICKS / ((performance.now() - started) / 1000));
  }
  const cpu = cpuShare(cpuBefore, performance.now() - wallBefore);
  return {
    run: `unpaced ticks(), rate option ${ticksPerSecond}/s`,
    ticksPerSecond: best,
    vsTarget: `${(best / PACED_TICKS_PER_SECOND).toFixed(1)}x 200k`,
    keptPace: '-',
    cpu,
    maxLagMs: '-',
    p99LagMs: '-',
    note: `best of ${UNPACED_ROUNDS} x ${UNPACED_TICKS / 1e6}M (checksum ${checksum > 0 ? 'ok' : '?'})`,
  };
}

async function paced(ticksPerSecond: number, seconds: number): Promise<Row> {
  // One clock for event times and for the lag measurement: the same one Date.now() follows, at µs resolution.
  const wallNow = (): number => performance.timeOrigin + performance.now();
  const startTime = wallNow();
  const simulator = createSimulator({ seed: 42, startTime, ticksPerSecond });
  const lags: number[] = [];
  let count = 0;
  let maxLagMs = 0;
  const endTs = startTime + seconds * 1000;
  const cpuBefore = process.cpuUsage();
  let lastTs = startTime;
  for await (const tick of simulator) {
    const lag = wallNow() - tick.ts;
    if (lag > maxLagMs) maxLagMs = lag;
    // Every 16th lag is enough for a percentile and keeps the loop light.
    if ((count & 15) === 0) lags.push(lag);
    count++;
    lastTs = tick.ts;
    if (tick.ts >= endTs) break;
  }
  const elapsedS = (wallNow() - startTime) / 1000;
  const cpu = cpuShare(cpuBefore, elapsedS * 1000);
  lags.sort((x, y) => x - y);
  const p99 = lags[Math.floor(lags.length * 0.99)] ?? 0;
  const achieved = count / elapsedS;
  return {
    run: `paced for await, ${ticksPerSecond}/s for ${seconds} s`,
    ticksPerSecond: achieved,
    vsTarget: `${((achieved / ticksPerSecond) * 100).toFixed(1)} %`,
    keptPace: `${(((lastTs - startTime) / 1000 / elapsedS) * 100).toFixed(1)} %`,
    cpu,
    maxLagMs: maxLagMs.toFixed(2),
    p99LagMs: p99.toFixed(2),
    note: `${count} ticks in ${elapsedS.toFixed(2)} s wall; batch ${simulator.options.batchIntervalMs} ms`,
  };
}

function cpuShare(before: NodeJS.CpuUsage, wallMs: number): string {
  const used = process.cpuUsage(before);
  return `${(((used.user + used.system) / 1000 / wallMs) * 100).toFixed(0)} %`;
}

const rows: Row[] = [
  unpaced(2000),
  unpaced(PACED_TICKS_PER_SECOND),
  await paced(PACED_TICKS_PER_SECOND, PACED_SECONDS),
  await paced(2000, PACED_SECONDS),
];

const header = ['run', 'ticks/s', 'vs target', 'kept pace', 'cpu', 'max lag ms', 'p99 lag ms', 'note'];
const table = rows.map((row) => [
  row.run,
  Math.round(row.ticksPerSecond).toLocaleString('en-US'),
  row.vsTarget,
  row.keptPace,
  row.cpu,
  row.maxLagMs,
  row.p99LagMs,
  row.note,
]);
const widths = header.map((title, column) => Math.max(title.length, ...table.map((cells) => (cells[column] ?? '').length)));
const line = (cells: readonly string[]): string =>
  cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
console.log(`node ${process.version}, ${new Date().toISOString()}`);
console.log(line(header));
console.log(line(widths.map((width) => '-'.repeat(width))));
for (const cells of table) console.log(line(cells));
