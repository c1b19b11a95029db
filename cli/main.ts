#!/usr/bin/env node
/**
 * The `tickertape` command: `tickertape serve [options]` (the default) starts the server and dashboard;
 * `tail SYMBOL...` prints live updates from a running server; `replay` serves recorded files; `record` writes
 * the feed to a file; `ingest` and `gateway` run it scaled out over Redis (docs/deploy.md).
 */
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterRole } from './cluster.js';
import { record } from './record.js';
import { replay } from './replay.js';
import { serve } from './serve.js';
import { tail } from './tail.js';
import { token } from './token.js';
import { VERSION } from '../server/version.js';

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  serve: (args) => serve(args, defaultWebRoot()),
  ingest: (args) => clusterRole('ingest', args, defaultWebRoot()),
  gateway: (args) => clusterRole('gateway', args, defaultWebRoot()),
  tail: (args) => tail(args),
  replay: (args) => replay(args, defaultWebRoot()),
  record: (args) => record(args),
  token,
};

export const MAIN_USAGE = `Usage: tickertape <command> [options]

Commands:
  serve       start the server and dashboard (default)
  ingest      run the feed and publish it to Redis, for gateways (docs/deploy.md)
  gateway     serve the dashboard and /ws from what an ingest publishes to Redis
  tail        print live quotes or bars of symbols, one line each (for pipelines)
  replay      serve the dashboard on recorded market data files, with pause, speed and seek
  record      write every tick of the feed to a file, for replay
  token       print a signed access token (AUTH_JWT_SECRET; docs/operations.md#auth)

Run "tickertape <command> --help" for a command's options.

Options:
  --version   print the version (${VERSION}) and exit
  -h, --help  show this help
`;

/** The built dashboard: dist/web beside dist/cli once built, or dist/web under the checkout from source. */
function defaultWebRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const dist = basename(dirname(here)) === 'dist' ? join(here, '..') : join(here, '..', 'dist');
  return join(dist, 'web');
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(MAIN_USAGE);
    return 0;
  }
  if (first === '--version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (first === undefined || first.startsWith('-')) return COMMANDS['serve']!(argv);
  const command = COMMANDS[first];
  if (command === undefined) {
    process.stderr.write(`tickertape: unknown command "${first}"\n\n${MAIN_USAGE}`);
    return 2;
  }
  return command(rest);
}

/** Once a command is done, how long a socket still finishing its closing handshake may keep the process up. */
const EXIT_GRACE_MS = 2_000;

process.exitCode = await main(process.argv.slice(2));
setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
