import { afterEach, describe, expect, test } from 'vitest';
import { CLOSE_CODES } from '../../client/protocol/messages.js';
import { finished, lineMatching, tickertape, tickertapeWithFileLimit } from '../helpers/cli.js';
import { killOwned } from '../helpers/owned-processes.js';
import { closeFrameCode, rawExchange, RawWebSocket, upgradeRequest } from '../helpers/raw-socket.js';
import { scratchFolder } from '../helpers/scratch.js';
import { WsClient } from '../helpers/ws-client.js';

const files = scratchFolder('tickertape-serve-');
afterEach(killOwned);

describe('tickertape serve', () => {
  test('starts on the simulated feed, serves /ws, and exits 0 on SIGTERM', async () => {
    const child = tickertape(['serve', '--port', '0', '--host', '127.0.0.1', '--rate', '500', '--seed', '9', '--flush-ms', '40']);
    const done = finished(child);
    const [, port] = await lineMatching(child, /dashboard on http:\/\/localhost:(\d+)\//);
    const client = await WsClient.open(`ws://127.0.0.1:${port}/ws`);
    const hello = await client.next('hello');
    expect(hello.flushMs).toBe(40);
    expect(hello.feed.description).toMatch(/seed=9, 500 ticks\/s/);
    client.send({ type: 'subscribe', id: 1, symbols: ['AAPL', 'BTC-USD'] });
    await client.next('update');
    child.kill('SIGTERM');
    const exit = await done;
    expect(exit.code).toBe(0);
    expect((await client.closedWith()).code).toBe(CLOSE_CODES.serviceRestart);
  });

  test('SIGTERM drains: clients get 1012, one that never closes is cut off after the drain time, exit 0', async () => {
    const child = tickertape(['serve', '--port', '0', '--host', '127.0.0.1', '--shutdown-drain-ms', '300']);
    const done = finished(child);
    const [, port] = await lineMatching(child, /dashboard on http:\/\/localhost:(\d+)\//);
    const polite = await WsClient.open(`ws://127.0.0.1:${port}/ws`);
    await polite.next('hello');
    // Answers nothing, not even the close frame: only the drain deadline ends it.
    const deaf = await RawWebSocket.open(Number(port));
    child.kill('SIGTERM');
    expect((await polite.closedWith()).code).toBe(CLOSE_CODES.serviceRestart);
    await deaf.closedByServer();
    expect(closeFrameCode(deaf.received)).toBe(CLOSE_CODES.serviceRestart);
    const exit = await done;
    expect(exit.code).toBe(0);
    expect(exit.stdout).toMatch(/"connections":2,"cutOff":1,"msg":"connections drained"/);
  });

  test('a WebSocket handshake during the drain gets 503 and its socket closed: the server still exits 0', async () => {
    const child = tickertape(['serve', '--port', '0', '--host', '127.0.0.1', '--shutdown-drain-ms', '1000']);
    const done = finished(child);
    const [, port] = await lineMatching(child, /dashboard on http:\/\/localhost:(\d+)\//);
    const polite = await WsClient.open(`ws://127.0.0.1:${port}/ws`);
    await polite.next('hello');
    // Holds the drain open for its full second.
    const deaf = await RawWebSocket.open(Number(port));
    child.kill('SIGTERM');
    expect((await polite.closedWith()).code).toBe(CLOSE_CODES.serviceRestart);
    // Refused by Fastify (routes closed), not by the access plugin: nothing else ended the socket.
    const late = await rawExchange(Number(port), upgradeRequest(), 3_000);
    expect([late.status, late.closedByServer]).toEqual([503, true]);
    expect(late.text).toMatch(/^connection: close\r$/im);
    await deaf.closedByServer();
    const exit = await done;
    expect(exit.code).toBe(0);
    expect(exit.stdout).not.toMatch(/did not finish in time/);
  });

  test('--record on a disk that fills: it serves on, says so in its log, /readyz and /metrics, and exits 1', async () => {
    // Files of at most 64 KiB: the recording fails in the warm-up's first second.
    const out = files.path('served.tape');
    const child = tickertapeWithFileLimit(64, ['serve', '--record', out, '--rate', '5000', '--port', '0', '--host', '127.0.0.1']);
    const done = finished(child, 30_000);
    const [, port] = await lineMatching(child, /dashboard on http:\/\/localhost:(\d+)\//);
    const base = `http://127.0.0.1:${port}`;
    let ready: { status: number; body: Record<string, unknown> } | undefined;
    const probe = async (): Promise<void> => {
      const response = await fetch(`${base}/readyz`);
      ready = { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    await probe();
    for (let i = 0; i < 100 && ready?.body['recording'] !== 'failed'; i++) await new Promise((resolve) => setTimeout(resolve, 50).unref()).then(probe);
    const error = `writing ${out} failed: EFBIG: file too large, write`;
    expect(ready).toEqual({ status: 200, body: { status: 'ready', feed: 'running', recording: 'failed', recordingError: error } });
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^tickertape_recording_failed 1$/m);
    // The market plays on, unrecorded: updates keep coming.
    const client = await WsClient.open(`ws://127.0.0.1:${port}/ws`);
    client.send({ type: 'subscribe', id: 1, symbols: ['BTC-USD'] });
    const first = await client.next('update');
    await client.next('update', (update) => update.seq > first.seq);
    client.close();
    child.kill('SIGTERM');
    const exit = await done;
    expect(exit.code).toBe(1);
    expect(exit.stdout).toContain(`"code":"RECORD_FAILED","file":"${out}","msg":"recording failed, the server goes on without it: ${error}"`);
    expect(exit.stderr).toContain(`tickertape: ${error}\n`);
    expect(exit.stderr).toMatch(/recorded [\d,]+ ticks to .*served\.tape, but writing failed/);
  });

  test('environment variables configure it when flags do not', async () => {
    const child = tickertape(['--host', '127.0.0.1'], { PORT: '0', TICK_RATE: '300', FLUSH_INTERVAL_MS: '100', SEED: '5' });
    const done = finished(child);
    const [, port] = await lineMatching(child, /dashboard on http:\/\/localhost:(\d+)\//);
    const client = await WsClient.open(`ws://127.0.0.1:${port}/ws`);
    const hello = await client.next('hello');
    expect([hello.flushMs, hello.feed.description]).toEqual([100, expect.stringMatching(/seed=5, 300 ticks\/s/)]);
    client.close();
    child.kill('SIGINT');
    expect((await done).code).toBe(0);
  });

  test.each([
    [['--port', '70000'], /port must be a whole number from 0 to 65535 \(--port, PORT\), got "70000"/],
    [['--rate', 'fast'], /tick rate must be a whole number from 1 to 1000000 ticks\/s \(--rate, TICK_RATE\), got "fast"/],
    [['--flush-ms', '1'], /flush interval must be a whole number from 5 to 5000 ms \(--flush-ms, FLUSH_INTERVAL_MS\), got "1"/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['--rate', '0x10', '--port', '0', '--host', '127.0.0.1'], /tick rate must be a whole number from 1 to 1000000 ticks\/s \(--rate, TICK_RATE\), got "0x10"/],
    [['--port', ''], /port must be a whole number from 0 to 65535 \(--port, PORT\), got ""/],
  ])('%j is refused with a clear message and exit code 2', async (args, message) => {
    const exit = await finished(tickertape(['serve', ...args]));
    expect(exit.code).toBe(2);
    expect(exit.stderr).toMatch(message);
  });

  test('an empty PORT, and a number only JavaScript reads in a variable, are refused with exit code 2', async () => {
    const [port, rate] = await Promise.all([
      finished(tickertape(['serve', '--host', '127.0.0.1'], { PORT: '' })),
      finished(tickertape(['serve', '--host', '127.0.0.1', '--port', '0'], { TICK_RATE: '1e3' })),
    ]);
    expect([port.code, rate.code]).toEqual([2, 2]);
    expect(port.stderr).toMatch(/port must be a whole number from 0 to 65535 \(--port, PORT\), got ""/);
    expect(rate.stderr).toMatch(/tick rate must be a whole number from 1 to 1000000 ticks\/s \(--rate, TICK_RATE\), got "1e3"/);
  });

  test('--help prints the options; an unknown command is refused', async () => {
    const help = await finished(tickertape(['serve', '--help']));
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--flush-ms N/);
    const unknown = await finished(tickertape(['dance']));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "dance"/);
  });

  test('a port already in use is reported plainly', async () => {
    const first = tickertape(['--port', '0', '--host', '127.0.0.1']);
    const [, port] = await lineMatching(first, /dashboard on http:\/\/localhost:(\d+)\//);
    const second = await finished(tickertape(['--port', port!, '--host', '127.0.0.1']));
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`port ${port} is already in use`));
    first.kill('SIGTERM');
    expect((await finished(first)).code).toBe(0);
  });
});
