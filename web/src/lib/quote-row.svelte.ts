import type { SymbolView } from '../../../client/index.js';
import type { SymbolDirectory } from './symbol-directory.svelte.js';

export type TickDirection = 'up' | 'down';

/**
 * One watchlist row's state. Each field is its own signal, so a changed bid re-renders the bid cell and
 * nothing else; unchanged fields are not written at all.
 */
export class QuoteRow {
  last = $state(Number.NaN);
  bid = $state(Number.NaN);
  ask = $state(Number.NaN);
  open = $state(Number.NaN);
  volume = $state(Number.NaN);
  /** Direction of the latest change of `last`. */
  direction = $state<TickDirection | undefined>(undefined);
  /** Moves by one at every change of `last` the view should flash for (not at snapshots). */
  ticks = $state(0);
  /** Why the server refused the symbol, if it did. */
  refusal = $state<string | undefined>(undefined);
  /** Whether the row is rendered (on screen or near it); set by the watchlist as the table scrolls. */
  onScreen = true;

  readonly change = $derived(this.last - this.open);
  readonly changePct = $derived(((this.last - this.open) / this.open) * 100);
  readonly decimals: number = $derived.by(() => this.directory.decimals(this.symbol));
  readonly name: string = $derived.by(() => this.directory.get(this.symbol)?.name ?? '');

  constructor(
    readonly symbol: string,
    private readonly directory: SymbolDirectory,
  ) {}

  /** Copies what changed in `view`; `flash` says whether a new last price is a tick to show. */
  sync(view: SymbolView, flash: boolean): void {
    if (!Object.is(view.last, this.last)) {
      if (flash && Number.isFinite(this.last) && Number.isFinite(view.last)) {
        this.direction = view.last > this.last ? 'up' : 'down';
        this.ticks++;
      }
      this.last = view.last;
    }
    if (!Object.is(view.bid, this.bid)) this.bid = view.bid;
    if (!Object.is(view.ask, this.ask)) this.ask = view.ask;
    if (!Object.is(view.open, this.open)) this.open = view.open;
    if (!Object.is(view.volume, this.volume)) this.volume = view.volume;
  }
}
