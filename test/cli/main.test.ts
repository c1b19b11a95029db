/**
 * The `tickertape` command itself, before any subcommand: its version.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { finished, REPO_ROOT, tickertape } from '../helpers/cli.js';

test('--version prints the package version and exits 0; --help lists it', async () => {
  const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  const run = await finished(tickertape(['--version']));
  expect(run).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  expect((await finished(tickertape(['--help']))).stdout).toMatch(/^ {2}--version +print the version \(\d+\.\d+\.\d+\) and exit$/m);
});
