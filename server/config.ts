/**
 * Every limit and default of the server, each a named constant with its unit in its name, and the one
 * function that turns flags and environment variables into a validated Config. A bad value stops start-up
 * with a ConfigError naming the flag, the variable and the allowed range.
 */
import { MAX_SYMBOL_LENGTH } from '../client/protocol/messages.js';
import type { FeedConfig, SimulatedFeedConfig } from '../feeds/index.js';
import { LIMIT_FLAGS, limitFlagOptions, limitRule, limitsFromFlags, limitUsage } from './limit-flags.js';
import { LIVE_FLAG_OPTIONS, LIVE_USAGE, liveFeedFromFlags } from './live-flags.js';
import { ENDPOINT_ENV, FeedSpecError, VENUES } from '../feeds/live/options.js';
import { MAX_GZIP_LEVEL, MAX_ROTATE_BYTES, MIN_GZIP_LEVEL, MIN_ROTATE_BYTES } from '../feeds/recording/recorder.js';
import { numberFits, numberIn, numberMessage, type NumberRule } from '../feeds/number-text.js';
import { ACCESS_USAGE, DEFAULT_ACCESS, accessFlagOptions, accessFromFlags, validateAccess, type AccessConfig } from './security/access-config.js';
import { parseFlags } from './flag-values.js';

export const DEFAULT_PORT = 8080;
/** `localhost` listens on every loopback address (127.0.0.1 and ::1); use 0.0.0.0 to serve the network. */
export const DEFAULT_HOST = 'localhost';
export const DEFAULT_SEED = 42;
export const DEFAULT_TICKS_PER_S = 2_000;
export const MAX_TICKS_PER_S = 1_000_000;
/** How much simulated history `serve` fast-forwards through at start-up: the 15 minutes of 1 s bars it keeps. */
export const DEFAULT_WARMUP_S = 900;
export const MAX_WARMUP_S = 86_400;
export const DEFAULT_FLUSH_INTERVAL_MS = 50;
export const MIN_FLUSH_INTERVAL_MS = 5;
export const MAX_FLUSH_INTERVAL_MS = 5_000;

/** 1 s bars kept per symbol (15 minutes). */
export const BAR_RETENTION_1S_BARS = 900;
/** 1 min bars kept per symbol (one day). */
export const BAR_RETENTION_1M_BARS = 1_440;
/**
 * Most of the wall time flushing may take, in percent. A flush round that takes longer than this share of
 * the flush interval (thousands of connections, one write each) stretches the interval so that the feed,
 * requests and socket I/O keep the rest: under overload, updates come less often and conflate more, and
 * nothing falls behind without bound. The feed needs a few per cent of a core, so 80 leaves it ample room
 * while keeping the stretched interval, and so the latency, as short as it can be.
 */
export const MAX_FLUSH_BUSY_PERCENT = 80;
/**
 * Slices the connections are dealt into for the rolling flush (hub/slices.ts): when a round of writes takes
 * more than half the flush interval, the hub flushes every interval/slices ms and serves one slice each
 * time, with what changed since that slice's previous turn, so a tick waits for its connection's turn rather
 * than behind a whole round of writes. Each connection still gets one frame per interval. 1 never rolls.
 */
export const FLUSH_SLICES = 5;
export const MAX_FLUSH_SLICES = 50;
/** A slice's turn comes no more often than this: shorter intervals get fewer slices (5 ms: one). */
export const MIN_FLUSH_SLICE_MS = 5;
/** Symbols the market tracks at most; a feed inventing more is refused, not allowed to grow memory. */
export const MAX_SYMBOLS = 10_000;
/** The most maxSymbols may be: the hub names a symbol by its market index in one UTF-16 unit (group.ts). */
export const MAX_MAX_SYMBOLS = 0x1_0000;

