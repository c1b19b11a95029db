import { expect, test } from 'vitest';
import type { TickerClient } from '../../../client/index.js';
import { SymbolView } from '../../../client/symbol-view.js';
import type { SymbolEntry, UpdateMessage } from '../../../client/protocol/messages.js';
import { SymbolDirectory } from './symbol-directory.svelte.js';
import { Watchlist } from './watchlist.svelte.js';

/** The part of the client the watchlist listens to, driven by hand. */
class FakeClient {
  readonly views = new Map<string, SymbolView>();
  private readonly listeners = new Map<string, ((...args: unknown[]) => void)[]>();

  on(event: string, listener: (...args: unknown[]) => void): () => void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return () => {};
  }

  view(symbol: string): SymbolView | undefined {
    return this.views.get(symbol);
  }

  /** One update frame: `prices` become the symbols' last prices. */
  frame(prices: Record<string, number>): void {
    for (const [symbol, price] of Object.entries(prices)) {
      const view = this.views.get(symbol) ?? new SymbolView(symbol);
      this.views.set(symbol, view);
      view.last = price;
      for (const listener of this.listeners.get('update') ?? []) listener(view, { s: symbol } as SymbolEntry);
    }
    for (const listener of this.listeners.get('frame') ?? []) listener({ type: 'update' } as UpdateMessage);
  }
}

test('rows out of sight are not written until they scroll into sight, then show the latest at once, without a flash', () => {
  const client = new FakeClient();
  client.frame({ AAA: 10, BBB: 20, CCC: 30 });
  const watchlist = new Watchlist(client as unknown as TickerClient, new SymbolDirectory());
  watchlist.set(['AAA', 'BBB', 'CCC']);
  const [a, b, c] = watchlist.rows;
  expect([a!.last, b!.last, c!.last]).toEqual([10, 20, 30]);

  watchlist.setWindow(0, 1);
  client.frame({ AAA: 11, BBB: 21, CCC: 31 });
  client.frame({ BBB: 22 });
  // In sight: written, and flashed for the tick.
  expect(a!.last).toBe(11);
  expect(a!.ticks).toBe(1);
  // Out of sight: untouched.
  expect([b!.last, c!.last]).toEqual([20, 30]);

  watchlist.setWindow(1, 3);
  expect([b!.last, c!.last]).toEqual([22, 31]);
  expect([b!.ticks, c!.ticks]).toEqual([0, 0]);
  // And from now on they are written as they change, A no longer.
  client.frame({ AAA: 12, CCC: 32 });
  expect([a!.last, c!.last, c!.ticks]).toEqual([11, 32, 1]);
  watchlist.dispose();
});
