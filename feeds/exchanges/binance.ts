/**
 * Binance WebSocket messages → ticks: `normalizeBinance(message)` maps ONE parsed message, raw (`{e: ...}`)
 * or from a combined stream (`{stream, data}`), and is pure, so the live connector and the capture replay
 * share it (https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams).
 *
 * - `trade` and `aggTrade`: a trade at the trade time `T`; `m` true means the buyer was the maker, so the
 *   taker (the side tickertape reports) sold.
 * - `bookTicker`: a quote. Spot bookTicker carries no time at all; futures' carries `T`/`E`. Without one the
 *   caller's `fallbackTime` is used (the capture reader passes receive time corrected for clock skew).
 * - `depthUpdate` and REST depth snapshots: ignored as `depth`; subscription answers as `control`; any other
 *   event as `unsupported`.
 */
import type { Tick } from '../tick.js';
import { binanceSymbol } from './symbols.js';
import { epochMs, ignored, invalid, isFields, positiveDecimal, ticks, type Fields, type Normalized, type StreamPosition } from './normalized.js';

export function normalizeBinance(message: unknown, fallbackTime?: number): Normalized {
  if (!isFields(message)) return invalid('not a JSON object');
  const data = typeof message['stream'] === 'string' && isFields(message['data']) ? message['data'] : message;
  const event = data['e'];
  switch (event) {
    case 'trade':
    case 'aggTrade':
      return trade(data);
    case 'bookTicker':
      return bookTicker(data, fallbackTime);
    case 'depthUpdate':
      return ignored('depth');
    case undefined:
      // Spot bookTicker has no `e`: it is recognised by its fields.
      if ('b' in data && 'a' in data && 'u' in data && 's' in data) return bookTicker(data, fallbackTime);
      if ('lastUpdateId' in data) return ignored('depth');
      if ('result' in data || 'id' in data) return ignored('control');
      return ignored('unsupported');
    default:
      return ignored('unsupported');
  }
}

/**
 * When Binance sent a message (`E`, else the trade or transaction time `T`), for estimating the clock
 * difference between Binance and the machine that received it; NaN when the message says nothing.
 */
export function binanceEventTime(message: unknown): number {
  if (!isFields(message)) return Number.NaN;
  const data = isFields(message['data']) ? message['data'] : message;
  const time = data['E'] ?? data['T'];
  return epochMs(time);
}

/**
 * Times messages that carry none (spot `bookTicker`): the receive time shifted by the latest (event time −
 * receive time) seen on a message that has one, which takes out the receiving machine's clock error and the
 * network delay and keeps quotes in step with trades. One per connection or capture file; the capture reader
 * and the live connector both normalize through it, so a recorded session replays exactly as it streamed.
 */
export class BinanceClock {
  /** Latest event time − receive time, ms. */
  private skewMs = 0;

  /** Notes a message's event time (NaN: none) and when it was received (ms). */
  observe(eventTime: number, receivedMs: number): void {
    if (!Number.isNaN(eventTime)) this.skewMs = eventTime - receivedMs;
  }

  /** normalizeBinance, with time for untimed messages estimated from `receivedMs`. */
  normalize(message: unknown, receivedMs: number): Normalized {
    this.observe(binanceEventTime(message), receivedMs);
    return normalizeBinance(message, receivedMs + this.skewMs);
  }
}

/**
 * What orders a message within its stream, for gap and duplicate checks on a live connection: a trade's id
 * (`t`; `a` for aggTrade: consecutive per symbol, so a jump is trades missed) or a bookTicker's update id
 * (`u`: increasing, not consecutive). Undefined for other messages.
 */
export function binancePosition(message: unknown): StreamPosition | undefined {
  if (!isFields(message)) return undefined;
  const data = isFields(message['data']) ? message['data'] : message;
  const pair = data['s'];
  if (typeof pair !== 'string') return undefined;
  const event = data['e'];
  const id = event === 'trade' ? data['t'] : event === 'aggTrade' ? data['a'] : event === 'bookTicker' || event === undefined ? data['u'] : undefined;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return undefined;
  return { kind: event === 'trade' || event === 'aggTrade' ? 'trade' : 'book', pair, id };
}

function symbolOf(data: Fields): string | undefined {
  const pair = data['s'];
  return typeof pair === 'string' && pair.length > 0 ? binanceSymbol(pair) : undefined;
}

function trade(data: Fields): Normalized {
  const symbol = symbolOf(data);
  if (symbol === undefined) return invalid('bad symbol', data['s']);
  const ts = epochMs(data['T']);
  if (Number.isNaN(ts)) return invalid('bad time', data['T']);
  const price = positiveDecimal(data['p']);
  if (Number.isNaN(price)) return invalid('bad price', data['p']);
  const size = positiveDecimal(data['q']);
  if (Number.isNaN(size)) return invalid('bad size', data['q']);
  const maker = data['m'];
  if (typeof maker !== 'boolean') return invalid('bad side', maker);
  const tick: Tick = { symbol, ts, price, size, side: maker ? 'sell' : 'buy' };
  return ticks(tick);
}

function bookTicker(data: Fields, fallbackTime: number | undefined): Normalized {
  const symbol = symbolOf(data);
  if (symbol === undefined) return invalid('bad symbol', data['s']);
  const stamped = data['T'] ?? data['E'];
  const ts = stamped === undefined ? (fallbackTime ?? Number.NaN) : epochMs(stamped);
  if (Number.isNaN(ts)) return invalid(stamped === undefined ? 'no time' : 'bad time', stamped);
  const bid = positiveDecimal(data['b']);
  if (Number.isNaN(bid)) return invalid('bad bid', data['b']);
  const ask = positiveDecimal(data['a']);
  if (Number.isNaN(ask)) return invalid('bad ask', data['a']);
  const tick: Tick = { symbol, ts, bid, ask };
  return ticks(tick);
}
