import { BarLedger } from './bar-ledger.js';
import type { ClientEvents } from './events.js';
import { ClientError } from './errors.js';
import type { Bar, SnapshotMessage, UpdateMessage } from './protocol/messages.js';
import { quoteOf, type QuoteSource } from './quote.js';
import { fillMissedBars, forEachLimited, RECOVERY_CONCURRENT_REQUESTS, type Recovery, type RecoveringSymbol } from './recovery.js';
import { SymbolView } from './symbol-view.js';

/** What the store needs from its client. */
export interface StoreHost {
  emit<K extends keyof ClientEvents>(event: K, ...args: ClientEvents[K]): void;
  listened(event: keyof ClientEvents): boolean;
  /** 1 s bars from the server's `history`. */
  history(symbol: string, limit: number, end: number | undefined): Promise<readonly Bar[]>;
  /** Whether the client still subscribes `symbol` (by name or through `*`). */
  wanted(symbol: string): boolean;
}

/** The symbols a recovery round restores; a newer round supersedes it. */
export interface RecoveryRound {
  readonly round: number;
  readonly symbols: readonly string[];
}

/**
 * The client's market: one SymbolView per symbol, merged from snapshots and updates, and what consumers
 * are told about it (`snapshot`, `update`, `quote`, `bar` events). During a recovery it holds each
 * symbol's bar events back until the symbol is whole (recovery.ts), then tells them in time order.
 */
export class SymbolStore {
  private readonly bySymbol = new Map<string, SymbolView>();
  private readonly ledgers = new Map<string, BarLedger>();
  private readonly recovering = new Map<string, RecoveringSymbol & { restored: boolean }>();
  private round = 0;
  /** Reused for each entry's changed bars: most entries carry none, and nothing here keeps the array. */
  private readonly scratch: Readonly<Bar>[] = [];

  constructor(
    private readonly maxBars: number,
    private readonly host: StoreHost,
  ) {}

  view(symbol: string): SymbolView | undefined {
    return this.bySymbol.get(symbol);
  }

  views(): IterableIterator<SymbolView> {
    return this.bySymbol.values();
  }

  /** Drops everything about a symbol no longer subscribed. */
  forget(symbol: string): void {
    this.bySymbol.delete(symbol);
    this.ledgers.delete(symbol);
    this.recovering.delete(symbol);
  }

  /**
   * The market went back in time: forgets which bars were told, so bars from the new position are told as
   * new bars, not as revisions of a future that no longer exists. Views drop their bars: the snapshots that
   * follow bring them back up to the new position, each told as a new bar.
   */
  rewind(): void {
    this.ledgers.clear();
    for (const view of this.bySymbol.values()) view.forgetBars();
  }

  snapshot(message: SnapshotMessage): void {
    const recovering = this.recovering.get(message.symbol);
    let view = this.bySymbol.get(message.symbol);
    const fresh = view === undefined;
    if (view === undefined) {
      view = new SymbolView(message.symbol, this.maxBars);
      this.bySymbol.set(message.symbol, view);
    }
    const changed: Readonly<Bar>[] = [];
    view.restore(message.data, changed);
    if (recovering !== undefined) {
      recovering.restored = true;
      recovering.anchor = message.data.k?.[0]?.[0];
    }
    this.host.emit('snapshot', view, message);
    this.tellQuote(view, fresh ? 'snapshot' : recovering !== undefined ? 'recovery' : 'update');
    this.barsChanged(view, changed);
  }

  update(message: UpdateMessage): void {
    for (const entry of message.updates) {
      let view = this.bySymbol.get(entry.s);
      if (view === undefined) {
        view = new SymbolView(entry.s, this.maxBars);
        this.bySymbol.set(entry.s, view);
      }
      const changed = this.scratch;
      changed.length = 0;
      view.apply(entry, changed);
      this.host.emit('update', view, entry);
      this.tellQuote(view, 'update');
      if (changed.length > 0) this.barsChanged(view, changed);
    }
  }

  private tellQuote(view: SymbolView, source: QuoteSource): void {
    if (this.host.listened('quote')) this.host.emit('quote', quoteOf(view), source);
  }

