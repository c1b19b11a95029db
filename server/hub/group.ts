import type { Market } from '../market/market.js';
import type { SymbolState } from '../market/symbol-state.js';
import { Body } from './frames.js';
import { inStepKey, type KeyList, type PieceCache } from './piece-cache.js';
import { WILDCARD } from './requests.js';
import type { Session, Subscription } from './session.js';

/** The generation after which a connection still needs a symbol's changes, given its tier. */
export type SinceFor = (tier: number) => number;

/**
 * Connections with exactly the same subscriptions. Each flush, the group builds one body (the encoded
 * entries its members are due) and every in-step member's frame reuses it: clients with the same
 * subscriptions share one body, and entries are shared across groups through the PieceCache.
 *
 * A group is also where its members' subscriptions are kept, once, compactly: an idle connection's memory
 * is mostly this (issue 6 holds it to 1.2x a plain `ws` server's), so explicit symbols are their market
 * indices, two bytes each in one string, and, in the usual case of one subscribe request's options for all,
 * one shared Subscription.
 */
export class Group {
  readonly members = new Set<Session>();
  /**
   * Explicitly subscribed symbols, in market order: the character codes are their market indices
   * (SymbolState.index; config.ts holds the market to 65,536 symbols). Indices, not the states: a flush
   * reads them for every group, and a flat string is read with no object to follow per symbol, in a quarter
   * of the memory of an array of states (an Uint16Array, with its buffer, took more than the array).
   */
  private readonly indices: string;
  /** The subscription of each of `indices`: one object when they all share it. */
  private readonly subscriptions: Subscription | readonly Subscription[];
  private readonly wildcard: Subscription | undefined;
  /** Explicit subscriptions by state, for a wildcard group's flushes; made when first needed. */
  private overrides: Map<SymbolState, Subscription> | undefined;
  private readonly tiers: readonly number[];

  constructor(
    readonly key: string,
    subs: ReadonlyMap<string, Subscription>,
    private readonly market: Market,
  ) {
    const items: { state: SymbolState; sub: Subscription }[] = [];
    for (const [symbol, sub] of subs) {
      if (symbol === WILDCARD) continue;
      const state = market.get(symbol);
      if (state !== undefined) items.push({ state, sub });
    }
    items.sort((x, y) => x.state.index - y.state.index);
    this.indices = String.fromCharCode(...items.map((item) => item.state.index));
    const first = items[0]?.sub;
    this.subscriptions = items.every((item) => item.sub === first) && first !== undefined ? first : items.map((item) => item.sub);
    this.wildcard = subs.get(WILDCARD);
    this.tiers = [...new Set([...subs.values()].map((sub) => sub.tier))];
  }

  /**
   * Canonical key: two connections with equal keys receive identical update content. Symbols are named
   * by their index in the market, one UTF-16 unit each (the market holds at most 10,000), grouped by
   * subscription options, so a key costs about two bytes per symbol.
   */
  static keyOf(subs: ReadonlyMap<string, Subscription>, market: Market): string {
    const classes = new Map<string, number[]>();
    for (const [symbol, sub] of subs) {
      const options = `${sub.bars ? 'b' : 'n'}${sub.tier}`;
      let indices = classes.get(options);
      if (indices === undefined) classes.set(options, (indices = []));
      // The wildcard sorts first as -1; a symbol unknown to the market is never subscribed.
      indices.push(symbol === WILDCARD ? -1 : (market.get(symbol)?.index ?? -2));
    }
    const parts = Array.from(classes, ([options, indices]) => {
      indices.sort((x, y) => x - y);
      const wildcard = indices[0] === -1 ? WILDCARD : '';
      return `${options}${wildcard}:${String.fromCharCode(...indices.filter((index) => index >= 0))}`;
    });
    return parts.sort().join('|');
  }

  /** The subscriptions, symbol by symbol: a copy for changing them (the changed set makes a new group). */
  subscriptionMap(): Map<string, Subscription> {
    const map = new Map<string, Subscription>();
    if (this.wildcard !== undefined) map.set(WILDCARD, this.wildcard);
    for (let i = 0; i < this.indices.length; i++) map.set(this.stateAt(i).symbol, this.subscriptionAt(i));
    return map;
  }