/** Largest inbound WebSocket message; a bigger one closes the connection with 1009. */
export const MAX_INBOUND_FRAME_BYTES = 16 * 1024;
/** Fragments one inbound message may arrive in; more closes the connection with 1008 (a fragment flood). */
export const MAX_FRAGMENTS_PER_MESSAGE = 64;
/** Unsent bytes a connection may hold before it is held back (conflation, never a queue). */
export const MAX_BUFFERED_BYTES = 256 * 1024;
/** How long a held-back connection may stay undrained before it is closed with 4000. */
export const SLOW_CLIENT_TIMEOUT_MS = 30_000;
/**
 * How long a connection closed with 4000 has to read up to the close frame, which waits behind its unsent
 * bytes, and answer it; after that its socket is destroyed, unsent bytes and all.
 */
export const SLOW_CONSUMER_CLOSE_GRACE_MS = 5_000;
export const MAX_SYMBOLS_PER_CONNECTION = 1_000;
export const MAX_SYMBOLS_PER_REQUEST = 1_000;
export { MAX_SYMBOL_LENGTH };
/** 1 s bars in a snapshot for subscriptions that ask for bars. */
export const SNAPSHOT_BARS = 60;
export const HISTORY_DEFAULT_LIMIT_BARS = 500;
export const HISTORY_MAX_LIMIT_BARS = 5_000;

/**
 * The most a limit flag counted in messages or connections may be set to: past any real load, so that
 * 1e12 is refused as the typo it is.
 */
export const MAX_LIMIT_COUNT = 1_000_000;
/**
 * The most a limit flag in milliseconds may be set to: a day. Node's timers hold at most 2^31 - 1 ms (24.8
 * days) and fire at once past that: --heartbeat-ms 1e10 pinged every millisecond.
 */
export const MAX_LIMIT_MS = 86_400_000;
/**
 * The largest inbound message that may be allowed (--max-frame-bytes): ws holds a message whole in memory
 * until it is read, for every connection at once (1 MiB × the 10,000 default connections is 10 GiB), and
 * the largest request there is, 1,000 symbols of MAX_MAX_SYMBOL_LENGTH characters, takes a quarter of it.
 */
export const MAX_MAX_INBOUND_FRAME_BYTES = 1_048_576;
/** The most unsent bytes a connection may be allowed (--max-buffered-bytes): 256 times the default, each. */
export const MAX_MAX_BUFFERED_BYTES = 64 * 1_048_576;
/** The longest symbol name that may be allowed (--max-symbol-length): no ticker comes near it. */
export const MAX_MAX_SYMBOL_LENGTH = 256;

/** Sustained inbound messages (requests and ping frames) per second per connection: a token bucket's rate. */
export const MAX_INBOUND_MESSAGES_PER_S = 50;
/** Inbound messages a connection may send at once before the rate applies: the token bucket's size. */
export const INBOUND_BURST_MESSAGES = 200;
/** Messages dropped for the rate in one episode (until the bucket refills) before the connection is closed with 1008. */
export const MAX_RATE_LIMITED_MESSAGES = 200;
/** How often the server pings every connection; one silent for two intervals is terminated. */
export const HEARTBEAT_INTERVAL_MS = 15_000;
/** Open WebSocket connections from one client address; more are answered 429 before the upgrade. */
export const MAX_CONNECTIONS_PER_IP = 100;
/** Open WebSocket connections in all; more are answered 503 before the upgrade. */
export const MAX_CONNECTIONS = 10_000;
/** Subprotocols a client may offer in one handshake; a longer list is answered 400. */
export const MAX_OFFERED_SUBPROTOCOLS = 8;
/** At shutdown, how long clients get to complete the closing handshake (1012) before they are cut off. */
export const SHUTDOWN_DRAIN_MS = 5_000;

