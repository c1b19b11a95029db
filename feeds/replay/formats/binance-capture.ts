/**
 * Binance combined-stream WebSocket captures: one message a line, `<local receive time> <json>`, as
 * hftbacktest and most recorders write them (receive time in ns, µs, ms or s since the epoch):
 *
 *     1723161254340863867 {"stream":"ethusdt@trade","data":{"e":"trade","E":1723161255612,"s":"ETHUSDT","t":1520538925,"p":"2683.80000000","q":"0.00200000","T":1723161255611,"m":true,"M":true}}
 *
 * Each message goes through normalizeBinance (feeds/exchanges/binance.ts), the same function the live
 * connector uses, timed by the same BinanceClock. Ticks carry the exchange's time; spot `bookTicker` carries
 * none, so its time is estimated from the receive time (BinanceClock).
 * Depth lines are skipped without parsing their JSON (counted as `depth`); only their `E` is read, for the
 * clock offset.
 */
import { BinanceClock } from '../../exchanges/binance.js';
import { ignored, invalid } from '../../exchanges/normalized.js';
import { EPOCH_UNIT_TO_MS, epochUnitOf } from '../../time.js';
import { decimalAt } from '../decimal.js';
import type { LineParser, ReplayFormat } from './format.js';
import { normalizedMessage } from './json-message.js';

const CAPTURE_LINE = /^\d{9,20}(\.\d+)? \{/;
const DEPTH = ignored('depth');
/** How far into the JSON the stream name is looked for, to skip depth messages unparsed. */
const STREAM_NAME_REACH = 64;

/** The `"E":<ms>` of a depth message, read without parsing its (long) JSON; NaN when absent. */
function depthEventTime(line: string, from: number): number {
  const at = line.indexOf('"E":', from);
  if (at < 0 || at > from + STREAM_NAME_REACH) return Number.NaN;
  let end = at + 4;
  while (end < line.length && line.charCodeAt(end) >= 48 && line.charCodeAt(end) <= 57) end++;
  return end > at + 4 ? Number(line.slice(at + 4, end)) : Number.NaN;
}

function captureParser(): LineParser {
  let divisor = 0;
  const clock = new BinanceClock();
  /** Receive time of the line being read, ms. */
  let receivedMs = 0;
  const normalize = (message: unknown) => clock.normalize(message, receivedMs);
  return {
    parse(line, out) {
      const space = line.indexOf(' ');
      if (space < 0 || line.charCodeAt(space + 1) !== 123) return invalid('not "<receive time> <json>"');
      const received = decimalAt(line, 0, space) ?? Number.NaN;
      if (!(received >= 0)) return invalid('bad receive time', line.slice(0, space));
      if (divisor === 0) divisor = EPOCH_UNIT_TO_MS[epochUnitOf(received)];
      receivedMs = received / divisor;
      const depthAt = line.indexOf('depth', space);
      if (depthAt > 0 && depthAt < space + STREAM_NAME_REACH) {
        // Depth is not read, but its event time still tells the clock offset.
        clock.observe(depthEventTime(line, depthAt), receivedMs);
        return DEPTH;
      }
      if (line.startsWith('{"lastUpdateId"', space + 1)) return DEPTH;
      return normalizedMessage(line.slice(space + 1), normalize, out);
    },
  };
}

export const binanceCaptureFormat: ReplayFormat = {
  name: 'binance-capture',
  title: 'Binance combined-stream WebSocket capture',
  detect: (head) => CAPTURE_LINE.test(head[0]!),
  open: captureParser,
};
