/**
 * Log lines for a command that runs a feed without a server (`tickertape record`): one line per event on
 * stderr, readable by a person watching a long recording and by grep:
 *
 *     2026-12-03T17:30:00.123Z warn exchange connection lost: reconnecting venue=binance reconnects=1
 *
 * Levels follow `--log-level` (LOG_LEVEL) as the server's do: `warn` keeps only the warnings, `silent` none.
 */
import type { FeedLog } from '../server/live/feed-log.js';

const LEVEL_RANK: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Number.POSITIVE_INFINITY };

/** A value as it appears after `key=`: bare when it is one word, else quoted as JSON. */
function fieldText(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return typeof value === 'string' && !/^[^\s"=]+$/.test(text) ? JSON.stringify(text) : text;
}

export function formatLine(time: Date, level: string, fields: Readonly<Record<string, unknown>>, message: string): string {
  let line = `${time.toISOString()} ${level} ${message}`;
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) line += ` ${key}=${fieldText(value)}`;
  return `${line}\n`;
}

/** A FeedLog writing lines at or above `level` (a `--log-level` value) with `write`. */
export function lineLog(level: string, write: (line: string) => void = (line) => process.stderr.write(line), now: () => Date = () => new Date()): FeedLog {
  const threshold = LEVEL_RANK[level] ?? LEVEL_RANK['info']!;
  const at =
    (name: 'info' | 'warn') =>
    (fields: Record<string, unknown>, message: string): void => {
      if (LEVEL_RANK[name]! >= threshold) write(formatLine(now(), name, fields, message));
    };
  return { info: at('info'), warn: at('warn') };
}
