/**
 * What this client wants subscribed, and for whom. A symbol may be held by `subscribe()` and by any number
 * of async iterators at once, each with its own options; the server knows one subscription per symbol per
 * connection, so the client sends the union of what the holders asked for (`effectiveOptions`), and
 * unsubscribes only when the last holder lets go.
 */

export type SubscriptionState = 'unsubscribed' | 'subscribing' | 'subscribed';

/** How to subscribe a symbol; the server honours each (docs/protocol.md#subscribe). */
export interface SubscribeOptions {
  /** Carry 1 s bars in snapshots and updates (default true). */
  readonly bars?: boolean;
  /** Send the symbol's current state before its updates (default true). */
  readonly snapshot?: boolean;
  /**
   * Most updates per second for each symbol (Lightstreamer's maxFrequency): updates of one symbol are at
   * least `1000 / maxRate` ms apart by the server's clock, each carrying the latest state; absent = every
   * flush.
   */
  readonly maxRate?: number;
}

/** Anything that holds subscriptions: `subscribe()` uses one token, each async iterator is its own. */
export type Holder = object;

interface Held {
  readonly holders: Map<Holder, SubscribeOptions>;
  state: SubscriptionState;
  /** The options last sent on the current connection; undefined when not sent on it. */
  sent: string | undefined;
}

/** The union of several holders' options: bars if any wants them, the fastest rate any asks for. */
export function effectiveOptions(all: Iterable<SubscribeOptions>): SubscribeOptions {
  let bars = false;
  let snapshot = false;
  let maxRate: number | undefined = 0;
  for (const options of all) {
    bars ||= options.bars !== false;
    snapshot ||= options.snapshot !== false;
    if (options.maxRate === undefined) maxRate = undefined;
    else if (maxRate !== undefined) maxRate = Math.max(maxRate, options.maxRate);
  }
  return maxRate === undefined ? { bars, snapshot } : { bars, snapshot, maxRate };
}

/** The part of the options that changes what the server sends from now on (snapshot is a one-off). */
function wireKey(options: SubscribeOptions): string {
  return `${options.bars === false ? 0 : 1}/${options.maxRate ?? ''}`;
}

/** Held symbols: their holders, state, and what was last sent for them on this connection. */
export class SubscriptionBook {
  private readonly held = new Map<string, Held>();

  symbols(): IterableIterator<string> {
    return this.held.keys();
  }

  has(symbol: string): boolean {
    return this.held.has(symbol);
  }

  state(symbol: string): SubscriptionState {
    return this.held.get(symbol)?.state ?? 'unsubscribed';
  }

  /** Returns the previous state, or undefined when the symbol is not held (nothing to change). */
  setState(symbol: string, state: SubscriptionState): SubscriptionState | undefined {
    const held = this.held.get(symbol);
    if (held === undefined) return undefined;
    const old = held.state;
    held.state = state;
    return old;
  }

  options(symbol: string): SubscribeOptions | undefined {
    const held = this.held.get(symbol);
    return held === undefined ? undefined : effectiveOptions(held.holders.values());
  }

  /** The options `holder` asked for `symbol`. */
  optionsOf(symbol: string, holder: Holder): SubscribeOptions | undefined {
    return this.held.get(symbol)?.holders.get(holder);
  }

  hold(symbol: string, holder: Holder, options: SubscribeOptions): void {
    let held = this.held.get(symbol);
    if (held === undefined) {
      held = { holders: new Map(), state: 'unsubscribed', sent: undefined };
      this.held.set(symbol, held);
    }
    held.holders.set(holder, options);
  }

  /** Lets go of `symbol` for `holder`. True when nobody holds it any more (it was forgotten). */
  release(symbol: string, holder: Holder): boolean {
    const held = this.held.get(symbol);
    if (held === undefined) return false;
    held.holders.delete(holder);
    if (held.holders.size > 0) return false;
    this.held.delete(symbol);
    return true;
  }

  /** Forgets a symbol whatever holds it (the server refused it). */
  drop(symbol: string): void {
    this.held.delete(symbol);
  }

  /** Whether what the server was last sent for `symbol` on this connection differs from what is wanted. */
  needsSending(symbol: string): boolean {
    const held = this.held.get(symbol);
    return held !== undefined && held.sent !== wireKey(effectiveOptions(held.holders.values()));
  }

  markSent(symbol: string): void {
    const held = this.held.get(symbol);
    if (held !== undefined) held.sent = wireKey(effectiveOptions(held.holders.values()));
  }

  /** What was sent for `symbol` got no answer (or a refusal to retry): it needs sending again. */
  unsent(symbol: string): void {
    const held = this.held.get(symbol);
    if (held !== undefined) held.sent = undefined;
  }

  /** A new connection: nothing has been sent on it yet. */
  forgetSent(): void {
    for (const held of this.held.values()) held.sent = undefined;
  }
}
