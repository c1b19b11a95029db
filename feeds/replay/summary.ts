/** What a pass through the files read, added up over the files, and how it is printed at the end of a replay. */
import { isoTime } from '../time.js';
import type { FileTicks } from './file-ticks.js';
import type { FormatName } from './formats/index.js';

export interface ReplayStats {
  readonly files: readonly { readonly file: string; readonly format: FormatName | undefined; readonly ticks: number }[];
  readonly lines: number;
  readonly ticks: number;
  readonly outside: number;
  readonly symbols: readonly string[];
  /** Lines expected to carry no tick, by reason. */
  readonly ignored: Readonly<Record<string, number>>;
  /** Bad lines skipped with --skip-bad, by reason. */
  readonly skipped: Readonly<Record<string, number>>;
  /** Event time of the first and last tick handed over (NaN if none). */
  readonly firstTime: number;
  readonly lastTime: number;
}

function add(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [reason, count] of Object.entries(from)) into[reason] = (into[reason] ?? 0) + count;
}

export function replayStats(sources: readonly FileTicks[]): ReplayStats {
  const ignored: Record<string, number> = {};
  const skipped: Record<string, number> = {};
  const symbols = new Set<string>();
  let lines = 0;
  let ticks = 0;
  let outside = 0;
  let firstTime = Number.NaN;
  let lastTime = Number.NaN;
  for (const { stats } of sources) {
    lines += stats.lines;
    ticks += stats.ticks;
    outside += stats.outside;
    add(ignored, stats.ignored);
    add(skipped, stats.skipped);
    for (const symbol of stats.symbols) symbols.add(symbol);
    if (!(stats.firstTime >= firstTime)) firstTime = stats.firstTime;
    if (!(stats.lastTime <= lastTime)) lastTime = stats.lastTime;
  }
  return {
    files: sources.map(({ stats }) => ({ file: stats.file, format: stats.format, ticks: stats.ticks })),
    lines,
    ticks,
    outside,
    symbols: [...symbols].sort(),
    ignored,
    skipped,
    firstTime: Number.isNaN(firstTime) ? Number.NaN : firstTime,
    lastTime,
  };
}

function counts(byReason: Readonly<Record<string, number>>): string {
  const entries = Object.entries(byReason).sort(([, a], [, b]) => b - a);
  return entries.length === 0 ? 'none' : entries.map(([reason, count]) => `${count.toLocaleString('en-US')} ${reason}`).join(', ');
}

const MAX_LISTED_SYMBOLS = 12;

/** The end-of-replay summary, a few lines for a terminal. */
/** `1 tick`, `1,200 ticks`: a count with its noun. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}

export function formatSummary(stats: ReplayStats): string {
  const shown = stats.symbols.slice(0, MAX_LISTED_SYMBOLS).join(' ');
  const more = stats.symbols.length > MAX_LISTED_SYMBOLS ? ` (+${stats.symbols.length - MAX_LISTED_SYMBOLS} more)` : '';
  const span = Number.isNaN(stats.firstTime)
    ? 'no ticks'
    : `${isoTime(stats.firstTime)} .. ${isoTime(stats.lastTime)} (${formatDuration(stats.lastTime - stats.firstTime)})`;
  const lines = [
    `ticks:    ${stats.ticks.toLocaleString('en-US')} from ${plural(stats.lines, 'line')}` +
      (stats.outside > 0 ? ` (${stats.outside.toLocaleString('en-US')} outside --from/--to)` : ''),
    `symbols:  ${stats.symbols.length}${shown === '' ? '' : ` ${shown}`}${more}`,
    `span:     ${span}`,
    `ignored:  ${counts(stats.ignored)}`,
    `skipped:  ${counts(stats.skipped)}`,
  ];
  for (const file of stats.files) lines.push(`file:     ${file.file} (${file.format ?? 'unknown format'}): ${plural(file.ticks, 'tick')}`);
  return `${lines.join('\n')}\n`;
}

/** 3723000 → `1 h 2 min 3 s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const parts: string[] = [];
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (hours > 0) parts.push(`${hours} h`);
  if (minutes > 0) parts.push(`${minutes} min`);
  if (seconds % 60 > 0 || parts.length === 0) parts.push(`${seconds % 60} s`);
  return parts.join(' ');
}