  /** The state of the i-th explicit symbol. */
  private stateAt(i: number): SymbolState {
    return this.market.stateAt(this.indices.charCodeAt(i));
  }

  private subscriptionAt(i: number): Subscription {
    const subscriptions = this.subscriptions;
    return Array.isArray(subscriptions) ? (subscriptions as readonly Subscription[])[i]! : (subscriptions as Subscription);
  }

  /** Whether any of this group's subscriptions is due an update in round `step` (hub.ts: a tier-k one every k-th). */
  isDue(step: number): boolean {
    for (const tier of this.tiers) if (step % tier === 0) return true;
    return false;
  }

  /**
   * The entries due in round `step`, each with what changed after `sinceFor(tier)`. With `all`, every
   * subscription is included whether due or not (a paused connection catching up). `shared`: the body
   * will go to more than one connection (frames.ts joins it once).
   *
   * The pieces' keys (piece-cache.ts) are written into `into` from index 0 (its later slots are stale): a
   * flush reuses one list for every group rather than allocating one per connection, so the body is valid
   * until `into` is passed again.
   */
  body(step: number, sinceFor: SinceFor, cache: PieceCache, all: boolean, shared: boolean, into: KeyList): Body {
    // A flush's hot loop (every subscription of every group): plain loops over numbers, and the since of a
    // tier asked for once per run of equal tiers rather than per item.
    const market = this.market;
    const indices = this.indices;
    let count = 0;
    let bytes = 0;
    let tier = 0;
    let since = 0;
    const subscriptions = this.subscriptions;
    if (this.wildcard === undefined && !Array.isArray(subscriptions)) {
      // The usual group: one subscription for every symbol, so one tier, one since, one bars.
      const sub = subscriptions as Subscription;
      const keys = into.reserve(indices.length);
      if (!all && step % sub.tier !== 0) return new Body(cache, keys, 0, 0, shared);
      since = sinceFor(sub.tier);
      const bars = sub.bars;
      const sizes = cache.inStepSizes(since);
      if (sizes !== undefined) {
        // Keys and byte lengths of the in-step pieces, from the cache's table (piece-cache.ts).
        for (let i = 0; i < indices.length; i++) {
          const key = inStepKey(indices.charCodeAt(i), bars);
          let size = sizes[key]!;
          if (size === 0) size = cache.fillInStep(this.stateAt(i), bars);
          if (size > 0) {
            keys[count++] = key;
            bytes += size;
          }
        }
      } else {
        for (let i = 0; i < indices.length; i++) {
          const key = cache.key(this.stateAt(i), since, bars);
          if (key !== undefined) {
            keys[count++] = key;
            bytes += cache.size(key);
          }
        }
      }
      return new Body(cache, keys, count, bytes, shared);
    }
    if (this.wildcard === undefined) {
      const keys = into.reserve(indices.length);
      for (let i = 0; i < indices.length; i++) {
        const sub = this.subscriptionAt(i);
        if (!all && step % sub.tier !== 0) continue;
        if (sub.tier !== tier) since = sinceFor((tier = sub.tier));
        const key = cache.key(this.stateAt(i), since, sub.bars);
        if (key !== undefined) {
          keys[count++] = key;
          bytes += cache.size(key);
        }
      }
      return new Body(cache, keys, count, bytes, shared);
    }
    const keys = into.reserve(market.size);
    if (this.overrides === undefined) {
      this.overrides = new Map();
      for (let i = 0; i < indices.length; i++) this.overrides.set(this.stateAt(i), this.subscriptionAt(i));
    }
    for (const state of market.all()) {
      const sub = this.overrides.get(state) ?? this.wildcard;
      if (!all && step % sub.tier !== 0) continue;
      if (sub.tier !== tier) since = sinceFor((tier = sub.tier));
      const key = cache.key(state, since, sub.bars);
      if (key !== undefined) {
        keys[count++] = key;
        bytes += cache.size(key);
      }
    }
    return new Body(cache, keys, count, bytes, shared);
  }
}