export interface Limits {
  readonly maxInboundFrameBytes: number;
  readonly maxFragmentsPerMessage: number;
  readonly maxBufferedBytes: number;
  readonly slowClientTimeoutMs: number;
  readonly slowConsumerCloseGraceMs: number;
  readonly maxSymbolsPerConnection: number;
  readonly maxSymbolsPerRequest: number;
  readonly maxSymbolLength: number;
  readonly maxSymbols: number;
  readonly snapshotBars: number;
  readonly historyDefaultLimitBars: number;
  readonly historyMaxLimitBars: number;
  readonly barRetention1sBars: number;
  readonly barRetention1mBars: number;
  readonly maxInboundMessagesPerS: number;
  readonly inboundBurstMessages: number;
  readonly maxRateLimitedMessages: number;
  readonly heartbeatIntervalMs: number;
  readonly maxConnectionsPerIp: number;
  readonly maxConnections: number;
  readonly maxOfferedSubprotocols: number;
  readonly shutdownDrainMs: number;
  readonly maxFlushBusyPercent: number;
  readonly flushSlices: number;
}

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly flushIntervalMs: number;
  readonly feed: FeedConfig;
  readonly limits: Limits;
  /** Who may connect: origins, tokens, the proxies trusted to name the client (docs/operations.md). */
  readonly access: AccessConfig;
  /** Folder of the built dashboard; undefined serves no dashboard (API and /ws only). */
  readonly webRoot: string | undefined;
  readonly logLevel: string;
}

export const DEFAULT_LIMITS: Limits = {
  maxInboundFrameBytes: MAX_INBOUND_FRAME_BYTES,
  maxFragmentsPerMessage: MAX_FRAGMENTS_PER_MESSAGE,
  maxBufferedBytes: MAX_BUFFERED_BYTES,
  slowClientTimeoutMs: SLOW_CLIENT_TIMEOUT_MS,
  slowConsumerCloseGraceMs: SLOW_CONSUMER_CLOSE_GRACE_MS,
  maxSymbolsPerConnection: MAX_SYMBOLS_PER_CONNECTION,
  maxSymbolsPerRequest: MAX_SYMBOLS_PER_REQUEST,
  maxSymbolLength: MAX_SYMBOL_LENGTH,
  maxSymbols: MAX_SYMBOLS,
  snapshotBars: SNAPSHOT_BARS,
  historyDefaultLimitBars: HISTORY_DEFAULT_LIMIT_BARS,
  historyMaxLimitBars: HISTORY_MAX_LIMIT_BARS,
  barRetention1sBars: BAR_RETENTION_1S_BARS,
  barRetention1mBars: BAR_RETENTION_1M_BARS,
  maxInboundMessagesPerS: MAX_INBOUND_MESSAGES_PER_S,
  inboundBurstMessages: INBOUND_BURST_MESSAGES,
  maxRateLimitedMessages: MAX_RATE_LIMITED_MESSAGES,
  heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
  maxConnectionsPerIp: MAX_CONNECTIONS_PER_IP,
  maxConnections: MAX_CONNECTIONS,
  maxOfferedSubprotocols: MAX_OFFERED_SUBPROTOCOLS,
  shutdownDrainMs: SHUTDOWN_DRAIN_MS,
  maxFlushBusyPercent: MAX_FLUSH_BUSY_PERCENT,
  flushSlices: FLUSH_SLICES,
};

/**
 * The most each limit may be, whether set by a flag or in code. Every one a flag sets has a bound that
 * means something (memory, Node's timers, the market's size) or is past any real load; the limits only
 * code sets are bounded by what a number holds exactly (maxSymbols by the hub's symbol numbers).
 */
export const MAX_LIMITS: Limits = {
  maxInboundFrameBytes: MAX_MAX_INBOUND_FRAME_BYTES,
  maxFragmentsPerMessage: Number.MAX_SAFE_INTEGER,
  maxBufferedBytes: MAX_MAX_BUFFERED_BYTES,
  slowClientTimeoutMs: MAX_LIMIT_MS,
  slowConsumerCloseGraceMs: MAX_LIMIT_MS,
  maxSymbolsPerConnection: MAX_MAX_SYMBOLS,
  maxSymbolsPerRequest: Number.MAX_SAFE_INTEGER,
  maxSymbolLength: MAX_MAX_SYMBOL_LENGTH,
  maxSymbols: MAX_MAX_SYMBOLS,
  snapshotBars: Number.MAX_SAFE_INTEGER,
  historyDefaultLimitBars: Number.MAX_SAFE_INTEGER,
  historyMaxLimitBars: Number.MAX_SAFE_INTEGER,
  barRetention1sBars: Number.MAX_SAFE_INTEGER,
  barRetention1mBars: Number.MAX_SAFE_INTEGER,
  maxInboundMessagesPerS: MAX_LIMIT_COUNT,
  inboundBurstMessages: MAX_LIMIT_COUNT,
  maxRateLimitedMessages: MAX_LIMIT_COUNT,
  heartbeatIntervalMs: MAX_LIMIT_MS,
  maxConnectionsPerIp: MAX_LIMIT_COUNT,
  maxConnections: MAX_LIMIT_COUNT,
  maxOfferedSubprotocols: Number.MAX_SAFE_INTEGER,
  shutdownDrainMs: MAX_LIMIT_MS,
  maxFlushBusyPercent: 100,
  flushSlices: MAX_FLUSH_SLICES,
};

