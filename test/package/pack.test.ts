/**
 * `npm pack` gives a package a Node project can install and use: `import { connect } from
 * 'tickertape/client'` resolves (with types), connects to a real server and streams quotes. Installing
 * fetches the package's dependencies from the npm registry.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSimulator } from '../../feeds/simulator/index.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { startServer, type RunningServer } from '../helpers/server.js';

const run = promisify(execFile);
const NPM = 'npm';
const TIMEOUT_MS = 240_000;

interface PackedFile {
  readonly path: string;
}

describe('the npm package', () => {
  let work: string;
  let tarball: string;
  let files: string[];
  let server: RunningServer;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'tickertape-pack-'));
    // prepack builds; its output comes first on stdout, the JSON report last.
    const { stdout } = await run(NPM, ['pack', '--pack-destination', work, '--json'], { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 });
    const [report] = JSON.parse(stdout.slice(stdout.lastIndexOf('\n[') + 1)) as { filename: string; files: PackedFile[] }[];
    tarball = join(work, report!.filename);
    files = report!.files.map((file) => file.path);
    server = await startServer({ feed: createSimulator({ seed: 1, ticksPerSecond: 500, warmupMs: 3_000 }) });
  }, TIMEOUT_MS);

  afterAll(async () => {
    await server?.close();
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  test('holds the built client, server, CLI and dashboard, and no tests or sources', () => {
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'docs/client.md', 'docs/protocol.md', 'dist/client/index.js', 'dist/client/index.d.ts', 'dist/client/node.js', 'dist/cli/main.js', 'dist/web/index.html']));
    expect(files.filter((path) => /\.test\.|^test\/|^web\/src\/|^client\/|\.ts$/.test(path) && !path.endsWith('.d.ts'))).toEqual([]);
  });

  test('built in the checkout (npm pack built it), the command runs through npx, as the README says', async () => {
    const { stdout } = await run('npx', ['--no-install', 'tickertape', 'tail', '--help'], { cwd: REPO_ROOT });
    expect(stdout).toMatch(/Usage: tickertape tail SYMBOL/);
  });

  test('installs into a Node project, which imports tickertape/client (with types) and streams quotes', async () => {
    const app = join(work, 'app');
    await run('mkdir', ['-p', app]);
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
    await run(NPM, ['install', '--no-audit', '--no-fund', tarball], { cwd: app, maxBuffer: 16 * 1024 * 1024 });
    await writeFile(
      join(app, 'check.ts'),
      `import { connect, type Quote } from 'tickertape/client';
const client = connect({ url: process.argv[2]!, name: 'pack-test' });
await client.ready();
for await (const quote of client.quotes(['AAPL', 'BTC-USD'])) {
  const seen: Quote = quote;
  console.log(JSON.stringify({ protocol: client.hello?.protocol, symbol: seen.symbol, last: seen.last }));
  break;
}
client.close();
`,
    );
    // Typecheck the program against the installed declarations, then run it as plain JavaScript.
    const tsc = join(REPO_ROOT, 'node_modules/.bin/tsc');
    await run(tsc, ['--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--typeRoots', join(REPO_ROOT, 'node_modules/@types'), 'check.ts'], { cwd: app });
    const { stdout } = await run(process.execPath, ['check.js', server.url], { cwd: app, timeout: 20_000 });
    expect(JSON.parse(stdout)).toMatchObject({ protocol: 1, symbol: expect.stringMatching(/^(AAPL|BTC-USD)$/), last: expect.any(Number) });
    // The command comes with it.
    const help = await run(join(app, 'node_modules/.bin/tickertape'), ['tail', '--help'], { cwd: app });
    expect(help.stdout).toMatch(/Usage: tickertape tail SYMBOL/);
  }, TIMEOUT_MS);
});
