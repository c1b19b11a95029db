/** A replay's options, their defaults and limits, and the one place they are validated. */
import { isSymbolName, SYMBOL_NAME_RULE } from '../../client/protocol/messages.js';
import { numberIn } from '../number-text.js';
import { timestampParser } from '../time.js';
import type { Clock } from './clock.js';
import { ReplayError } from './errors.js';
import { FORMAT_NAMES, isFormatName, type FormatName } from './formats/index.js';
import type { LineReaderOptions } from './line-reader.js';

/**
 * How far (ms) a tick's event time may lie behind the newest already read from the same file before the
 * line is refused as out of order. Real captures are not sorted by event time: Coinbase sends `last_match`
 * and `ticker` for each product on subscribing, stamped with that product's last trade (107 s old in the
 * sample capture); feeds merged by receive time interleave a little. Within the tolerance a late tick is
 * replayed at once and lands in its own bar (bars are arrival-order independent); beyond it the file is
 * probably not in time order at all, and pacing by it would make no sense.
 */
export const MAX_OUT_OF_ORDER_MS = 5 * 60_000;
/** Slowest and fastest paced speed, as multiples of real time (`max` is unpaced). */
export const MIN_REPLAY_SPEED = 0.1;
export const MAX_REPLAY_SPEED = 100_000;
export const DEFAULT_REPLAY_SPEED = 1;
/** Files one replay merges at most (each holds an open file and one batch of ticks). */
export const MAX_REPLAY_FILES = 64;

/** A multiple of real time, or `max`: as fast as the machine goes. */
export type ReplaySpeed = number | 'max';

export interface ReplayOptions {
  readonly files: readonly string[];
  /** Read every file as this format; default: detect each from its first lines. */
  readonly format?: FormatName;
  /** Symbol for files that name none (a Binance trades CSV, a CSV with no symbol column). */
  readonly symbol?: string;
  readonly speed?: ReplaySpeed;
  /** Replay only ticks at or after this event time (ms since the epoch). */
  readonly from?: number;
  /** Replay only ticks before this event time (ms since the epoch). */
  readonly to?: number;
  /** Start again from the beginning after the end. */
  readonly loop?: boolean;
  /** Count and skip bad lines instead of stopping at the first. */
  readonly skipBad?: boolean;
  /** Start paused at the first tick. */
  readonly paused?: boolean;
  readonly maxOutOfOrderMs?: number;
  /** Test hook: the wall clock pacing follows. */
  readonly clock?: Clock;
  /** Test hooks: line cap, chunk size. */
  readonly reader?: LineReaderOptions;
}

export interface ResolvedReplayOptions {
  readonly files: readonly string[];
  readonly format: FormatName | undefined;
  readonly symbol: string | undefined;
  readonly speed: ReplaySpeed;
  readonly from: number;
  readonly to: number;
  readonly loop: boolean;
  readonly skipBad: boolean;
  readonly paused: boolean;
  readonly maxOutOfOrderMs: number;
  readonly clock: Clock | undefined;
  readonly reader: LineReaderOptions | undefined;
}

function bad(message: string): ReplayError {
  return new ReplayError('BAD_OPTION', message);
}

export function isReplaySpeed(value: unknown): value is ReplaySpeed {
  return value === 'max' || (typeof value === 'number' && value >= MIN_REPLAY_SPEED && value <= MAX_REPLAY_SPEED);
}

export const SPEED_RULE = `a number from ${MIN_REPLAY_SPEED} to ${MAX_REPLAY_SPEED} (times real time) or "max"`;

/** `--speed` text: `10`, `10x`, `0.5`, `max` (the number plain decimal: feeds/number-text.ts). */
export function parseSpeed(text: string): ReplaySpeed {
  const lower = text.toLowerCase();
  const speed = lower === 'max' ? 'max' : numberIn(lower.replace(/x$/, ''), { name: '--speed', min: MIN_REPLAY_SPEED, max: MAX_REPLAY_SPEED, whole: false });
  if (speed === undefined) throw bad(`--speed must be ${SPEED_RULE}, got "${text}"`);
  return speed;
}

/**
 * A date, or a date and a time to the minute, as people type them on a command line (ISO-8601's reduced
 * precision): `2024-08-09`, `2024-08-09 00:05`, `2024-08-09T00:05+02:00`. Files are held to whole seconds;
 * a flag may name a minute or a day.
 */
const TO_THE_MINUTE = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * `--from`/`--to` (and `record --start`) text: ISO-8601 to the second (a fraction and a zone allowed), the
 * minute or the day, with a `T` or a space, UTC unless a zone is given; or epoch s/ms/µs/ns. ms since the epoch.
 */
export function parseTimeOption(flag: string, text: string): number {
  const trimmed = text.trim();
  const short = TO_THE_MINUTE.exec(trimmed);
  const full = short === null ? trimmed : `${short[1]}T${short[2] ?? '00:00'}:00${short[3] ?? ''}`;
  const time = timestampParser(full)?.(full) ?? Number.NaN;
  if (Number.isNaN(time)) {
    throw bad(
      `${flag} must be a time such as 2024-08-09T00:05:00Z, 2024-08-09 00:05 or 2024-08-09 (ISO-8601, UTC unless a zone such as +02:00 is given), or epoch s, ms, µs or ns, got "${text}"`,
    );
  }
  return time;
}

export function resolveReplayOptions(options: ReplayOptions): ResolvedReplayOptions {
  const { files } = options;
  if (!Array.isArray(files) || files.length === 0) throw bad('name at least one file to replay');
  if (files.length > MAX_REPLAY_FILES) throw bad(`at most ${MAX_REPLAY_FILES} files at once, got ${files.length}`);
  if (options.format !== undefined && !isFormatName(options.format)) {
    throw bad(`--format must be one of ${FORMAT_NAMES.join(', ')}, got "${String(options.format)}"`);
  }
  if (options.symbol !== undefined && !isSymbolName(options.symbol)) {
    throw bad(`--symbol must be ${SYMBOL_NAME_RULE}, got "${options.symbol}"`);
  }
  const speed = options.speed ?? DEFAULT_REPLAY_SPEED;
  if (!isReplaySpeed(speed)) throw bad(`speed must be ${SPEED_RULE}, got ${String(speed)}`);
  const from = options.from ?? Number.NEGATIVE_INFINITY;
  const to = options.to ?? Number.POSITIVE_INFINITY;
  if (Number.isNaN(from) || Number.isNaN(to) || !(from < to)) throw bad('--from must be before --to');
  const maxOutOfOrderMs = options.maxOutOfOrderMs ?? MAX_OUT_OF_ORDER_MS;
  if (!(maxOutOfOrderMs >= 0 && Number.isFinite(maxOutOfOrderMs))) throw bad(`maxOutOfOrderMs must be ≥ 0, got ${maxOutOfOrderMs}`);
  return {
    files: [...files],
    format: options.format,
    symbol: options.symbol,
    speed,
    from,
    to,
    loop: options.loop ?? false,
    skipBad: options.skipBad ?? false,
    paused: options.paused ?? false,
    maxOutOfOrderMs,
    clock: options.clock,
    reader: options.reader,
  };
}
