/**
 * The one seam every market-data source plugs into: a feed is an async iterable of normalized ticks.
 * The simulator, file replay and live exchange connectors all yield exactly these types, so the rest of the
 * system (market state, hub, protocol) never knows where a tick came from (tardis-node's replay()/stream()).
 */

/** Liquidity taker side (the aggressor), not the resting maker order's side. */
export type Side = 'buy' | 'sell';

export type AssetClass = 'equity' | 'crypto' | 'other';

/**
 * One market event for one symbol. A trade carries `price` and `size`; a quote-only event (a top-of-book
 * change with no trade) carries `bid` and/or `ask` and no `price`. A trade may also carry the quote that
 * stood after it.
 */
export interface Tick {
  /** tickertape symbol, e.g. `AAPL`, `BTC-USD`. */
  readonly symbol: string;
  /** Event time: when the venue says it happened, in ms since the Unix epoch (may be fractional). */
  readonly ts: number;
  /** Trade price, in quote currency. Absent on a quote-only tick. */
  readonly price?: number;
  /** Trade size in base units (shares, coins); > 0 whenever `price` is present. */
  readonly size?: number;
  readonly side?: Side;
  /** Best bid after this event. */
  readonly bid?: number;
  /** Best ask after this event. */
  readonly ask?: number;
}

/** What a symbol is: served by `GET /api/symbols` and the protocol's `list` request. */
export interface Instrument {
  readonly symbol: string;
  readonly name: string;
  readonly assetClass: AssetClass;
  /** Currency prices are quoted in, e.g. `USD`, `USDT`. */
  readonly currency: string;
  /** Minimum price increment. */
  readonly tickSize: number;
}

export type FeedKind = 'simulated' | 'replay' | 'live';

export interface FeedInfo {
  readonly kind: FeedKind;
  /** One line for people: what is being played, e.g. `simulator seed=42, 2000 ticks/s, 60 symbols`. */
  readonly description: string;
}

export interface Feed extends AsyncIterable<Tick> {
  readonly info: FeedInfo;
  /** Instruments known before the first tick. Symbols first seen in ticks are added with defaults. */
  readonly instruments: readonly Instrument[];
}

/**
 * A feed's iterator that can also hand over a tick already due without a promise: its consumer takes what is
 * due in a plain loop and awaits `next()` only to wait for more (server/market/feed-runner.ts). A promise and
 * a resumed async function per tick cost more than applying the tick at 200,000 ticks a second.
 */
export interface DueTicks {
  /** The tick `next()` would resolve with at once, taken; undefined when it would have to wait. */
  takeDue(): Tick | undefined;
}

export function hasDueTicks(iterator: object): iterator is DueTicks {
  return typeof (iterator as Partial<DueTicks>).takeDue === 'function';
}

/** Why a tick was refused; the market keeps running and counts it. */
export type TickProblem =
  | 'symbol'
  | 'time'
  | 'price'
  | 'size'
  | 'quote'
  | 'empty';

/**
 * Checks a tick from any source. Returns the problem, or undefined when the tick is usable. Kept separate from
 * the readers so every source is held to one definition of "a valid tick".
 */
export function tickProblem(tick: Tick): TickProblem | undefined {
  if (typeof tick.symbol !== 'string' || tick.symbol.length === 0) return 'symbol';
  if (!Number.isFinite(tick.ts) || tick.ts < 0) return 'time';
  const { price, size, bid, ask } = tick;
  if (price !== undefined) {
    if (!Number.isFinite(price) || price <= 0) return 'price';
    if (size === undefined || !Number.isFinite(size) || size <= 0) return 'size';
  } else if (size !== undefined) {
    return 'price';
  }
  if (bid !== undefined && (!Number.isFinite(bid) || bid <= 0)) return 'quote';
  if (ask !== undefined && (!Number.isFinite(ask) || ask <= 0)) return 'quote';
  if (price === undefined && bid === undefined && ask === undefined) return 'empty';
  return undefined;
}

/**
 * What is wrong with a tick tickProblem() refused, said with the value and the rule (`-3 (a price must be
 * above 0)`), for a FILE:LINE message; undefined for `empty`, whose name says it all.
 */
export function tickProblemDetail(tick: Tick, problem: TickProblem): string | undefined {
  switch (problem) {
    case 'symbol':
      return `${JSON.stringify(tick.symbol ?? '')} (a tick needs a symbol)`;
    case 'time':
      return `${tick.ts} (a time is milliseconds since 1970, 0 or later)`;
    case 'price':
      return tick.price === undefined ? `none, with a size of ${tick.size} (a trade needs a price above 0)` : `${tick.price} (a price must be above 0)`;
    case 'size':
      return tick.size === undefined ? `none (a trade needs a size above 0)` : `${tick.size} (a size must be above 0)`;
    case 'quote': {
      const [side, value] = tick.bid !== undefined && !(tick.bid > 0 && Number.isFinite(tick.bid)) ? ['bid', tick.bid] : ['ask', tick.ask];
      return `${side} ${value} (a bid or ask must be above 0)`;
    }
    case 'empty':
      return undefined;
  }
}

/** What a feed made by throughStage() does with each tick on its way. */
export interface TickStage {
  /** A tick on its way: true passes it on, false drops it. */
  admit(tick: Tick): boolean;
  /**
   * What to wait for before the next tick may be taken (a recording's disk catching up), or undefined when
   * nothing. While there is something, takeDue() hands nothing over and next() waits for it first.
   */
  hold?(): Promise<void> | undefined;
  /** After the feed has stopped (return()). */
  close?(): Promise<void>;
}

/**
 * `feed` with each tick handed to `stage` on its way (a filter, a recorder), keeping what the feed's
 * iterator can do: takeDue() when it has it (DueTicks: without it, a wrapped simulator would cost the
 * server a promise and a resumed async function per tick), and a return() that reaches the feed at once,
 * even while a next() waits for its next tick (an async generator's return() would wait for that next()).
 *
 * Everything else is the feed's own, read through to it: a live feed's `live` status (isLiveFeed) stays
 * what the server reports, recorded or not.
 */
export function throughStage(feed: Feed, stage: TickStage): Feed {
  const staged: Feed = Object.create(feed) as Feed;
  return Object.defineProperty(staged, Symbol.asyncIterator, {
    enumerable: true,
    value(): AsyncIterator<Tick> {
      const ticks = feed[Symbol.asyncIterator]();
      const iterator: AsyncIterator<Tick> & Partial<DueTicks> = {
        async next() {
          for (;;) {
            const held = stage.hold?.();
            if (held !== undefined) await held;
            const result = await ticks.next();
            if (result.done === true || stage.admit(result.value)) return result;
          }
        },
        async return() {
          const result = (await ticks.return?.()) ?? { value: undefined, done: true };
          await stage.close?.();
          return result;
        },
      };
      if (hasDueTicks(ticks)) {
        iterator.takeDue = () => {
          if (stage.hold?.() !== undefined) return undefined;
          for (let tick = ticks.takeDue(); tick !== undefined; tick = ticks.takeDue()) if (stage.admit(tick)) return tick;
          return undefined;
        };
      }
      return iterator;
    },
  });
}
