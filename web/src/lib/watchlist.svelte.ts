import type { TickerClient, SymbolView } from '../../../client/index.js';
import { QuoteRow } from './quote-row.svelte.js';
import type { SymbolDirectory } from './symbol-directory.svelte.js';

/**
 * The rows of the watchlist, in order. Updates are applied per frame: `update` events only note which rows
 * changed, and the `frame` event that follows writes them, so the DOM is touched once per frame (Svelte
 * flushes after the frame's handler) and only in the cells whose values changed.
 *
 * Only the rows in the table's window (those on screen and a few either side) are rendered, and only those on
 * screen are written: the others' latest view is kept aside and copied in (without a flash) when they
 * scroll into sight. With 500 rows and 25 on screen, that is most of the work saved.
 */
export class Watchlist {
  rows = $state.raw<readonly QuoteRow[]>([]);
  private readonly listed = $derived(new Set(this.rows.map((row) => row.symbol)));

  private readonly bySymbol = new Map<string, QuoteRow>();
  private readonly changed = new Map<QuoteRow, SymbolView>();
  /** Off-screen rows with changes not yet shown. */
  private readonly offScreen = new Map<QuoteRow, SymbolView>();
  /** The last row asked to be scrolled into view (a new object per ask, so asking twice scrolls twice). */
  revealing = $state.raw<{ readonly symbol: string } | undefined>(undefined);
  private readonly unlisten: readonly (() => void)[];

  constructor(
    private readonly client: TickerClient,
    private readonly directory: SymbolDirectory,
  ) {
    this.unlisten = [
      client.on('update', (view, entry) => {
        const row = this.bySymbol.get(entry.s);
        if (row !== undefined) this.changed.set(row, view);
      }),
      client.on('frame', () => this.applyChanges()),
      client.on('snapshot', (view) => {
        const row = this.bySymbol.get(view.symbol);
        if (row === undefined) return;
        // Data for it: whatever refused it before (another server, a list since changed) no longer does.
        row.refusal = undefined;
        row.sync(view, false);
      }),
      // Refusals come from any subscribe: the dashboard's own, and the client's after a reconnect.
      client.on('subscription', ({ symbol, newState, refused }) => {
        const row = this.bySymbol.get(symbol);
        if (row === undefined) return;
        if (refused !== undefined) row.refusal = refused.message;
        else if (newState === 'subscribed') row.refusal = undefined;
      }),
    ];
  }

  get symbols(): string[] {
    return this.rows.map((row) => row.symbol);
  }

  /** Reactive: a view asking this re-renders when rows come and go. */
  has(symbol: string): boolean {
    return this.listed.has(symbol);
  }

  /** Reactive like has(). */
  row(symbol: string): QuoteRow | undefined {
    return this.listed.has(symbol) ? this.bySymbol.get(symbol) : undefined;
  }

  /** Replaces every row (keeps the state of rows that stay). */
  set(symbols: readonly string[]): void {
    const keep = new Set(symbols);
    for (const symbol of this.bySymbol.keys()) if (!keep.has(symbol)) this.bySymbol.delete(symbol);
    this.rows = [...keep].map((symbol) => this.bySymbol.get(symbol) ?? this.create(symbol));
  }

  /** Appends a row; false if it is already listed. */
  add(symbol: string): boolean {
    if (this.bySymbol.has(symbol)) return false;
    this.rows = [...this.rows, this.create(symbol)];
    return true;
  }

  remove(symbol: string): boolean {
    const row = this.bySymbol.get(symbol);
    if (row === undefined) return false;
    this.bySymbol.delete(symbol);
    this.changed.delete(row);
    this.offScreen.delete(row);
    this.rows = this.rows.filter((other) => other !== row);
    return true;
  }

  /**
   * The rows from index `first` up to (not including) `last` are in sight; the others are not written until
   * they are (the table calls this whenever it scrolls, resizes or the rows change).
   */
  setWindow(first: number, last: number): void {
    const rows = this.rows;
    for (let index = 0; index < rows.length; index++) {
      const row = rows[index]!;
      row.onScreen = index >= first && index < last;
      if (!row.onScreen) continue;
      const view = this.offScreen.get(row);
      if (view === undefined) continue;
      this.offScreen.delete(row);
      row.sync(view, false);
    }
  }

  /** Symbols the server refused (and that the client library therefore no longer holds). */
  refused(): string[] {
    return this.rows.filter((row) => row.refusal !== undefined).map((row) => row.symbol);
  }

  /** Asks the table to scroll `symbol`'s row into view. */
  reveal(symbol: string): void {
    this.revealing = { symbol };
  }

  dispose(): void {
    for (const off of this.unlisten) off();
  }

  private create(symbol: string): QuoteRow {
    const row = new QuoteRow(symbol, this.directory);
    this.bySymbol.set(symbol, row);
    const view = this.client.view(symbol);
    if (view !== undefined) row.sync(view, false);
    return row;
  }

  private applyChanges(): void {
    for (const [row, view] of this.changed) {
      if (row.onScreen) row.sync(view, true);
      else this.offScreen.set(row, view);
    }
    this.changed.clear();
  }
}
