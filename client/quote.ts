import type { SymbolView } from './symbol-view.js';

/**
 * One symbol's state at one moment, as an immutable value (a SymbolView is the live, mutable one). Values
 * not known yet (no trade so far, no quote) are NaN.
 */
export interface Quote {
  readonly symbol: string;
  /** Last trade price. */
  readonly last: number;
  /** Event time of the last trade (ms since the epoch). */
  readonly time: number;
  readonly bid: number;
  readonly ask: number;
  /** Session (UTC day) open, high, low and volume. */
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly volume: number;
  /** `last - open`. */
  readonly change: number;
  /** `(last - open) / open × 100`. */
  readonly changePct: number;
}

/**
 * Why a quote is told: `snapshot` is the first state of a new subscription, `update` a change the server
 * sent, `recovery` the state restored after a reconnect or a lost frame (it may differ from the last quote
 * in any field).
 */
export type QuoteSource = 'snapshot' | 'update' | 'recovery';

/** A view's current state as an immutable Quote. */
export function quoteOf(view: SymbolView): Quote {
  return {
    symbol: view.symbol,
    last: view.last,
    time: view.time,
    bid: view.bid,
    ask: view.ask,
    open: view.open,
    high: view.high,
    low: view.low,
    volume: view.volume,
    change: view.change,
    changePct: view.changePct,
  };
}
