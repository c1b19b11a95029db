/**
 * `tickertape replay FILE... [options]`: serves the dashboard and /ws on recorded market data, with a
 * progress line on a terminal and a summary whenever the replay reaches its end or fails.
 */
import type { FastifyInstance } from 'fastify';
import {
  DEFAULT_REPLAY_SPEED,
  FORMAT_NAMES,
  MAX_OUT_OF_ORDER_MS,
  ReplayError,
  SPEED_RULE,
  formatSummary,
  isFormatName,
  openReplay,
  parseSpeed,
  parseTimeOption,
  type ReplayFeed,
  type ReplayOptions,
} from '../feeds/replay/index.js';
import { ConfigError, DEFAULT_PORT, SIMULATOR_FLAGS, parseServeArgs } from '../server/config.js';
import { parseCommandArgs, serveFlagsExcept } from './args.js';
import { LIVE_FLAGS } from '../server/live-flags.js';
import { progressLine } from './progress.js';
import { runServer } from './serve.js';

export const REPLAY_USAGE = `Usage: tickertape replay FILE... [options]

Replays recorded market data through the server: the dashboard and /ws serve it like any feed, with
pause, speed and seek controls (docs/feeds.md lists the formats). Several files are merged in event-time
order; .gz files are read as they are.

Replay options:
  --format NAME   read every file as NAME instead of detecting it:
                  ${FORMAT_NAMES.join(', ')}
  --symbol SYM    symbol of files that name none (Binance trades CSVs; a CSV with no symbol column)
  --speed S       ${SPEED_RULE} (default ${DEFAULT_REPLAY_SPEED})
  --from TIME     only ticks at or after TIME: ISO-8601 to the second, minute or day (2024-08-09T00:05:00Z,
                  2024-08-09 00:05, 2024-08-09), UTC unless a zone is given; or epoch s, ms, µs or ns
  --to TIME       only ticks before TIME
  --loop          start again from the beginning after the end
  --paused        start paused at the first tick
  --skip-bad      skip bad lines (counted by reason in the summary) instead of stopping at the first;
                  a tick more than ${MAX_OUT_OF_ORDER_MS / 60_000} min older than the file's newest is a bad line, and so is
                  one more than that ahead of the ticks both before and after it; damaged gzip data
                  still fails (a gzip file cut short is read up to the cut)
  --exit          exit when the replay ends (status 1 if it failed) instead of serving on; not with --loop
  --no-progress   no progress line (it is shown when stderr is a terminal)

Server options: every option of "tickertape serve" but the simulator's and --record, among them
  --port N        port to listen on (PORT, default ${DEFAULT_PORT}; 0 picks a free port)
  --host NAME     address to listen on (HOST)
  --flush-ms N    update flush interval in ms (FLUSH_INTERVAL_MS)
  --web DIR       built dashboard to serve (WEB_ROOT)
  --log-level L   fatal|error|warn|info|debug|trace|silent (LOG_LEVEL)
  and the access and limit options "tickertape serve --help" lists
  -h, --help      show this help

Exit status: 0, or 1 when the replay failed (a bad line: FILE:LINE: reason [CODE]), 2 for bad flags or
files that cannot be opened.
`;

/** The replay's own flags; `tickertape ingest FILE...` takes them too (cli/cluster.ts). */
export const REPLAY_OPTIONS = {
  format: { type: 'string' },
  symbol: { type: 'string' },
  speed: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  loop: { type: 'boolean' },
  paused: { type: 'boolean' },
  'skip-bad': { type: 'boolean' },
} as const;

const OWN_OPTIONS = {
  ...REPLAY_OPTIONS,
  exit: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
} as const;

/** The replay of `files` the flags describe. Throws ConfigError or ReplayError. */
export function replayOptionsFrom(files: string[], values: Readonly<Record<string, string | boolean | undefined>>): ReplayOptions {
  const format = values['format'] as string | undefined;
  if (format !== undefined && !isFormatName(format)) throw new ConfigError(`--format must be one of ${FORMAT_NAMES.join(', ')}, got "${format}"`);
  const text = (name: string): string | undefined => values[name] as string | undefined;
  return {
    files,
    format,
    symbol: text('symbol'),
    speed: text('speed') === undefined ? undefined : parseSpeed(text('speed')!),
    from: text('from') === undefined ? undefined : parseTimeOption('--from', text('from')!),
    to: text('to') === undefined ? undefined : parseTimeOption('--to', text('to')!),
    loop: values['loop'] === true,
    paused: values['paused'] === true,
    skipBad: values['skip-bad'] === true,
  };
}

