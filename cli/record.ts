/**
 * `tickertape record --out FILE [options]`: runs the feed `serve` would run (the simulator, or live exchange
 * feeds with `--feed`) without serving it, and writes every tick to FILE in tickertape's recording format,
 * until a tick count, a duration, or Ctrl-C. A live feed's connection losses and missed trades are logged as
 * they happen and summed up at the end, so an unattended recording says where it has holes.
 */
import { createFeed } from '../feeds/index.js';
import { isLiveFeed } from '../feeds/live/feed.js';
import type { LiveStatus } from '../feeds/live/status.js';
import type { NumberRule } from '../feeds/number-text.js';
import { parseTimeOption } from '../feeds/replay/options.js';
import { DEFAULT_GZIP_LEVEL, RecorderError, TickRecorder } from '../feeds/recording/recorder.js';
import { ConfigError, DEFAULT_SEED, DEFAULT_TICKS_PER_S, SIMULATOR_FLAGS, gzipLevelFrom, numberFrom, parseServeArgs, rotateBytesFrom } from '../server/config.js';
import { logLiveFeed } from '../server/live/feed-log.js';
import { LIVE_FLAGS, LIVE_USAGE } from '../server/live-flags.js';
import { parseCommandArgs } from './args.js';
import { plural } from '../feeds/replay/summary.js';
import { lineLog } from './line-log.js';
import { recordingLine } from './progress.js';

/**
 * The longest --duration-s: Node's longest timer, 2^31 - 1 ms (24 days 20 h). Past it a timer fires at once,
 * and `--duration-s 3000000` recorded nothing; longer recordings run without it and stop on a signal.
 */
export const MAX_RECORD_DURATION_S = Math.floor((2 ** 31 - 1) / 1000);
/** --ticks counts up to the largest whole number a double holds exactly. */
const TICKS_RULE: NumberRule = { name: '--ticks', min: 1, max: Number.MAX_SAFE_INTEGER, whole: true };
const DURATION_RULE: NumberRule = { name: '--duration-s', min: 1, max: MAX_RECORD_DURATION_S, whole: true, unit: 's' };

export const RECORD_USAGE = `Usage: tickertape record --out FILE [options]

Writes every tick of the feed to FILE in tickertape's recording format (docs/feeds.md), one tick per line,
lossless: the simulated market, or live exchange data with --feed. Replay it with "tickertape replay FILE".

Options:
  --out FILE        where to write; FILE.gz is gzip-compressed. An existing file is never overwritten.
  --gzip            compress even when FILE does not end in .gz
  --gzip-level N    gzip's level: 1 compresses fastest, 9 smallest (default ${DEFAULT_GZIP_LEVEL}); implies --gzip
  --rotate-mb N     start a new numbered file (name-0001.tape, name-0002.tape, ...) every N MiB
                    (0.0625, that is 64 KiB, to 1048576, 1 TiB)
  --ticks N         stop after N ticks
  --duration-s N    stop after N seconds (wall time; at most ${MAX_RECORD_DURATION_S}, 24 days 20 h, Node's
                    longest timer: stop longer recordings with Ctrl-C or SIGTERM)
  --log-level L     info (default) logs each exchange connection change and missed trades on stderr;
                    warn only the losses (LOG_LEVEL)
  --no-progress     no progress line (it is shown when stderr is a terminal)
  -h, --help        show this help

The simulator (the default feed):
  --rate N          simulated ticks per second (TICK_RATE, default ${DEFAULT_TICKS_PER_S})
  --seed N          simulator seed (SEED, default ${DEFAULT_SEED})
  --start TIME      simulated event time of the first tick (ISO-8601, as replay's --from: UTC unless a zone
                    is given); with a seed, the same file each run
  --warmup-s N      seconds of simulated history recorded first, as fast as they can be written
                    (WARMUP_S, default 0)

Live exchange data instead:
${LIVE_USAGE}
Stops on Ctrl-C (SIGINT) or SIGTERM too, ending the file properly.

Exit status:
  0  the recording ended (--ticks, --duration-s, Ctrl-C or SIGTERM) with every tick written
  1  the recording started and then failed: a write failed (a full disk; the next file of a rotated
     series already exists), or a --feed venue was never reached (the file holds nothing of it)
  2  nothing was recorded: a bad flag, or an --out FILE that cannot be created: it exists (a recording
     never overwrites one), its folder does not, or it may not be written there
`;

const OWN_OPTIONS = {
  out: { type: 'string' },
  gzip: { type: 'boolean' },
  'gzip-level': { type: 'string' },
  'rotate-mb': { type: 'string' },
  ticks: { type: 'string' },
  'duration-s': { type: 'string' },
  start: { type: 'string' },
  'no-progress': { type: 'boolean' },
} as const;

