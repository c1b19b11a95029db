/**
 * The scale-out roles' settings (docs/deploy.md): `tickertape ingest` runs the feed and publishes to Redis,
 * `tickertape gateway` serves clients from Redis. Both take serve's flags (server/config.ts) plus these;
 * every limit is a named constant with its unit in its name.
 */
import { ConfigError } from '../config.js';
import { numberFits, numberMessage, type NumberRule } from '../../feeds/number-text.js';

export type ClusterRole = 'ingest' | 'gateway';

export const DEFAULT_REDIS_URL = 'redis://localhost:6379';
/** Every key starts with this; two tickertape deployments can share one Redis with different prefixes. */
export const DEFAULT_REDIS_PREFIX = 'tickertape:';
/** The ingest serves only /healthz, /readyz and /metrics, on a port of its own beside the gateways'. */
export const DEFAULT_INGEST_PORT = 8090;

/**
 * Flush records the stream keeps (XADD MAXLEN ~): a minute at the default 50 ms. A gateway that falls
 * further behind (or reconnects after longer) reloads the state keys instead of replaying the stream.
 */
export const REDIS_STREAM_MAX_ENTRIES = 1_200;
export const MAX_REDIS_STREAM_ENTRIES = 1_000_000;
/** Flush records a gateway reads in one call; a backlog read together is applied together and flushed once. */
export const REDIS_READ_BATCH_ENTRIES = 100;
/** How long one blocking read of the stream waits before it is issued again. */
export const REDIS_READ_BLOCK_MS = 1_000;
/** With nothing changed, the ingest still publishes an empty record this often: gateways see it is alive. */
export const INGEST_HEARTBEAT_MS = 1_000;
/** Gateways report the ingest as silent (metrics, /readyz detail) after this long without a record. */
export const INGEST_SILENT_AFTER_MS = 5_000;
/**
 * The ingest's lease on publishing: renewed every fifth of it; an ingest that finds the lease held by
 * another waits as a standby and takes over once it lapses.
 */
export const INGEST_LEASE_MS = 5_000;
/** Symbols whose bars are loaded in one round trip when a gateway resyncs or an ingest takes over. */
export const RESYNC_SYMBOLS_PER_READ = 100;
/** Bars in one published record at most: publishing everything (Redis lost its data) is split into records. */
export const PUBLISH_MAX_BARS_PER_RECORD = 20_000;
/** Replay control requests an ingest carries out per flush at most; the rest wait for the next. */
export const REPLAY_CONTROLS_PER_FLUSH = 16;
/** Replay control requests queued in Redis at most (older ones are dropped); the queue expires unread after REPLAY_CONTROL_TIMEOUT_MS. */
export const MAX_REPLAY_CONTROLS_QUEUED = 100;
/** How long a gateway waits for the ingest to carry out a replay control request before answering with the state as it stands. */
export const REPLAY_CONTROL_TIMEOUT_MS = 15_000;
/** Longest pause between attempts to reconnect to Redis (exponential from 50 ms up to this). */
export const REDIS_RECONNECT_MAX_DELAY_MS = 2_000;
/** How long connecting to Redis may take before the attempt counts as failed. */
export const REDIS_CONNECT_TIMEOUT_MS = 5_000;

export const STREAM_MAX_RULE: NumberRule = {
  name: 'stream length',
  where: '--redis-stream-max, REDIS_STREAM_MAX_ENTRIES',
  min: 10,
  max: MAX_REDIS_STREAM_ENTRIES,
  whole: true,
};

export interface ClusterConfig {
  readonly role: ClusterRole;
  readonly redisUrl: string;
  readonly prefix: string;
  readonly streamMaxEntries: number;
}

/** A cluster configuration built in code (tests, benchmarks), with defaults for what is not given. */
export function defineClusterConfig(role: ClusterRole, partial: Partial<Omit<ClusterConfig, 'role'>> = {}): ClusterConfig {
  const config: ClusterConfig = {
    role,
    redisUrl: partial.redisUrl ?? DEFAULT_REDIS_URL,
    prefix: partial.prefix ?? DEFAULT_REDIS_PREFIX,
    streamMaxEntries: partial.streamMaxEntries ?? REDIS_STREAM_MAX_ENTRIES,
  };
  let url: URL | undefined;
  try {
    url = new URL(config.redisUrl);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'redis:' && url.protocol !== 'rediss:')) {
    throw new ConfigError(`Redis URL must look like redis://host:port (or rediss:// for TLS) (--redis, REDIS_URL), got "${config.redisUrl}"`);
  }
  if (!/^[\w{}:.-]{1,64}$/.test(config.prefix)) {
    throw new ConfigError(`Redis key prefix must be 1..64 of A-Z a-z 0-9 _ { } : . - (--redis-prefix, REDIS_PREFIX), got "${config.prefix}"`);
  }
  if (!numberFits(config.streamMaxEntries, STREAM_MAX_RULE)) throw new ConfigError(numberMessage(STREAM_MAX_RULE, String(config.streamMaxEntries)));
  return config;
}

/** The flags both roles take besides serve's (cli/cluster.ts parses them). */
export const CLUSTER_OPTIONS = {
  redis: { type: 'string' },
  'redis-prefix': { type: 'string' },
  'redis-stream-max': { type: 'string' },
} as const;

const CLUSTER_USAGE = `Redis (docs/deploy.md):
  --redis URL             the Redis server (REDIS_URL, default ${DEFAULT_REDIS_URL})
  --redis-prefix P        prefix of every key, the same for the ingest and its gateways
                          (REDIS_PREFIX, default ${DEFAULT_REDIS_PREFIX})
  --redis-stream-max N    flush records the update stream keeps; a gateway further behind reloads the state
                          (REDIS_STREAM_MAX_ENTRIES, default ${REDIS_STREAM_MAX_ENTRIES})
`;

const SERVER_USAGE = `Server options: every option of "tickertape serve" but --record, among them
  --port N          port to listen on (PORT)
  --host NAME       address to listen on (HOST)
  --flush-ms N      update flush interval in ms (FLUSH_INTERVAL_MS); the same for the ingest and gateways
  --log-level L     fatal|error|warn|info|debug|trace|silent (LOG_LEVEL)
  and the access and limit options "tickertape serve --help" lists
  -h, --help        show this help
`;

export const INGEST_USAGE = `Usage: tickertape ingest [FILE...] [options]

Runs the feed and the market state and publishes every flush to Redis for the gateways. Serves only
/healthz, /readyz and /metrics (on port ${DEFAULT_INGEST_PORT} unless --port says otherwise). Run one; a
second waits as a standby and takes over when the first stops.

Feed: the simulator (--rate N, --seed N, --warmup-s N, as "tickertape serve --help" describes them), or
with FILEs, a replay of them, controlled from any gateway: --format, --symbol, --speed, --from, --to,
--loop, --paused and --skip-bad, as "tickertape replay --help" describes them.

${SERVER_USAGE}
${CLUSTER_USAGE}`;

export const GATEWAY_USAGE = `Usage: tickertape gateway [options]

Serves the dashboard, the HTTP API and /ws from the market an ingest publishes to Redis. Run as many as
you like behind a load balancer; no sticky sessions needed. The gateway sends once per ingest flush;
give it the ingest's --flush-ms (it sets maxRate's spacing). Feed options belong to the ingest.

${SERVER_USAGE}
${CLUSTER_USAGE}`;
