import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { finished, lineMatching, tickertape } from '../helpers/cli.js';
import { instrument, ManualFeed } from '../helpers/manual-feed.js';
import { sleep, startServer, type RunningServer } from '../helpers/server.js';

const T0 = Date.UTC(2024, 5, 3, 14, 30);

describe('tickertape tail', () => {
  let server: RunningServer;
  let feed: ManualFeed;
  let pumping = true;
  let pump: Promise<void>;
  beforeAll(async () => {
    feed = new ManualFeed([instrument('AAPL'), instrument('BTC-USD', 'crypto')]);
    server = await startServer({ feed, config: { flushIntervalMs: 20 } });
    // A market that keeps moving: a trade per symbol every 10 ms, a new second every 100 ms of wall time.
    pump = (async () => {
      for (let i = 0; pumping; i++) {
        feed.push({ symbol: 'AAPL', ts: T0 + i * 100, price: 190 + (i % 20) / 100, size: 10, bid: 189.99, ask: 190.3 });
        feed.push({ symbol: 'BTC-USD', ts: T0 + i * 100, price: 64_000 + (i % 30), size: 0.5 });
        await sleep(10);
      }
    })();
  });
  afterAll(async () => {
    pumping = false;
    await pump;
    await server.close();
  });

  test('prints one line per quote change: time, symbol, last, bid, ask, change %', async () => {
    const child = tickertape(['tail', 'AAPL', 'BTC-USD', '--url', server.url]);
    const done = finished(child);
    const [text] = await lineMatching(child, /(.*\n){6}/);
    child.kill('SIGINT');
    const exit = await done;
    expect(exit.code).toBe(0);
    expect(exit.stderr).toBe('');
    const lines = text!.trim().split('\n');
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z (AAPL \d+\.\d\d (189\.99|-) (190\.30|-)|BTC-USD \d+\.\d\d - -) [+-]\d+\.\d\d%$/);
    expect(new Set(lines.map((line) => line.split(' ')[1]))).toEqual(new Set(['AAPL', 'BTC-USD']));
  });

  test('--json prints NDJSON', async () => {
    const child = tickertape(['tail', 'AAPL', '--json', '--url', server.url]);
    const done = finished(child);
    const [text] = await lineMatching(child, /(.*\n){3}/);
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
    for (const line of text!.trim().split('\n')) {
      const quote = JSON.parse(line) as Record<string, unknown>;
      expect(quote).toMatchObject({ type: 'quote', symbol: 'AAPL', bid: 189.99, ask: 190.3 });
      expect(quote['last']).toEqual(expect.any(Number));
      expect(quote['time']).toEqual(expect.any(Number));
    }
  });

  test('--interval prints each closed bar once, in order', async () => {
    const child = tickertape(['tail', 'BTC-USD', '--interval', '1s', '--json', '--url', server.url]);
    const done = finished(child);
    const [text] = await lineMatching(child, /(.*\n){4}/);
    child.kill('SIGINT');
    expect((await done).code).toBe(0);
    const bars = text!.trim().split('\n').map((line) => JSON.parse(line) as { type: string; interval: string; time: number });
    expect(bars.every((bar) => bar.type === 'bar' && bar.interval === '1s')).toBe(true);
    const times = bars.map((bar) => bar.time);
    expect(times.slice(1).map((time, i) => time - times[i]!)).toEqual([1_000, 1_000, 1_000]);
  });

  test('a reader that goes away (| head) ends it quietly with 0', async () => {
    const child = tickertape(['tail', 'AAPL', 'BTC-USD', '--url', server.url]);
    const done = finished(child);
    await lineMatching(child, /\n/);
    // What `head -n 1` does once it has its line: close the pipe.
    child.stdout!.destroy();
    const exit = await done;
    expect(exit.code).toBe(0);
    expect(exit.stderr).toBe('');
  });

  test('a symbol the server does not have is named on stderr; with none left it exits 1', async () => {
    const some = tickertape(['tail', 'AAPL', 'NOPE', '--url', server.url]);
    const someDone = finished(some);
    await lineMatching(some, /AAPL/);
    some.kill('SIGINT');
    const partly = await someDone;
    expect(partly.code).toBe(0);
    expect(partly.stderr).toMatch(/NOPE: no symbol "NOPE" on this server \(UNKNOWN_SYMBOL\)/);
    const none = await finished(tickertape(['tail', 'NOPE', '--url', server.url]));
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/NOPE: no symbol "NOPE"/);
  });

  test('a malformed name (a comma instead of a space) is a usage error, before connecting', async () => {
    const exit = await finished(tickertape(['tail', 'AAPL,BTC-USD', '--url', server.url]));
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain('"AAPL,BTC-USD" is not a symbol name: letters, digits or . _ : / - only: name each symbol as a word of its own (tail AAPL BTC-USD)');
    const other = await finished(tickertape(['tail', 'AAPL', 'BTC$', '--url', server.url]));
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('"BTC$" is not a symbol name: letters, digits or . _ : / - only\n');
  });

  test('a name longer than the server allows is refused by it: named, the others go on; alone, exit 1, no hang', async () => {
    const long = 'A'.repeat(40);
    const refusal = `${long}: "${long}" is not a symbol name: 1 to 32 letters, digits or . _ : / - (UNKNOWN_SYMBOL)`;
    const some = tickertape(['tail', 'AAPL', long, '--url', server.url]);
    const someDone = finished(some);
    await lineMatching(some, /AAPL/);
    some.kill('SIGINT');
    const partly = await someDone;
    expect(partly.code).toBe(0);
    expect(partly.stderr).toContain(refusal);
    const alone = await finished(tickertape(['tail', long, '--url', server.url]));
    expect(alone.code).toBe(1);
    expect(alone.stderr).toContain(refusal);
  });

  test('no server: exits 1 and says why', async () => {
    const exit = await finished(tickertape(['tail', 'AAPL', '--url', 'ws://127.0.0.1:9/ws']));
    expect(exit.code).toBe(1);
    expect(exit.stderr).toMatch(/cannot connect to ws:\/\/127\.0\.0\.1:9\/ws: .*ECONNREFUSED/);
  });

  test.each([
    [['tail'], /name at least one symbol/],
    [['tail', 'AAPL', '--interval', '2h'], /--interval must be one of 1s, 5s, 1m, 5m, 15m, 1h, got "2h"/],
    [['tail', 'AAPL', '--max-rate', '0'], /--max-rate must be a number from 0\.001 to 1000 updates per second, got "0"/],
    [['tail', 'AAPL', '--max-rate', '0x10'], /--max-rate must be a number from 0\.001 to 1000 updates per second, got "0x10"/],
    [['tail', 'AAPL', '--max-rate', '-3'], /^tickertape tail: --max-rate must be a number from 0\.001 to 1000 updates per second, got "-3"\n/],
    [['tail', 'AAPL', '--url', 'http://x'], /--url must be a ws:\/\/ or wss:\/\/ URL/],
    [['tail', 'AAPL', '--bogus'], /Unknown option '--bogus'/],
  ])('%j is refused with a clear message and exit code 2', async (args, message) => {
    const exit = await finished(tickertape(args));
    expect(exit.code).toBe(2);
    expect(exit.stderr).toMatch(message);
    expect(exit.stderr).toMatch(/Usage: tickertape tail/);
  });
});

describe('tickertape tail against a server with auth on', () => {
  const TOKEN = 'a-shared-secret-of-some-length';
  let server: RunningServer;
  beforeAll(async () => {
    const feed = new ManualFeed([instrument('AAPL')]);
    feed.push({ symbol: 'AAPL', ts: T0, price: 190, size: 1 });
    server = await startServer({ feed, config: { access: { authToken: TOKEN } } });
  });
  afterAll(async () => server.close());

  test('TICKERTAPE_TOKEN gets it in; without it, it exits 1 naming the refusal', async () => {
    const child = tickertape(['tail', 'AAPL', '--url', server.url], { TICKERTAPE_TOKEN: TOKEN });
    const done = finished(child);
    await lineMatching(child, /AAPL 190\.00/);
    child.kill('SIGINT');
    expect((await done).code).toBe(0);
    const refused = await finished(tickertape(['tail', 'AAPL', '--url', server.url]));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/cannot connect to .*401/);
  });
});
