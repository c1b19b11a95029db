import { isSymbolName } from '../../../client/index.js';
import { isChartInterval, type ChartInterval } from './chart-feed.svelte.js';

/** What the dashboard remembers between visits, in localStorage. */
export interface SavedLayout {
  readonly symbols: readonly string[];
  readonly selected: string | undefined;
  readonly interval: ChartInterval;
}

/** Versioned: a change of shape gets a new key rather than a parse of the old one. */
export const LAYOUT_STORAGE_KEY = 'tickertape.layout.v1';

/** A first visit's watchlist: large-cap US stocks and the busiest crypto pairs. */
export const DEFAULT_SYMBOLS: readonly string[] = [
  'AAPL',
  'MSFT',
  'NVDA',
  'AMZN',
  'GOOGL',
  'META',
  'TSLA',
  'AMD',
  'JPM',
  'NFLX',
  'BTC-USD',
  'ETH-USD',
  'SOL-USD',
  'XRP-USD',
  'DOGE-USD',
  'LINK-USD',
];

export const DEFAULT_LAYOUT: SavedLayout = { symbols: DEFAULT_SYMBOLS, selected: 'BTC-USD', interval: '1s' };

/** Most symbols a saved layout may hold (the server allows 1000 subscriptions per connection). */
export const MAX_SAVED_SYMBOLS = 500;

/** The saved layout, or the default on a first visit or when what is stored is unreadable. */
export function loadLayout(storage: Storage | undefined): SavedLayout {
  const raw = readItem(storage);
  if (raw === undefined) return DEFAULT_LAYOUT;
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== 'object' || value === null) return DEFAULT_LAYOUT;
    const fields = value as Record<string, unknown>;
    const symbols = Array.isArray(fields['symbols'])
      ? // Not a symbol name (too long, odd characters): the server would refuse it, and with it the request.
        [...new Set((fields['symbols'] as unknown[]).filter((symbol): symbol is string => typeof symbol === 'string' && isSymbolName(symbol)))]
      : undefined;
    if (symbols === undefined) return DEFAULT_LAYOUT;
    const selected = typeof fields['selected'] === 'string' && symbols.includes(fields['selected']) ? fields['selected'] : symbols[0];
    const interval = isChartInterval(fields['interval']) ? fields['interval'] : DEFAULT_LAYOUT.interval;
    return { symbols: symbols.slice(0, MAX_SAVED_SYMBOLS), selected, interval };
  } catch {
    return DEFAULT_LAYOUT;
  }
}

export function saveLayout(storage: Storage | undefined, layout: SavedLayout): void {
  try {
    storage?.setItem(LAYOUT_STORAGE_KEY, JSON.stringify(layout));
  } catch {
    // Storage full or disabled (private mode): the layout just does not persist.
  }
}

function readItem(storage: Storage | undefined): string | undefined {
  try {
    return storage?.getItem(LAYOUT_STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}