/**
 * How many slices a flush round is cut into: the configured count, fewer when the interval is too short
 * for each slice to get MIN_FLUSH_SLICE_MS.
 */
export function flushSlices(config: Config): number {
  return Math.max(1, Math.min(config.limits.flushSlices, Math.floor(config.flushIntervalMs / MIN_FLUSH_SLICE_MS)));
}

/** A configuration built in code (tests, embedding), with defaults for what is not given. */
export function defineConfig(partial: Partial<Omit<Config, 'limits' | 'feed' | 'access'>> & {
  limits?: Partial<Limits>;
  access?: Partial<AccessConfig>;
  feed?: Partial<SimulatedFeedConfig>;
} = {}): Config {
  const config: Config = {
    port: partial.port ?? DEFAULT_PORT,
    host: partial.host ?? DEFAULT_HOST,
    flushIntervalMs: partial.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS,
    feed: {
      kind: 'simulated',
      seed: partial.feed?.seed ?? DEFAULT_SEED,
      ticksPerSecond: partial.feed?.ticksPerSecond ?? DEFAULT_TICKS_PER_S,
      warmupMs: partial.feed?.warmupMs ?? 0,
    },
    limits: withLimits(partial.limits ?? {}),
    access: { ...DEFAULT_ACCESS, ...partial.access },
    webRoot: partial.webRoot,
    logLevel: partial.logLevel ?? 'info',
  };
  validate(config);
  return config;
}

/**
 * The defaults with `given` over them. A per-address connection limit not given is at most the one in all:
 * `--max-connections 50` alone means at most 50 from one address too, not a refusal of the default 100.
 */
function withLimits(given: Partial<Limits>): Limits {
  const limits = { ...DEFAULT_LIMITS, ...given };
  if (given.maxConnectionsPerIp === undefined) limits.maxConnectionsPerIp = Math.min(limits.maxConnectionsPerIp, limits.maxConnections);
  return limits;
}

