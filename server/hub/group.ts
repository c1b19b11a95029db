import type { Market } from '../market/market.js';
import type { SymbolState } from '../market/symbol-state.js';
import { Body } from './frames.js';
import type { PieceCache, Piece } from './piece-cache.js';
import { WILDCARD } from './requests.js';
import type { Session, Subscription } from './session.js';

interface Item extends Subscription {
  readonly state: SymbolState;
}

/** The generation after which a connection still needs a symbol's changes, given its tier. */
export type SinceFor = (tier: number) => number;

/**
 * Connections with exactly the same subscriptions. Each flush, the group builds one body (the encoded
 * entries its members are due) and every in-step member's frame reuses it: clients with the same
 * subscriptions share one body, and entries are shared across groups through the PieceCache.
 */
export class Group {
  readonly members = new Set<Session>();
  private readonly explicit: readonly Item[];
  private readonly overrides: ReadonlyMap<SymbolState, Item>;
  private readonly wildcard: Subscription | undefined;
  private readonly tiers: readonly number[];

  constructor(
    readonly key: string,
    subs: ReadonlyMap<string, Subscription>,
    private readonly market: Market,
  ) {
    const explicit: Item[] = [];
    for (const [symbol, sub] of subs) {
      if (symbol === WILDCARD) continue;
      const state = market.get(symbol);
      if (state !== undefined) explicit.push({ state, bars: sub.bars, tier: sub.tier });
    }
    this.explicit = explicit;
    this.overrides = new Map(explicit.map((item) => [item.state, item]));
    this.wildcard = subs.get(WILDCARD);
    this.tiers = [...new Set([...subs.values()].map((sub) => sub.tier))];
  }

  /** Canonical key: two connections with equal keys receive identical update content. */
  static keyOf(subs: ReadonlyMap<string, Subscription>): string {
    const parts = Array.from(subs, ([symbol, sub]) => `${symbol}\u0000${sub.bars ? 1 : 0}\u0000${sub.tier}`);
    return parts.sort().join('\u0001');
  }

  /** Whether any of this group's subscriptions is due an update in generation `gen`. */
  isDue(gen: number): boolean {
    return this.tiers.some((tier) => gen % tier === 0);
  }

  /**
   * The entries due in `gen`, each with what changed after `sinceFor(tier)`. With `all`, every
   * subscription is included whether due or not (a paused connection catching up). `shared`: the body
   * will go to more than one connection (frames.ts joins it once).
   */
  body(gen: number, sinceFor: SinceFor, cache: PieceCache, all: boolean, shared: boolean): Body {
    // A flush's hot loop (every subscription of every group): plain loops, and the since of a tier asked for
    // once per run of equal tiers rather than per item.
    const pieces: Piece[] = [];
    let tier = 0;
    let since = 0;
    if (this.wildcard === undefined) {
      for (const item of this.explicit) {
        if (!all && gen % item.tier !== 0) continue;
        if (item.tier !== tier) since = sinceFor((tier = item.tier));
        const piece = cache.get(item.state, since, item.bars);
        if (piece !== null) pieces.push(piece);
      }
    } else {
      for (const state of this.market.all()) {
        const item = this.overrides.get(state) ?? this.wildcard;
        if (!all && gen % item.tier !== 0) continue;
        if (item.tier !== tier) since = sinceFor((tier = item.tier));
        const piece = cache.get(state, since, item.bars);
        if (piece !== null) pieces.push(piece);
      }
    }
    return new Body(pieces, shared);
  }
}
