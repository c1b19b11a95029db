import { SYMBOL_NAME_RULE, isSymbolName } from '../../../client/index.js';
import { ChartFeed, type ChartInterval } from './chart-feed.svelte.js';
import { Market, type MarketOptions } from './market.svelte.js';
import { ReplayControls } from './replay.svelte.js';
import { FeedHealth } from './feed-health.svelte.js';
import { loadLayout, saveLayout } from './saved-layout.js';
import { Watchlist } from './watchlist.svelte.js';

/** Symbols watched when the server has none of the saved ones. */
const SERVER_SYMBOLS_SHOWN = 16;
/**
 * How long a selection must stay put before the network hears of it (the chart's subscription with bars and
 * its history): a held arrow key moves the selection 20-30 times a second, and only where it stops loads.
 */
export const SELECTION_SETTLE_MS = 200;

export interface DashboardOptions extends MarketOptions {
  /** Where the layout persists; undefined: nowhere. */
  readonly storage: Storage | undefined;
}

/**
 * The whole dashboard's state: one market connection, the watchlist, and the chart of the selected row.
 * Every user action goes through here so subscriptions, chart and saved layout stay in step.
 */
export class Dashboard {
  readonly market: Market;
  readonly watchlist: Watchlist;
  readonly chart: ChartFeed;
  /** Pause, speed and seek, when the server replays recorded data. */
  readonly replay: ReplayControls;
  /** Stale and gap marks per symbol, when the server's feed is live. */
  readonly health: FeedHealth;
  /** The charted symbol: a listed one, or none when the list is empty. */
  selected = $state<string | undefined>(undefined);

  private readonly storage: Storage | undefined;
  /** A selection change whose subscriptions are not sent yet (they wait for the selection to settle). */
  private resubscribeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: DashboardOptions) {
    this.storage = options.storage;
    this.market = new Market(options);
    this.watchlist = new Watchlist(this.market.client, this.market.directory);
    // The chart's subscription goes out before its history is asked for, so its live bars follow on.
    this.chart = new ChartFeed(this.market.client, { settleMs: SELECTION_SETTLE_MS, beforeLoad: () => this.flushResubscribe() });
    this.replay = new ReplayControls(this.market.client);
    this.health = new FeedHealth(this.market.client);
    // A replay that went back in time voids the chart's bars: load them again (snapshots fix the rows).
    this.replay.onRewind(() => this.chart.reload());
    // A new connection, perhaps to another server: symbols refused before are asked for again (the client
    // forgot them), at once and again once the server's instrument list is in.
    this.market.client.on('hello', () => {
      this.retryRefused();
      void this.market.directory.load().then(() => {
        this.watchServerSymbols();
        this.retryRefused();
      });
    });
    const layout = loadLayout(this.storage);
    this.watchlist.set(layout.symbols);
    this.selected = layout.selected;
    this.chart.show(this.selected, layout.interval);
    this.resubscribe();
  }

  start(): void {
    this.market.start();
  }

  stop(): void {
    clearTimeout(this.resubscribeTimer);
    this.replay.dispose();
    this.health.dispose();
    this.chart.dispose();
    this.watchlist.dispose();
    this.market.stop();
  }

  /** Why the last symbol offered to add() was refused (not a symbol name); cleared by the next add. */
  addError = $state<string | undefined>(undefined);

  /** Adds a symbol to the watchlist (once); true if it was added. A name that is no symbol name is refused. */
  add(symbol: string): boolean {
    this.addError = isSymbolName(symbol) ? undefined : `"${symbol}" is not a symbol name (${SYMBOL_NAME_RULE})`;
    if (this.addError !== undefined || !this.watchlist.add(symbol)) return false;
    if (this.selected === undefined) this.select(symbol);
    else this.changed();
    return true;
  }

  remove(symbol: string): void {
    const index = this.watchlist.symbols.indexOf(symbol);
    if (!this.watchlist.remove(symbol)) return;
    if (symbol === this.selected) {
      const rows = this.watchlist.rows;
      this.selected = rows[Math.min(index, rows.length - 1)]?.symbol;
      this.chart.show(this.selected);
    }
    this.changed();
  }

  /**
   * Charts a listed symbol. The selection and the chart's title change at once; the subscriptions and the
   * chart's load follow once the selection has stayed put for SELECTION_SETTLE_MS.
   */
  select(symbol: string): void {
    if (symbol === this.selected || !this.watchlist.has(symbol)) return;
    this.selected = symbol;
    clearTimeout(this.resubscribeTimer);
    this.resubscribeTimer = setTimeout(() => this.flushResubscribe(), SELECTION_SETTLE_MS);
    this.chart.show(symbol);
    this.persist();
  }

  setInterval(interval: ChartInterval): void {
    if (interval === this.chart.interval) return;
    this.chart.show(this.selected, interval);
    this.persist();
  }

  /**
   * When the server has none of the watched symbols (a replay of other markets), watch the first ones it
   * has instead, for this visit: the saved layout changes only when the user changes something.
   */
  private watchServerSymbols(): void {
    const { directory } = this.market;
    const listed = this.watchlist.symbols;
    if (listed.length === 0 || directory.instruments.length === 0 || listed.some((symbol) => directory.get(symbol) !== undefined)) return;
    const symbols = directory.instruments.slice(0, SERVER_SYMBOLS_SHOWN).map((instrument) => instrument.symbol);
    this.watchlist.set(symbols);
    this.selected = symbols[0];
    this.chart.show(this.selected);
    this.resubscribe();
  }

  /** Asks again for the watched symbols the server refused. */
  private retryRefused(): void {
    if (this.watchlist.refused().length > 0) this.resubscribe();
  }

  private changed(): void {
    this.resubscribe();
    this.persist();
  }

  /** Sends the subscriptions a settling selection change is waiting with, if any. */
  private flushResubscribe(): void {
    if (this.resubscribeTimer === undefined) return;
    this.resubscribe();
  }

  private resubscribe(): void {
    clearTimeout(this.resubscribeTimer);
    this.resubscribeTimer = undefined;
    this.market.track(this.watchlist.symbols, this.selected);
  }

  private persist(): void {
    saveLayout(this.storage, { symbols: this.watchlist.symbols, selected: this.selected, interval: this.chart.interval });
  }
}