/** A limit as messages name it: its key, with its flag and variable when it has them. */
function limitName(key: keyof Limits): string {
  const row = LIMIT_FLAGS.find((flag) => flag.key === key);
  return row === undefined ? key : `${key} (--${row.flag}, ${row.env})`;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

/** A text setting: its flag (without `--`; none for a variable only) and its environment variable. */
export type TextSetting = readonly [flag: string | undefined, variable: string];

/** `serve`'s text settings (numbers are read by numberFrom, which refuses an empty one the same way). */
const SERVE_TEXT_SETTINGS: readonly TextSetting[] = [
  ['host', 'HOST'],
  ['log-level', 'LOG_LEVEL'],
  ['web', 'WEB_ROOT'],
  ['allowed-origins', 'ALLOWED_ORIGINS'],
  ['trust-proxy', 'TRUST_PROXY'],
  [undefined, 'AUTH_TOKEN'],
  [undefined, 'AUTH_JWT_SECRET'],
  [undefined, 'FEED'],
  ...VENUES.map((venue): TextSetting => [`${venue}-url`, ENDPOINT_ENV[venue]]),
];

/**
 * Refuses a text setting given but empty (`--host ''`, `AUTH_TOKEN=`), as an empty number is refused
 * (`PORT=`): an empty variable is most often a template or a secret that did not fill in, and reading it as
 * unset would quietly run on the default: no token required, the simulator instead of the exchanges asked
 * for. A flag given wins over its variable, as everywhere.
 */
export function refuseEmpty(values: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv, settings: readonly TextSetting[]): void {
  for (const [flag, variable] of settings) {
    const flagged = flag === undefined ? undefined : values[flag];
    if (flagged === '') throw new ConfigError(`--${flag} is empty: give it a value, or leave it out for the default`);
    if (flagged === undefined && env[variable] === '') {
      throw new ConfigError(`${variable} is set but empty: give it a value, or unset it for the default`);
    }
  }
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new ConfigError(message);
}

/** The numeric settings of `serve`: what each is, where it is set, and its range. */
const PORT_RULE: NumberRule = { name: 'port', where: '--port, PORT', min: 0, max: 65_535, whole: true };
const RATE_RULE: NumberRule = { name: 'tick rate', where: '--rate, TICK_RATE', min: 1, max: MAX_TICKS_PER_S, whole: true, unit: 'ticks/s' };
const SEED_RULE: NumberRule = { name: 'seed', where: '--seed, SEED', min: 0, max: 2 ** 32 - 1, whole: true };
const WARMUP_RULE: NumberRule = { name: 'warm-up', where: '--warmup-s, WARMUP_S', min: 0, max: MAX_WARMUP_S, whole: true, unit: 's' };
const FLUSH_RULE: NumberRule = {
  name: 'flush interval',
  where: '--flush-ms, FLUSH_INTERVAL_MS',
  min: MIN_FLUSH_INTERVAL_MS,
  max: MAX_FLUSH_INTERVAL_MS,
  whole: true,
  unit: 'ms',
};

/** A limit's rule: its flag's, or for a limit only code sets, its name and bounds. */
function ruleOfLimit(key: keyof Limits): NumberRule {
  const row = LIMIT_FLAGS.find((flag) => flag.key === key);
  if (row !== undefined) return limitRule(row, MAX_LIMITS[key]);
  return { name: `limit ${key}`, min: key === 'snapshotBars' ? 0 : 1, max: MAX_LIMITS[key], whole: true };
}

function checkNumber(value: number, rule: NumberRule): void {
  check(numberFits(value, rule), numberMessage(rule, String(value)));
}

function validateSimulated(feed: SimulatedFeedConfig): void {
  checkNumber(feed.ticksPerSecond, RATE_RULE);
  checkNumber(feed.seed, SEED_RULE);
  checkNumber(feed.warmupMs / 1000, WARMUP_RULE);
}

function validate(config: Config): void {
  checkNumber(config.port, PORT_RULE);
  check(config.host.length > 0, 'host must not be empty (--host, HOST)');
  checkNumber(config.flushIntervalMs, FLUSH_RULE);
  if (config.feed.kind === 'simulated') validateSimulated(config.feed);
  for (const [key, value] of Object.entries(config.limits) as [keyof Limits, number][]) checkNumber(value, ruleOfLimit(key));
  check(config.limits.historyDefaultLimitBars <= config.limits.historyMaxLimitBars, 'historyDefaultLimitBars must not exceed historyMaxLimitBars');
  const { maxConnectionsPerIp, maxConnections } = config.limits;
  check(
    maxConnectionsPerIp <= maxConnections,
    `${limitName('maxConnectionsPerIp')} is ${maxConnectionsPerIp}, more than ${limitName('maxConnections')}, ${maxConnections}: one address cannot have more connections than the server`,
  );
  const problem = validateAccess(config.access);
  if (problem !== undefined) throw new ConfigError(problem);
}

export const USAGE = `Usage: tickertape serve [options]

Starts the server and dashboard on the simulated feed, or on live exchange feeds (--feed).

Options (each also read from the environment variable shown; numbers in plain decimal, 0x10 or 1e3 and
an empty variable are refused):
  --port N          port to listen on (PORT, default ${DEFAULT_PORT}; 0 picks a free port)
  --host NAME       address to listen on (HOST, default ${DEFAULT_HOST}; 0.0.0.0 for all interfaces)
  --rate N          simulated ticks per second (TICK_RATE, default ${DEFAULT_TICKS_PER_S}, max ${MAX_TICKS_PER_S})
  --seed N          simulator seed: same seed, same ticks (SEED, default ${DEFAULT_SEED})
  --warmup-s N      seconds of simulated history to fast-forward through at start-up
                    (WARMUP_S, default ${DEFAULT_WARMUP_S}; 0 starts empty)
  --flush-ms N      update flush interval in ms (FLUSH_INTERVAL_MS, default ${DEFAULT_FLUSH_INTERVAL_MS})
  --web DIR         built dashboard to serve (WEB_ROOT, default dist/web beside the server)
  --log-level L     fatal|error|warn|info|debug|trace|silent (LOG_LEVEL, default info)
  --record FILE     also write every tick of the feed to FILE, tickertape's recording format
                    (gzip when FILE ends in .gz; never overwrites a file). Should writing fail
                    (a full disk), the server serves on unrecorded, says so in its log, /readyz
                    and /metrics, and exits 1 when stopped
  --record-rotate-mb N  start a new numbered file (FILE-0001, FILE-0002, ...) every N MiB
                    (0.0625, that is 64 KiB, to 1048576, 1 TiB)
  --record-gzip-level N  gzip's level for the recording: 1 compresses fastest, 9 smallest (default 6);
                    implies gzip
  -h, --help        show this help

Live feeds (docs/feeds.md#live-exchange-feeds):
${LIVE_USAGE}
Who gets in (docs/operations.md):
${ACCESS_USAGE}
Limits (docs/operations.md lists each with its error or close code):
${limitUsage(DEFAULT_LIMITS, MAX_LIMITS)}
Limits are whole numbers from 1. Their bounds: 1 MiB a message, as ws holds each whole in memory, for every
connection at once; 64 MiB unsent per connection; 256 characters a symbol; as many subscriptions as a
market has symbols (65536); a day for times in ms (Node's timers fire at once past 24.8 days); a million
for the other counts, past any real load.
`;

/**
 * A number from a flag's text, else its variable's (plain decimal within the rule: feeds/number-text.ts);
 * undefined when neither is set. Set but empty is refused like any other text that is not a number.
 */
export function numberFrom(flag: string | undefined, env: string | undefined, rule: NumberRule): number | undefined {
  const text = flag ?? env;
  if (text === undefined) return undefined;
  const value = numberIn(text, rule);
  if (value === undefined) throw new ConfigError(numberMessage(rule, `"${text}"`));
  return value;
}

const MIB = 1_048_576;

/**
 * A rotation size in bytes from flag text in MiB (record's --rotate-mb, serve's --record-rotate-mb: one rule
 * and one message for both), or a ConfigError naming `flag`. The least is the recorder's MIN_ROTATE_BYTES,
 * 64 KiB: 0.0625.
 */
export function rotateBytesFrom(flag: string, text: string | undefined): number | undefined {
  const rule: NumberRule = { name: flag, min: MIN_ROTATE_BYTES / MIB, max: MAX_ROTATE_BYTES / MIB, whole: false, unit: 'MiB (64 KiB to 1 TiB)' };
  const mb = numberFrom(text, undefined, rule);
  return mb === undefined ? undefined : Math.round(mb * MIB);
}

/** A gzip level from flag text (whole, MIN_GZIP_LEVEL (fastest) to MAX_GZIP_LEVEL (smallest)), or a ConfigError naming `flag`. */
export function gzipLevelFrom(flag: string, text: string | undefined): number | undefined {
  return numberFrom(text, undefined, { name: flag, min: MIN_GZIP_LEVEL, max: MAX_GZIP_LEVEL, whole: true, unit: `(${MIN_GZIP_LEVEL} fastest, ${MAX_GZIP_LEVEL} smallest)` });
}

/** `tickertape serve`'s flags, for parseArgs; `replay` and `record` take some of them too (cli/). */
export const SERVE_OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  rate: { type: 'string' },
  seed: { type: 'string' },
  'warmup-s': { type: 'string' },
  'flush-ms': { type: 'string' },
  web: { type: 'string' },
  'log-level': { type: 'string' },
  record: { type: 'string' },
  'record-rotate-mb': { type: 'string' },
  'record-gzip-level': { type: 'string' },
  ...LIVE_FLAG_OPTIONS,
  ...limitFlagOptions(),
  ...accessFlagOptions(),
  help: { type: 'boolean', short: 'h' },
} as const;

