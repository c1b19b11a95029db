import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openReplay } from '../../feeds/replay/index.js';
import { createSimulator } from '../../feeds/simulator/index.js';
import { finished, lineMatching, REPO_ROOT } from '../helpers/cli.js';
import { startServer, type RunningServer } from '../helpers/server.js';

/** Debian's interpreter, where python3-msgpack and python3-websockets install (not a pyenv shim). */
const PYTHON = '/usr/bin/python3';
const SAMPLE = join(REPO_ROOT, 'feeds', 'samples', 'simulator-seed42.tape.gz');

function checkPython(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing: apt-get install -y python3 python3-msgpack python3-websockets`;
  const probe = spawnSync(PYTHON, ['-c', 'import msgpack, websockets']);
  if (probe.status !== 0) return `Python modules missing (${probe.stderr.toString().trim()}): apt-get install -y python3-msgpack python3-websockets`;
  return undefined;
}

describe('a Python client written only from docs/protocol.md', () => {
  let server: RunningServer;
  beforeAll(async () => {
    const missing = checkPython();
    if (missing !== undefined) throw new Error(missing);
    server = await startServer({ feed: createSimulator({ seed: 4, ticksPerSecond: 2_000 }), config: { flushIntervalMs: 50 } });
  });
  afterAll(async () => server?.close());

  test.each([[[]], [['--json']]])('decodes every message type (extra args %j)', async (extra) => {
    const child = spawn(PYTHON, ['examples/python/tour.py', server.url, '--updates', '3', ...extra], { cwd: REPO_ROOT });
    const result = await finished(child);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    const types = new Set(lines.map((line) => line.split(' ')[0]));
    expect([...types].sort()).toEqual(['error', 'hello', 'history', 'list', 'pong', 'snapshot', 'subscribed', 'unsubscribed', 'update']);
    // The greeting, then the answer to the hello request (version negotiation), under its id.
    expect(lines.filter((l) => l.startsWith('hello'))).toEqual([
      expect.stringMatching(/^hello id=None protocol=1 protocols=\[1\] server=tickertape\//),
      expect.stringMatching(/^hello id=0 protocol=1 protocols=\[1\] /),
    ]);
    expect(lines.find((l) => l.startsWith('subscribed'))).toMatch(/symbols=AAPL,BTC-USD rejected=NO-SUCH-SYMBOL:UNKNOWN_SYMBOL/);
    expect(lines.find((l) => l.startsWith('error'))).toMatch(/id=5 code=BAD_FIELD/);
    expect(lines.find((l) => l.startsWith('error id=7'))).toMatch(/code=UNSUPPORTED/);
    // The server's first trade was moments ago: one minute bar, or two when the run straddles a minute's end.
    expect(lines.find((l) => l.startsWith('history'))).toMatch(/AAPL 1m bars=[12] first=\[\d{13}, /);
    expect(lines.filter((l) => l.startsWith('update')).map((l) => /seq=(\d+)/.exec(l)![1])).toEqual(['1', '2', '3']);
  });

  test('decodes the replay state a replay server sends and answers', async () => {
    const feed = await openReplay({ files: [SAMPLE], speed: 10 });
    const replaying = await startServer({ feed, config: { flushIntervalMs: 50 } });
    try {
      const child = spawn(PYTHON, ['examples/python/tour.py', replaying.url, '--updates', '3'], { cwd: REPO_ROOT });
      const result = await finished(child);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const replays = result.stdout.split('\n').filter((line) => line.startsWith('replay '));
      // The state sent after the greeting, and the answer to the `state` request under its id.
      expect(replays[0]).toMatch(/^replay id=None state=(playing|seeking) position=\d{13} speed=10 paused=False progress=/);
      expect(replays.find((line) => line.startsWith('replay id=7'))).toMatch(/state=playing position=\d{13} speed=10 /);
    } finally {
      await replaying.close();
    }
  });

  test('the dozen-line client in the docs prints live prices: last, bid and ask on every line', async () => {
    const child = spawn(PYTHON, ['examples/python/subscribe.py', server.url, 'AAPL', 'ETH-USD'], { cwd: REPO_ROOT });
    const done = finished(child);
    // Updates carry only the fields that changed (a trade at an unchanged price: its time and volume), so a
    // client that printed each update as it came printed blanks; this one keeps each symbol's latest fields.
    const [lines] = await lineMatching(child, /^(?:.*\n){40}/);
    for (const line of lines.trimEnd().split('\n')) expect(line).toMatch(/^(AAPL|ETH-USD)( \d+(\.\d+)?){3}$/);
    child.kill('SIGTERM');
    await done;
  });

  test.each([
    ['piped into a reader that stops reading (`| head -1`)', 'pipe'],
    ['stopped by Ctrl-C', 'interrupt'],
  ])('the dozen-line client %s ends without a traceback', async (_, how) => {
    const child = spawn(PYTHON, ['examples/python/subscribe.py', server.url, 'AAPL', 'ETH-USD'], { cwd: REPO_ROOT });
    const done = finished(child);
    await lineMatching(child, /^(AAPL|ETH-USD) /m);
    if (how === 'pipe') child.stdout.destroy();
    else child.kill('SIGINT');
    const result = await done;
    expect(result.stderr).not.toContain('Traceback');
    expect(result.code).not.toBe(0);
  });

  test('the dozen-line client without a URL and symbols says how to run it, no traceback', async () => {
    const result = await finished(spawn(PYTHON, ['examples/python/subscribe.py'], { cwd: REPO_ROOT }));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^usage: python3 subscribe\.py URL SYMBOL/);
    expect(result.stderr).not.toContain('Traceback');
  });
});

describe('docs/protocol.md shows the dozen-line client as the file has it', () => {
  test('its Python block, from `async def main` on, is the lines of examples/python/subscribe.py, in order', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'protocol.md'), 'utf8');
    const block = /```python\n([\s\S]*?)```/.exec(doc.slice(doc.indexOf('## A client in a dozen lines')))?.[1] ?? '';
    const shown = block.slice(block.indexOf('async def main')).split('\n').filter((line) => line.trim() !== '');
    expect(shown.length).toBeGreaterThan(5);
    // The file adds its usage message and the quiet ends around these lines, and its imports for them.
    const file = readFileSync(join(REPO_ROOT, 'examples', 'python', 'subscribe.py'), 'utf8').split('\n');
    let at = 0;
    for (const line of shown) {
      const found = file.indexOf(line, at);
      expect(found, `shown in docs/protocol.md but not in subscribe.py (after its line ${at}): ${line}`).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
  });
});