export async function record(args: string[]): Promise<number> {
  let plan;
  try {
    plan = parseRecordArgs(args);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`tickertape: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (plan === 'help') {
    process.stdout.write(RECORD_USAGE);
    return 0;
  }
  // A refused --out is a usage error, found before anything starts: 2, as for a bad flag.
  let recorder: TickRecorder;
  try {
    recorder = await TickRecorder.open({ file: plan.out, gzip: plan.gzip || undefined, gzipLevel: plan.gzipLevel, rotateBytes: plan.rotateBytes });
  } catch (error) {
    if (!(error instanceof RecorderError)) throw error;
    process.stderr.write(`tickertape: ${error.message}\n`);
    return 2;
  }
  const feed = await createFeed(plan.feed);
  const live = isLiveFeed(feed) ? feed.live : undefined;
  const progress = plan.progress ? recordingLine(recorder, live) : undefined;
  const writeLine = (line: string): void => {
    progress?.clear();
    process.stderr.write(line);
  };
  const unlisten = live === undefined ? undefined : logLiveFeed(live, lineLog(plan.logLevel, writeLine));
  const ticks = feed[Symbol.asyncIterator]();
  let stopped = false;
  const stop = (): void => {
    stopped = true;
    void ticks.return?.();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const timer = plan.durationMs === undefined ? undefined : setTimeout(stop, plan.durationMs);
  let code = 0;
  let failure: unknown;
  try {
    while (!stopped && recorder.stats.ticks < plan.maxTicks) {
      const next = await ticks.next();
      if (next.done === true) break;
      if (!recorder.write(next.value)) await recorder.drain();
    }
  } catch (error) {
    writeLine(`tickertape: ${(error as Error).message}\n`);
    failure = error;
    code = 1;
  } finally {
    progress?.stop();
    clearTimeout(timer);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await ticks.return?.();
    unlisten?.();
  }
  try {
    await recorder.close();
  } catch (error) {
    // The write that failed in the loop fails the close again: said once.
    if (error !== failure) process.stderr.write(`tickertape: ${(error as Error).message}\n`);
    code = 1;
  }
  process.stderr.write(`${recorder.summary()}\n${live === undefined ? '' : liveSummary(live)}`);
  // A venue never reached is a recording without it: say so in the exit status too, for scripts.
  if (live !== undefined && [...live.venues.values()].some((venue) => venue.connects === 0)) code = 1;
  return code;
}

/**
 * Per venue: connections lost and replaced, and the trades known missed, by symbol: where the recording has
 * holes. One line per venue.
 */
function liveSummary(status: LiveStatus): string {
  let text = '';
  for (const venue of status.venues.values()) {
    if (venue.connects === 0) {
      text += `${venue.venue}: never connected${venue.error === undefined ? '' : `; last error: ${venue.error}`}\n`;
      continue;
    }
    const missed = [...status.symbols.values()].filter((symbol) => symbol.venue === venue.venue && symbol.missed > 0);
    text +=
      `${venue.venue}: ${plural(venue.reconnects, 'reconnect')}` +
      (venue.replacements > 0 ? `, ${plural(venue.replacements, 'planned replacement')}` : '') +
      '; ' +
      (missed.length === 0
        ? 'no trade known missed'
        : `trades missed: ${missed.map((symbol) => `${symbol.symbol} ${symbol.missed.toLocaleString('en-US')} in ${plural(symbol.gaps, 'gap')}`).join(', ')}`) +
      (venue.error === undefined ? '' : `; last error: ${venue.error}`) +
      '\n';
  }
  return text;
}

interface RecordPlan {
  readonly out: string;
  readonly gzip: boolean;
  readonly gzipLevel: number | undefined;
  readonly rotateBytes: number | undefined;
  readonly maxTicks: number;
  readonly durationMs: number | undefined;
  readonly feed: ReturnType<typeof parseServeArgs>['config']['feed'];
  readonly logLevel: string;
  /** Show the progress line: stderr is a terminal and --no-progress was not given. */
  readonly progress: boolean;
}

function parseRecordArgs(args: readonly string[]): RecordPlan | 'help' {
  const { values, serveArgs } = parseCommandArgs(args, OWN_OPTIONS, [...SIMULATOR_FLAGS, ...LIVE_FLAGS, 'log-level'], RECORD_USAGE, false);
  if (values['help'] === true) return 'help';
  const out = values['out'];
  if (typeof out !== 'string' || out === '') throw new ConfigError(`--out FILE is required\n\n${RECORD_USAGE}`);
  const rotateBytes = rotateBytesFrom('--rotate-mb', values['rotate-mb'] as string | undefined);
  const { config } = parseServeArgs(serveArgs, process.env, undefined);
  const start = values['start'] as string | undefined;
  let startTime: number | undefined;
  try {
    startTime = start === undefined ? undefined : parseTimeOption('--start', start);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  if (config.feed.kind !== 'simulated' && start !== undefined) throw new ConfigError('--start sets the simulator, which does not run with --feed');
  // Recording starts now unless asked for history: serve's warm start is for charts, not for files.
  const warm = values['warmup-s'] !== undefined || process.env['WARMUP_S'] !== undefined;
  const durationS = numberFrom(values['duration-s'] as string | undefined, undefined, DURATION_RULE);
  return {
    out,
    gzip: values['gzip'] === true,
    gzipLevel: gzipLevelFrom('--gzip-level', values['gzip-level'] as string | undefined),
    rotateBytes,
    maxTicks: numberFrom(values['ticks'] as string | undefined, undefined, TICKS_RULE) ?? Number.POSITIVE_INFINITY,
    durationMs: durationS === undefined ? undefined : durationS * 1000,
    feed: config.feed.kind === 'simulated' ? { ...config.feed, startTime, warmupMs: warm ? config.feed.warmupMs : 0 } : config.feed,
    logLevel: config.logLevel,
    progress: values['no-progress'] !== true && process.stderr.isTTY === true,
  };
}