/** The simulator's flags, which only `serve` (and `record`) take. */
export const SIMULATOR_FLAGS = ['rate', 'seed', 'warmup-s'] as const;

/** `--record FILE`: write every tick the feed plays to FILE (docs/feeds.md#recording). */
export interface RecordTarget {
  readonly file: string;
  /** Start a new numbered file once one holds this many bytes; undefined: one file. */
  readonly rotateBytes: number | undefined;
  /** gzip's level (it means gzip); undefined: gzip at the default level when FILE ends in .gz. */
  readonly gzipLevel: number | undefined;
}

export interface ParsedServe {
  readonly help: boolean;
  readonly config: Config;
  readonly record: RecordTarget | undefined;
}

/** Parses `tickertape serve` flags over environment variables over defaults. */
export function parseServeArgs(args: readonly string[], env: NodeJS.ProcessEnv, defaultWebRoot: string | undefined): ParsedServe {
  let values;
  try {
    ({ values } = parseFlags(args, {
      strict: true,
      allowPositionals: false,
      options: SERVE_OPTIONS,
    }));
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n\n${USAGE}`);
  }
  // `--feed` is the one flag given several times.
  const { feed: _feeds, ...single } = values;
  refuseEmpty(single, env, SERVE_TEXT_SETTINGS);
  const logLevel = values['log-level'] ?? env['LOG_LEVEL'] ?? 'info';
  check(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel),
    `log level must be fatal, error, warn, info, debug, trace or silent (--log-level, LOG_LEVEL), got "${logLevel}"`,
  );
  const warmupS = numberFrom(values['warmup-s'], env['WARMUP_S'], WARMUP_RULE) ?? DEFAULT_WARMUP_S;
  const config = defineConfig({
    port: numberFrom(values.port, env['PORT'], PORT_RULE),
    host: values.host ?? env['HOST'] ?? undefined,
    flushIntervalMs: numberFrom(values['flush-ms'], env['FLUSH_INTERVAL_MS'], FLUSH_RULE),
    feed: {
      seed: numberFrom(values.seed, env['SEED'], SEED_RULE),
      ticksPerSecond: numberFrom(values.rate, env['TICK_RATE'], RATE_RULE),
      warmupMs: warmupS * 1000,
    },
    webRoot: values.web ?? env['WEB_ROOT'] ?? defaultWebRoot,
    logLevel,
    limits: limitsFromFlags(single, env, (flag, variable, row) => numberFrom(flag, variable, limitRule(row, MAX_LIMITS[row.key]))),
    access: accessFromFlags(single, env),
  });
  let live;
  try {
    live = liveFeedFromFlags(values, env);
  } catch (error) {
    if (error instanceof FeedSpecError) throw new ConfigError(error.message);
    throw error;
  }
  if (live !== undefined) {
    const simulatorFlag = SIMULATOR_FLAGS.find((flag) => values[flag] !== undefined);
    check(simulatorFlag === undefined, `--${simulatorFlag} sets the simulator, which does not run with --feed`);
  }
  return {
    help: values.help === true,
    config: live === undefined ? config : { ...config, feed: live },
    record: recordTarget(values.record, values['record-rotate-mb'], values['record-gzip-level']),
  };
}

function recordTarget(file: string | undefined, rotateMb: string | undefined, gzipLevel: string | undefined): RecordTarget | undefined {
  if (file === undefined) {
    check(rotateMb === undefined, '--record-rotate-mb needs --record FILE');
    check(gzipLevel === undefined, '--record-gzip-level needs --record FILE');
    return undefined;
  }
  check(file.length > 0, '--record needs a file name');
  return { file, rotateBytes: rotateBytesFrom('--record-rotate-mb', rotateMb), gzipLevel: gzipLevelFrom('--record-gzip-level', gzipLevel) };
}