function fail(message: string): number {
  process.stderr.write(`tickertape: ${message}\n`);
  return 2;
}

/**
 * A replay's error as the commands print it: the message (`FILE:LINE: reason`), and for a problem with a
 * file its code, as the protocol's `replay` message and the log give it. No stack: bad input is not a fault
 * of the program. Any other error is one, INTERNAL, and the server's log has its stack.
 */
export function replayErrorText(error: Error): string {
  if (!(error instanceof ReplayError)) return `${error.message} [INTERNAL]`;
  return error.file === undefined ? error.message : `${error.message} [${error.code}]`;
}

export async function replay(args: string[], defaultWebRoot: string): Promise<number> {
  let parsed;
  let options: ReplayOptions;
  try {
    parsed = parseCommandArgs(args, OWN_OPTIONS, serveFlagsExcept([...SIMULATOR_FLAGS, ...LIVE_FLAGS, 'record', 'record-rotate-mb', 'record-gzip-level']), REPLAY_USAGE, true);
    if (parsed.values['help'] === true) {
      process.stdout.write(REPLAY_USAGE);
      return 0;
    }
    if (parsed.positionals.length === 0) throw new ConfigError(`name at least one file to replay\n\n${REPLAY_USAGE}`);
    // A looping replay never ends, so --exit would never exit.
    if (parsed.values['loop'] === true && parsed.values['exit'] === true) throw new ConfigError('--loop and --exit cannot go together: a looping replay never ends');
    options = replayOptionsFrom(parsed.positionals, parsed.values);
  } catch (error) {
    if (error instanceof ConfigError) return fail(error.message);
    if (error instanceof ReplayError) return fail(replayErrorText(error));
    throw error;
  }
  let config;
  try {
    ({ config } = parseServeArgs(parsed.serveArgs, process.env, defaultWebRoot));
  } catch (error) {
    if (error instanceof ConfigError) return fail(error.message);
    throw error;
  }
  let feed: ReplayFeed;
  try {
    feed = await openReplay(options);
  } catch (error) {
    if (error instanceof ReplayError) return fail(replayErrorText(error));
    throw error;
  }
  const showProgress = parsed.values['no-progress'] !== true && process.stderr.isTTY === true;
  const exitAtEnd = parsed.values['exit'] === true;
  // watch() tells of a failure on stderr, so the log does not say it again.
  const code = await runServer(
    { ...config, feed: { kind: 'replay', ...options } },
    feed,
    { listening: (app) => watch(feed, app, showProgress, exitAtEnd) },
    { replayInputErrorsReported: true },
  );
  return code === 0 && feed.player.error !== undefined ? 1 : code;
}

/**
 * Prints the summary each time the replay ends or fails (and the error, FILE:LINE: reason [CODE]); with
 * `exit`, the first time also ends the process.
 */
function watch(feed: ReplayFeed, app: FastifyInstance, showProgress: boolean, exit: boolean): Promise<number> | undefined {
  const progress = showProgress ? progressLine(feed, app.market) : undefined;
  const { player } = feed;
  let reported: string | undefined;
  let finish: ((code: number) => void) | undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  const report = (): void => {
    const { phase } = player;
    const key = `${phase} ${player.rewinds}`;
    if ((phase !== 'ended' && phase !== 'failed') || key === reported) return;
    reported = key;
    progress?.clear();
    if (player.error !== undefined) process.stderr.write(`tickertape: ${replayErrorText(player.error)}\n`);
    process.stderr.write(formatSummary(feed.stats()));
    if (exit) {
      progress?.stop();
      finish?.(phase === 'failed' ? 1 : 0);
    }
  };
  player.onChange(report);
  app.server.once('close', () => progress?.stop());
  report();
  return exit ? finished : undefined;
}
