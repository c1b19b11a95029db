/**
 * Coinbase Exchange WebSocket captures as cryptofeed records them: `url <-> time` when the connection opens,
 * `url <- time: {json}` for what was sent, and `time: {json}` for each message received:
 *
 *     1618677817.1295161: {"type":"match","trade_id":280232,"side":"sell","size":"985","price":"0.00001305","product_id":"SKL-BTC","sequence":177100030,"time":"2021-04-17T16:43:37.089723Z", ...}
 *
 * Received messages go through normalizeCoinbase (feeds/exchanges/coinbase.ts), the same function the live
 * connector uses; ticks carry Coinbase's `time`, not the receive time. Opens and sent requests count as
 * `control`; level2 lines are skipped without parsing their JSON (counted as `depth`).
 */
import { normalizeCoinbase } from '../../exchanges/coinbase.js';
import { ignored, invalid } from '../../exchanges/normalized.js';
import type { LineParser, ReplayFormat } from './format.js';
import { normalizedMessage } from './json-message.js';

const RECEIVED = /^\d+(\.\d+)?: \{/;
const CONNECTION = /^wss?:\/\/\S+ <-/;
const CONTROL = ignored('control');
const DEPTH = ignored('depth');

const parser: LineParser = {
  parse(line, out) {
    const colon = line.indexOf(': {');
    if (colon < 0 || !RECEIVED.test(line)) return CONNECTION.test(line) ? CONTROL : invalid('not "<receive time>: <json>"');
    const json = colon + 2;
    if (line.startsWith('{"type":"l2update"', json) || line.startsWith('{"type":"snapshot"', json)) return DEPTH;
    return normalizedMessage(line.slice(json), normalizeCoinbase, out);
  },
};

export const coinbaseCaptureFormat: ReplayFormat = {
  name: 'coinbase-capture',
  title: 'Coinbase Exchange WebSocket capture',
  detect: (head) => RECEIVED.test(head[0]!) || CONNECTION.test(head[0]!),
  open: () => parser,
};
