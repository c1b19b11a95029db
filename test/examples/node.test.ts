import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSimulator } from '../../feeds/simulator/index.js';
import { finished, REPO_ROOT } from '../helpers/cli.js';
import { instrument, ManualFeed } from '../helpers/manual-feed.js';
import { sleep, startServer, type RunningServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

/** Runs an example as its header says: from source, `tickertape/client` resolved through the package's exports. */
function example(file: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--conditions=tickertape-source', '--import', 'tsx', `examples/node/${file}`, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('the Node examples, against a real server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ feed: createSimulator({ seed: 2, ticksPerSecond: 2_000, warmupMs: 5_000 }), config: { flushIntervalMs: 50 } });
  });
  afterAll(async () => server?.close());

  test('quickstart prints quotes, a minute bar and three closed 1 s bars, then exits', async () => {
    const result = await finished(example('quickstart.ts', [server.url]), 30_000);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(9);
    for (const line of lines.slice(0, 5)) expect(line).toMatch(/^(AAPL|BTC-USD) \d+(\.\d+)? \(bid [\d.]+, ask [\d.]+\) -?\d+\.\d\d%$/);
    expect(lines[5]).toMatch(/^BTC-USD this minute so far: open, high, low, close, volume = \[ [\d., ]+ \]$/);
    const times = lines.slice(6).map((line) => Date.parse(/^BTC-USD (\S+) o /.exec(line)![1]!));
    expect(times.slice(1).map((time, i) => time - times[i]!)).toEqual([1_000, 1_000]);
  }, 40_000);

  test('live-table prints a table of the symbols with their prices, then stops after --frames', async () => {
    const result = await finished(example('live-table.ts', ['--url', server.url, '--frames', '3', 'AAPL', 'BTC-USD']));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const frames = result.stdout.trim().split('\n\n');
    expect(frames).toHaveLength(3);
    const last = frames.at(-1)!.split('\n');
    expect(last[0]).toMatch(/^SYMBOL\s+LAST\s+CHG\s+BID\s+ASK\s+VOLUME$/);
    expect(last[1]).toMatch(/^AAPL\s+\d+\.\d{2}\s+[+-]\d+\.\d{2}%\s+\d+\.\d{2}\s+\d+\.\d{2}\s+\d+$/);
    expect(last[2]).toMatch(/^BTC-USD\s+\d+\.\d{2}\s+[+-]\d+\.\d{2}%/);
    expect(last[3]).toMatch(/^connected, /);
  });

  test('live-table says which symbols the server refused instead of showing them as dashes', async () => {
    const result = await finished(example('live-table.ts', ['--url', server.url, '--frames', '2', 'AAPL', 'NOPE']));
    expect(result.code).toBe(0);
    const last = result.stdout.trim().split('\n\n').at(-1)!.split('\n');
    expect(last[1]).toMatch(/^AAPL\s+\d+\.\d{2}/);
    expect(last[2]).toMatch(/^NOPE\s+refused \(UNKNOWN_SYMBOL: /);
  });
});

describe('the alert example', () => {
  let server: RunningServer;
  let feed: ManualFeed;
  const T0 = Date.UTC(2024, 5, 3, 14, 30);
  beforeAll(async () => {
    feed = new ManualFeed([instrument('AAPL'), instrument('MSFT')]);
    server = await startServer({ feed, config: { flushIntervalMs: 20 } });
  });
  afterAll(async () => server?.close());

  test('a symbol the server does not have: a clear message, exit 1, no stack trace', async () => {
    const result = await finished(example('alert.ts', ['--url', server.url, 'NOPE']));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^alert: .*NOPE/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('alerts once when a symbol moves more than X % within the window, not for smaller or slower moves', async () => {
    const child = example('alert.ts', ['--url', server.url, '--pct', '1', '--window-s', '60', '--once', 'AAPL', 'MSFT']);
    const done = finished(child);
    await waitFor(() => server.app.hub.groupCount > 0, 'the example to subscribe', 15_000);
    const trade = (symbol: string, seconds: number, price: number): void => feed.push({ symbol, ts: T0 + seconds * 1_000, price, size: 1 });
    // MSFT: +0.5 % (too small); AAPL: +1.5 % but over two minutes (too slow); then AAPL -1.28 % in 40 s.
    trade('MSFT', 0, 400);
    trade('AAPL', 0, 100);
    for (const [s, price] of [[10, 400.9], [20, 402]] as const) {
      trade('MSFT', s, price);
      await sleep(30);
    }
    for (const [s, price] of [[60, 100.7], [120, 101.5], [130, 101.4], [160, 100.2]] as const) {
      trade('AAPL', s, price);
      await sleep(30);
    }
    // --once: it exits after its first alert.
    const exit = await done;
    expect(exit.stderr).toBe('');
    expect(exit.code).toBe(0);
    expect(exit.stdout).toMatch(/^2024-06-03T14:32:40\.000Z ALERT AAPL -1\.28% in 40s \(101\.5 → 100\.2\)\n$/);
  });
});
