/**
 * The limits an operator can set from the command line or the environment, one row each: the flag, the
 * variable, the `Limits` field it sets and what it means. One table feeds the parser, `--help` and the
 * README, so a limit cannot be settable in one place and undocumented in another.
 */
import type { NumberRule } from '../feeds/number-text.js';
import type { Limits } from './config.js';

export interface LimitFlag {
  readonly flag: string;
  readonly env: string;
  readonly key: keyof Limits;
  readonly help: string;
  /** The limit's unit, for messages and help: `bytes`, `ms`. */
  readonly unit?: string;
}

export const LIMIT_FLAGS: readonly LimitFlag[] = [
  { flag: 'max-frame-bytes', env: 'MAX_INBOUND_FRAME_BYTES', key: 'maxInboundFrameBytes', unit: 'bytes', help: 'largest inbound message in bytes (larger: close 1009)' },
  { flag: 'max-messages-per-s', env: 'MAX_INBOUND_MESSAGES_PER_S', key: 'maxInboundMessagesPerS', help: 'sustained inbound messages per second per connection (over: RATE_LIMITED)' },
  { flag: 'burst-messages', env: 'INBOUND_BURST_MESSAGES', key: 'inboundBurstMessages', help: 'inbound messages a connection may send at once' },
  { flag: 'max-rate-limited', env: 'MAX_RATE_LIMITED_MESSAGES', key: 'maxRateLimitedMessages', help: 'messages dropped for the rate before close 1008' },
  { flag: 'max-symbols-per-connection', env: 'MAX_SYMBOLS_PER_CONNECTION', key: 'maxSymbolsPerConnection', help: 'subscriptions per connection (more: TOO_MANY_SYMBOLS)' },
  { flag: 'max-symbol-length', env: 'MAX_SYMBOL_LENGTH', key: 'maxSymbolLength', help: 'characters in a symbol name (longer: rejected as UNKNOWN_SYMBOL; in history BAD_FIELD)' },
  { flag: 'max-buffered-bytes', env: 'MAX_BUFFERED_BYTES', key: 'maxBufferedBytes', unit: 'bytes', help: 'unsent bytes before a connection is held back' },
  { flag: 'slow-client-timeout-ms', env: 'SLOW_CLIENT_TIMEOUT_MS', key: 'slowClientTimeoutMs', unit: 'ms', help: 'held back this long: close 4000' },
  { flag: 'heartbeat-ms', env: 'HEARTBEAT_INTERVAL_MS', key: 'heartbeatIntervalMs', unit: 'ms', help: 'ping interval; silent for two: terminated' },
  { flag: 'max-connections-per-ip', env: 'MAX_CONNECTIONS_PER_IP', key: 'maxConnectionsPerIp', help: 'open connections per client address (more: 429)' },
  { flag: 'max-connections', env: 'MAX_CONNECTIONS', key: 'maxConnections', help: 'open connections in all (more: 503)' },
  { flag: 'max-flush-busy-percent', env: 'MAX_FLUSH_BUSY_PERCENT', key: 'maxFlushBusyPercent', unit: '%', help: 'share of the flush interval flushing may take before the interval stretches' },
  { flag: 'flush-slices', env: 'FLUSH_SLICES', key: 'flushSlices', help: 'slices a long round of writes is rolled in, one every interval/N ms (1: never)' },
  { flag: 'shutdown-drain-ms', env: 'SHUTDOWN_DRAIN_MS', key: 'shutdownDrainMs', unit: 'ms', help: 'at shutdown, time for clients to close before they are cut off' },
];

/** parseArgs option declarations for every limit flag. */
export function limitFlagOptions(): Record<string, { type: 'string' }> {
  return Object.fromEntries(LIMIT_FLAGS.map((row) => [row.flag, { type: 'string' as const }]));
}

/** A limit flag's rule: a whole number from 1 to `max`, named by its key, its flag and its variable. */
export function limitRule(row: LimitFlag, max: number): NumberRule {
  return { name: row.key, where: `--${row.flag}, ${row.env}`, min: 1, max, whole: true, unit: row.unit };
}

/** Reads one limit flag's number: its text, else its variable's (config.ts's numberFrom with the limit's rule). */
type NumberFrom = (flag: string | undefined, env: string | undefined, row: LimitFlag) => number | undefined;

/** The limits given by flags (over environment variables); absent ones are left to the defaults. */
export function limitsFromFlags(
  values: Readonly<Record<string, string | boolean | undefined>>,
  env: NodeJS.ProcessEnv,
  numberFrom: NumberFrom,
): Partial<Record<keyof Limits, number>> {
  const limits: Partial<Record<keyof Limits, number>> = {};
  for (const row of LIMIT_FLAGS) {
    const flag = values[row.flag];
    const value = numberFrom(typeof flag === 'string' ? flag : undefined, env[row.env], row);
    if (value !== undefined) limits[row.key] = value;
  }
  return limits;
}

/** The `--help` lines for the limit flags, with their defaults and the most each may be. */
export function limitUsage(defaults: Limits, max: Limits): string {
  const column = Math.max(...LIMIT_FLAGS.map((row) => row.flag.length)) + 8;
  return LIMIT_FLAGS.map((row) => {
    const left = `  --${row.flag} N`.padEnd(column);
    return `${left}${row.help}\n${''.padEnd(column)}(${row.env}, default ${defaults[row.key]}, at most ${max[row.key]})\n`;
  }).join('');
}