  private barsChanged(view: SymbolView, changed: readonly Readonly<Bar>[]): void {
    if (changed.length === 0) return;
    const recovering = this.recovering.get(view.symbol);
    if (recovering !== undefined) {
      for (const bar of changed) recovering.dirty.add(bar[0]);
      return;
    }
    this.tellBars(view, changed);
  }

  private tellBars(view: SymbolView, changed: Iterable<Readonly<Bar>>): void {
    let ledger = this.ledgers.get(view.symbol);
    if (ledger === undefined) {
      ledger = new BarLedger(view.symbol);
      this.ledgers.set(view.symbol, ledger);
    }
    for (const event of ledger.apply(changed, view.newestBarTime)) this.host.emit('bar', event);
  }

  /**
   * Starts a recovery round: every subscribed symbol with a view holds its bar events back from now on.
   * A symbol already recovering (the previous round was cut short) keeps what it collected.
   */
  beginRecovery(): RecoveryRound {
    for (const symbol of this.bySymbol.keys()) {
      if (!this.host.wanted(symbol)) continue;
      const recovering = this.recovering.get(symbol);
      if (recovering === undefined) {
        this.recovering.set(symbol, { from: this.ledgers.get(symbol)?.newestTime, dirty: new Set(), anchor: undefined, filled: 0, restored: false });
      } else {
        recovering.restored = false;
        recovering.anchor = undefined;
      }
    }
    return { round: ++this.round, symbols: [...this.recovering.keys()] };
  }

  /**
   * Finishes a round once `restored` settles (every snapshot of the resubscription has arrived): fills the
   * bars each symbol missed, then tells each symbol's held-back bar events in time order. Resolves with what
   * happened, or undefined when a newer round superseded this one; rejects if the connection is lost.
   */
  async recover(reason: Recovery['reason'], since: number, round: RecoveryRound, restored: Promise<unknown>): Promise<Recovery | undefined> {
    await restored;
    if (round.round !== this.round) return undefined;
    const symbols = round.symbols.filter((symbol) => this.recovering.get(symbol)?.restored === true);
    const incomplete: Recovery['incomplete'][number][] = [];
    await forEachLimited(symbols, RECOVERY_CONCURRENT_REQUESTS, async (symbol) => {
      const recovering = this.recovering.get(symbol);
      const view = this.bySymbol.get(symbol);
      if (recovering?.from === undefined || view === undefined) return;
      const { from } = recovering;
      try {
        const outcome = await fillMissedBars(
          from,
          recovering.anchor,
          ({ limit, end }) => this.host.history(symbol, limit, end),
          (bar) => {
            const changed: Readonly<Bar>[] = [];
            view.mergeBar(bar, changed);
            this.barsChanged(view, changed);
            return changed.length > 0;
          },
        );
        recovering.filled += outcome.filled;
        if (outcome.holeUntil !== undefined) incomplete.push({ symbol, after: from, resumedAt: outcome.holeUntil });
      } catch (error) {
        if (error instanceof ClientError && (error.code === 'DISCONNECTED' || error.code === 'CLOSED')) throw error;
        // The server would not fill this one (a timeout, a refusal): tell what there is, flagged.
        incomplete.push({ symbol, after: from, resumedAt: recovering.anchor ?? from });
      }
    });
    if (round.round !== this.round) return undefined;
    let filledBars = 0;
    for (const symbol of symbols) filledBars += this.recovering.get(symbol)?.filled ?? 0;
    for (const symbol of round.symbols) this.finish(symbol);
    return { reason, symbols, filledBars, incomplete, durationMs: Date.now() - since };
  }

  /** Ends a symbol's recovery: tells its held-back bar changes, oldest first. */
  private finish(symbol: string): void {
    const recovering = this.recovering.get(symbol);
    if (recovering === undefined) return;
    this.recovering.delete(symbol);
    const view = this.bySymbol.get(symbol);
    if (view === undefined || recovering.dirty.size === 0) return;
    const changed: Readonly<Bar>[] = [];
    for (const time of [...recovering.dirty].sort((a, b) => a - b)) {
      const bar = view.barAt(time);
      if (bar !== undefined) changed.push(bar);
    }
    this.tellBars(view, changed);
  }
}
