/**
 * `tickertape record --feed`: live exchange data recorded by the CLI as a user runs it, a real process
 * against the fake exchange playing a real capture (fake-venue.ts). The file replays to every trade the
 * exchange sent; a dropped connection is logged as it happens, and the trades it cost are summed up at the
 * end, so an unattended recording says where its holes are.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { normalizeBinance } from '../../feeds/exchanges/binance.js';
import type { Tick } from '../../feeds/tick.js';
import { finished, tickertapeOwned } from '../helpers/cli.js';
import { killOwned } from '../helpers/owned-processes.js';
import { scratchFolder } from '../helpers/scratch.js';
import { waitFor } from '../helpers/wait.js';
import { FakeBinance } from './fake-binance.js';
import { replayed, trades } from './live-harness.js';
import { BINANCE_CAPTURE, capturesPresent } from './shared-captures.js';

const files = scratchFolder('tickertape-record-live-');
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
  await killOwned();
});

/** What a trade tick says, without the fields a receive time decides. */
function tradeFacts(ticks: readonly Tick[]): { symbol: string; ts: number; price?: number; size?: number; side?: string }[] {
  return trades(ticks).map(({ symbol, ts, price, size, side }) => ({ symbol, ts, price, size, side }));
}

/** The ticks Binance's messages `from` to `to` of the tape make (the normalizer the live feed runs). */
function ticksOf(binance: FakeBinance, from: number, to: number): Tick[] {
  return binance.tape.slice(from, to).flatMap((message) => {
    const normalized = normalizeBinance(JSON.parse(message.text), 0);
    return normalized.kind === 'ticks' ? normalized.ticks.map((tick) => ({ ...tick, symbol: 'ETH-USDT' })) : [];
  });
}

/** The child's stderr so far, growing. */
function stderrOf(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return () => text;
}

async function startBinance(): Promise<FakeBinance> {
  const binance = await FakeBinance.start(BINANCE_CAPTURE);
  cleanup.push(() => binance.close());
  // Start at the first trade: quotes before it would be timed before the connector knows Binance's clock.
  binance.played = binance.tape.findIndex((message) => message.topic.endsWith('@trade'));
  return binance;
}

describe.skipIf(!capturesPresent)('tickertape record --feed', () => {
  test('records what the exchange sends, stops at --ticks by itself, and the file replays to every trade', async () => {
    const binance = await startBinance();
    const first = binance.played;
    const limit = first + 6_000;
    const expected = ticksOf(binance, first, limit);
    const out = files.path('eth.tape.gz');
    const child = tickertapeOwned(['record', '--feed', 'binance:ETHUSDT', '--binance-url', binance.url, '--out', out, '--ticks', String(expected.length)]);
    const stderr = stderrOf(child);
    const done = finished(child, 60_000);
    await waitFor(() => /info exchange connection venue=binance state=live/.test(stderr()), 'the connection live', 20_000);
    await binance.play({ batch: 200, limit });

    const run = await done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z info exchange connection venue=binance state=live$/m);
    expect(run.stderr).toContain(`recorded ${expected.length.toLocaleString('en-US')} ticks to ${out}\n`);
    expect(run.stderr).toContain('binance: 0 reconnects; no trade known missed\n');
    const again = await replayed([out]);
    expect(again).toHaveLength(expected.length);
    expect(tradeFacts(again)).toEqual(tradeFacts(expected));
  }, 60_000);

  test('a dropped connection: logged when lost, its missed trades logged and summed up, the rest recorded', async () => {
    const binance = await startBinance();
    const first = binance.played;
    const limit = first + 12_000;
    const total = trades(ticksOf(binance, first, limit)).length;
    const out = files.path('dropped.tape');
    const child = tickertapeOwned(['record', '--feed', 'binance:ETHUSDT', '--binance-url', binance.url, '--out', out]);
    const stderr = stderrOf(child);
    const done = finished(child, 60_000);
    await waitFor(() => /state=live/.test(stderr()), 'the connection live', 20_000);
    const playing = binance.play({ batch: 8, everyMs: 2, limit });
    await waitFor(() => binance.played > first + 3_000, 'part of the tape to play', 10_000);
    binance.dropAll(300);
    await playing;

    // Every trade is in the file or counted missed; the file is flushed at least every second.
    const missedLogged = (): number => [...stderr().matchAll(/warn trades missed symbol=ETH-USDT missed=(\d+) gaps=\d+/g)].reduce((sum, match) => sum + Number(match[1]), 0);
    const recordedTrades = (): number => readFileSync(out, 'utf8').split('\n').filter((line) => /^\d[^,]*,ETH-USDT,\d/.test(line)).length;
    await waitFor(() => missedLogged() > 0 && recordedTrades() + missedLogged() === total, 'every trade recorded or counted missed', 15_000);
    child.kill('SIGINT');
    const run = await done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/warn exchange connection lost: reconnecting venue=binance reason="closed 1006" reconnects=0\n/);
    const missed = missedLogged();
    expect(run.stderr).toMatch(new RegExp(`binance: 1 reconnect; trades missed: ETH-USDT ${missed.toLocaleString('en-US')} in 1 gap\\n`));
    expect(trades(await replayed([out]))).toHaveLength(total - missed);
  }, 60_000);

});

describe('tickertape record --feed: flags', () => {
  test('--start and the simulator flags do not go with --feed; a bad spec is refused by name', async () => {
    const runs = await Promise.all(
      [
        ['--feed', 'binance:ETHUSDT', '--start', '2024-01-02T14:30:00Z'],
        ['--feed', 'binance:ETHUSDT', '--rate', '100'],
        ['--feed', 'kraken:BTCUSD'],
      ].map((flags) => finished(tickertapeOwned(['record', '--out', files.path('never.tape'), ...flags]))),
    );
    expect(runs.map((run) => run.code)).toEqual([2, 2, 2]);
    expect(runs[0]!.stderr).toContain('--start sets the simulator, which does not run with --feed');
    expect(runs[1]!.stderr).toContain('--rate sets the simulator, which does not run with --feed');
    expect(runs[2]!.stderr).toContain('--feed "kraken:BTCUSD": the venue must be one of binance, coinbase');
  });

  test('an exchange never reached: said in the summary, with why, and in the exit status', async () => {
    // Nothing listens on port 1: every attempt is refused, and the feed backs off and tries again until the end.
    const out = files.path('unreached.tape');
    const run = await finished(tickertapeOwned(['record', '--out', out, '--feed', 'binance:ETHUSDT', '--binance-url', 'ws://127.0.0.1:1', '--duration-s', '1']));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/warn exchange connection lost: reconnecting venue=binance reason="connect ECONNREFUSED 127\.0\.0\.1:1" reconnects=0\n/);
    expect(run.stderr).toContain(`recorded 0 ticks to ${out}\nbinance: never connected; last error: connect ECONNREFUSED 127.0.0.1:1\n`);
    expect(readFileSync(out, 'utf8')).toBe('# tickertape recording v1: ts,symbol,price,size,side,bid,ask\n');
  });
});
