/**
 * Every format replay reads, and detection: the first format (in this order) whose test accepts a file's
 * first non-blank lines is used, unless `--format` names one. The order puts specific formats before general
 * ones: a Tardis or Binance header would also pass as a generic CSV.
 */
import { ReplayError } from '../errors.js';
import { binanceCaptureFormat } from './binance-capture.js';
import { binanceAggTradesFormat, binanceTradesFormat } from './binance-csv.js';
import { coinbaseCaptureFormat } from './coinbase-capture.js';
import { csvFormat } from './csv.js';
import { FORMAT_NAMES, type FormatName, type ReplayFormat } from './format.js';
import { tardisFormat } from './tardis.js';
import { tickertapeFormat } from './tickertape.js';

export const FORMATS: readonly ReplayFormat[] = [
  tickertapeFormat,
  binanceCaptureFormat,
  coinbaseCaptureFormat,
  tardisFormat,
  binanceTradesFormat,
  binanceAggTradesFormat,
  csvFormat,
];

export function formatNamed(name: FormatName): ReplayFormat {
  return FORMATS.find((format) => format.name === name)!;
}

/** Lines of a file's start that detection looks at. */
export const DETECTION_LINES = 2;

/** The format of a file whose first non-blank lines are `head`; a ReplayError naming the file if none fits. */
export function detectFormat(head: readonly string[], file: string): ReplayFormat {
  const found = FORMATS.find((format) => format.detect(head));
  if (found !== undefined) return found;
  const first = head[0]!;
  const shown = first.length > 60 ? `${first.slice(0, 57)}...` : first;
  throw new ReplayError(
    'UNKNOWN_FORMAT',
    `unknown format: the first line ${JSON.stringify(shown)} is none of ${FORMAT_NAMES.join(', ')}; name one with --format`,
    file,
    1,
  );
}

export { FORMAT_NAMES, isFormatName, type FormatName, type ReplayFormat } from './format.js';
