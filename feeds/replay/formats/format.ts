/**
 * What a replay format is: a name, a test on a file's first lines, and a line parser. Formats are small and
 * mostly declarative; reading, numbering, gzip, windows, ordering checks and error reporting happen once,
 * around them (line-reader.ts, file-ticks.ts).
 */
import type { Ignored, Invalid } from '../../exchanges/normalized.js';
import type { Tick } from '../../tick.js';

export const FORMAT_NAMES = [
  'tickertape',
  'csv',
  'binance-trades',
  'binance-aggtrades',
  'binance-capture',
  'coinbase-capture',
  'tardis',
] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export function isFormatName(value: string): value is FormatName {
  return (FORMAT_NAMES as readonly string[]).includes(value);
}

/** Why a line gave no tick: expected (`ignored`, counted) or bad (`invalid`: an error, or skipped with `--skip-bad`). */
export type LineProblem = Ignored | Invalid;

export interface LineParser {
  /** Reads one non-blank line, pushing its ticks (often one, possibly none) onto `out`. */
  parse(line: string, out: Tick[]): LineProblem | undefined;
}

export interface FormatContext {
  /** The file, for messages. */
  readonly file: string;
  /** `--symbol`: the symbol of a file that names none. */
  readonly symbol: string | undefined;
}

export interface ReplayFormat {
  readonly name: FormatName;
  /** For people: `Binance public-data trades CSV`. */
  readonly title: string;
  /** Whether a file whose first non-blank lines are `head` (at least one) is in this format. */
  detect(head: readonly string[]): boolean;
  /** A parser for one file, set up from its first lines; throws a ReplayError (BAD_HEADER) when it cannot work. */
  open(head: readonly string[], context: FormatContext): LineParser;
}
