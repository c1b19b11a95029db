import { ReplayError, openReplay, type ReplayOptions } from '../feeds/replay/index.js';
import type { Feed } from '../feeds/tick.js';
import { buildApp } from '../server/app.js';
import { ConfigError, SIMULATOR_FLAGS, numberFrom, parseServeArgs, refuseEmpty, type Config } from '../server/config.js';
import {
  CLUSTER_OPTIONS,
  DEFAULT_INGEST_PORT,
  GATEWAY_USAGE,
  INGEST_USAGE,
  STREAM_MAX_RULE,
  defineClusterConfig,
  type ClusterConfig,
  type ClusterRole,
} from '../server/cluster/config.js';
import { LIVE_FLAGS } from '../server/live-flags.js';
import { parseCommandArgs, serveFlagsExcept } from './args.js';
import { REPLAY_OPTIONS, replayErrorText, replayOptionsFrom } from './replay.js';
import { serveApp } from './serve.js';

export interface ParsedCluster {
  readonly help: boolean;
  readonly config: Config;
  readonly cluster: ClusterConfig;
  /** `tickertape ingest FILE...`: the files to replay instead of the simulator. */
  readonly replay: ReplayOptions | undefined;
}

/** Parses `tickertape ingest` or `tickertape gateway` flags over environment variables over defaults. */
export function parseClusterArgs(role: ClusterRole, args: readonly string[], env: NodeJS.ProcessEnv, defaultWebRoot: string | undefined): ParsedCluster {
  const usage = role === 'ingest' ? INGEST_USAGE : GATEWAY_USAGE;
  const feedFlags = [...SIMULATOR_FLAGS, ...LIVE_FLAGS];
  if (role === 'gateway') {
    const given = feedFlags.find((flag) => args.some((arg) => arg === `--${flag}` || arg.startsWith(`--${flag}=`)));
    if (given !== undefined) throw new ConfigError(`--${given} is the ingest's option: a gateway serves the feed its ingest runs`);
  }
  const excluded: string[] = ['record', 'record-rotate-mb', 'record-gzip-level', ...(role === 'gateway' ? feedFlags : [])];
  const own = role === 'ingest' ? { ...CLUSTER_OPTIONS, ...REPLAY_OPTIONS } : CLUSTER_OPTIONS;
  const parsed = parseCommandArgs(args, own, serveFlagsExcept(excluded), usage, role === 'ingest');
  // The ingest replays files when it is given some (with `tickertape replay`'s flags), else simulates.
  const replaying = parsed.positionals.length > 0;
  const replay = replaying ? replayOptionsFrom(parsed.positionals, parsed.values) : undefined;
  if (replaying) {
    const given = feedFlags.find((flag) => parsed.values[flag] !== undefined);
    if (given !== undefined) throw new ConfigError(`--${given} sets the simulated or live feed: a replay plays its files (at --speed)`);
  } else {
    const given = Object.keys(REPLAY_OPTIONS).find((flag) => parsed.values[flag] !== undefined);
    if (given !== undefined) throw new ConfigError(`--${given} applies to replayed files: name them (tickertape ingest FILE... --${given} ...)`);
  }
  refuseEmpty(parsed.values, env, [
    ['redis', 'REDIS_URL'],
    ['redis-prefix', 'REDIS_PREFIX'],
  ]);
  const serveArgs = [...parsed.serveArgs];
  // The ingest serves only probes and metrics, on a port of its own beside the gateways'.
  if (role === 'ingest' && !serveArgs.includes('--port') && env['PORT'] === undefined) serveArgs.push('--port', String(DEFAULT_INGEST_PORT));
  const { config } = parseServeArgs(serveArgs, env, role === 'gateway' ? defaultWebRoot : undefined);
  const text = (flag: keyof typeof CLUSTER_OPTIONS): string | undefined => {
    const value = parsed.values[flag];
    return typeof value === 'string' ? value : undefined;
  };
  const cluster = defineClusterConfig(role, {
    redisUrl: text('redis') ?? env['REDIS_URL'],
    prefix: text('redis-prefix') ?? env['REDIS_PREFIX'],
    streamMaxEntries: numberFrom(text('redis-stream-max'), env['REDIS_STREAM_MAX_ENTRIES'], STREAM_MAX_RULE),
  });
  return { help: parsed.values['help'] === true, config: replay === undefined ? config : { ...config, feed: { kind: 'replay', ...replay } }, cluster, replay };
}

/** `tickertape ingest` and `tickertape gateway` (docs/deploy.md): resolves with the exit code. */
export async function clusterRole(role: ClusterRole, args: string[], defaultWebRoot: string): Promise<number> {
  let parsed;
  try {
    parsed = parseClusterArgs(role, args, process.env, defaultWebRoot);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof ReplayError) {
      process.stderr.write(`tickertape: ${error instanceof ReplayError ? replayErrorText(error) : error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (parsed.help) {
    process.stdout.write(role === 'ingest' ? INGEST_USAGE : GATEWAY_USAGE);
    return 0;
  }
  const { config, cluster, replay } = parsed;
  let feed: Feed | undefined;
  try {
    if (replay !== undefined) feed = await openReplay(replay);
  } catch (error) {
    if (error instanceof ReplayError) {
      process.stderr.write(`tickertape: ${replayErrorText(error)}\n`);
      return 2;
    }
    throw error;
  }
  const app = await buildApp({ config, cluster, feed });
  const redis = `${new URL(cluster.redisUrl).host} (prefix ${cluster.prefix})`;
  return serveApp(app, config, (port) =>
    role === 'ingest'
      ? `ingest publishing to Redis ${redis}; probes and metrics on http://localhost:${port}/  (feed: ${app.feed.info.description})`
      : `gateway on http://localhost:${port}/ following Redis ${redis}`,
  );
}
