/**
 * Coinbase Exchange WebSocket messages → ticks: `normalizeCoinbase(message)` maps ONE parsed message and is
 * pure, so the live connector and the capture replay share it
 * (https://docs.cdp.coinbase.com/exchange/docs/websocket-channels).
 *
 * - `match` and `last_match` (the last trade before subscribing): a trade at `time`. Coinbase's `side` is
 *   the MAKER's order side, so the taker (the side tickertape reports) is the other one.
 * - `ticker`: a quote (`best_bid`, `best_ask`) at `time`. Its price repeats a trade already sent as a
 *   match, so it is not counted as a trade again.
 * - `l2update` and `snapshot`: ignored as `depth`; `subscriptions`, `heartbeat` and `error` as `control`;
 *   other channels (full, status) as `unsupported`.
 */
import type { Tick } from '../tick.js';
import { parseIsoTime } from '../time.js';
import { coinbaseSymbol } from './symbols.js';
import { ignored, invalid, isFields, positiveDecimal, ticks, type Fields, type Normalized, type StreamPosition } from './normalized.js';

export function normalizeCoinbase(message: unknown): Normalized {
  if (!isFields(message)) return invalid('not a JSON object');
  switch (message['type']) {
    case 'match':
    case 'last_match':
      return match(message);
    case 'ticker':
      return ticker(message);
    case 'l2update':
    case 'snapshot':
      return ignored('depth');
    case 'subscriptions':
    case 'heartbeat':
    case 'error':
      return ignored('control');
    default:
      return ignored('unsupported');
  }
}

/**
 * What orders a message within its product, for gap and duplicate checks on a live connection: a match's
 * `trade_id` (consecutive per product, so a jump is trades missed) or a ticker's `sequence` (increasing, not
 * consecutive: the full channel's numbering). Undefined for other messages.
 */
export function coinbasePosition(message: unknown): StreamPosition | undefined {
  if (!isFields(message)) return undefined;
  const type = message['type'];
  const pair = message['product_id'];
  if (typeof pair !== 'string') return undefined;
  const trade = type === 'match' || type === 'last_match';
  const id = trade ? message['trade_id'] : type === 'ticker' ? message['sequence'] : undefined;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return undefined;
  return { kind: trade ? 'trade' : 'book', pair, id };
}

function symbolAndTime(message: Fields): { symbol: string; ts: number } | Normalized {
  const product = message['product_id'];
  if (typeof product !== 'string' || product.length === 0) return invalid('bad symbol', product);
  const time = message['time'];
  const ts = typeof time === 'string' ? parseIsoTime(time) : Number.NaN;
  if (Number.isNaN(ts)) return invalid('bad time', time);
  return { symbol: coinbaseSymbol(product), ts };
}

function match(message: Fields): Normalized {
  const where = symbolAndTime(message);
  if ('kind' in where) return where;
  const price = positiveDecimal(message['price']);
  if (Number.isNaN(price)) return invalid('bad price', message['price']);
  const size = positiveDecimal(message['size']);
  if (Number.isNaN(size)) return invalid('bad size', message['size']);
  const makerSide = message['side'];
  if (makerSide !== 'buy' && makerSide !== 'sell') return invalid('bad side', makerSide);
  const tick: Tick = { symbol: where.symbol, ts: where.ts, price, size, side: makerSide === 'sell' ? 'buy' : 'sell' };
  return ticks(tick);
}

function ticker(message: Fields): Normalized {
  const where = symbolAndTime(message);
  if ('kind' in where) return where;
  const bid = positiveDecimal(message['best_bid']);
  if (Number.isNaN(bid)) return invalid('bad bid', message['best_bid']);
  const ask = positiveDecimal(message['best_ask']);
  if (Number.isNaN(ask)) return invalid('bad ask', message['best_ask']);
  const tick: Tick = { symbol: where.symbol, ts: where.ts, bid, ask };
  return ticks(tick);
}
