import type { InstrumentInfo } from '../../../client/index.js';
import { decimalsOf } from './format.js';

/** What `GET /api/symbols` answers. */
interface SymbolsAnswer {
  readonly symbols: readonly InstrumentInfo[];
}

export const DIRECTORY_RETRY_MS = 2_000;
const DEFAULT_DECIMALS = 2;

function isInstrument(value: unknown): value is InstrumentInfo {
  if (typeof value !== 'object' || value === null) return false;
  const fields = value as Record<string, unknown>;
  return typeof fields['symbol'] === 'string' && typeof fields['name'] === 'string' && typeof fields['tickSize'] === 'number';
}

/** The instruments the server knows (`/api/symbols`), for the search box and price decimals. */
export class SymbolDirectory {
  instruments = $state.raw<readonly InstrumentInfo[]>([]);
  loaded = $state(false);
  /**
   * Set when the server refused the page access (401 or 403: auth is on, and the address carries no token
   * or a bad one). Nothing is retried then: only a new address (with a token) can help.
   */
  denied = $state.raw<{ readonly status: number; readonly withToken: boolean } | undefined>(undefined);
  /** Derived, so rows formatting with decimals() re-render once the directory arrives. */
  private readonly bySymbol = $derived(new Map(this.instruments.map((instrument) => [instrument.symbol, instrument])));
  private retry: ReturnType<typeof setTimeout> | undefined;
  private inflight: Promise<void> | undefined;

  constructor(private readonly url = '/api/symbols') {}

  /** Fetches the directory, retrying until it answers; a call while a fetch is under way joins it. */
  load(): Promise<void> {
    this.inflight ??= this.fetch().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async fetch(): Promise<void> {
    clearTimeout(this.retry);
    try {
      const response = await fetch(this.url, { headers: { accept: 'application/json' } });
      if (response.status === 401 || response.status === 403) {
        this.denied = { status: response.status, withToken: /[?&]access_token=/.test(this.url) };
        return;
      }
      if (!response.ok) throw new Error(`${this.url} answered ${response.status}`);
      const answer = (await response.json()) as SymbolsAnswer;
      if (!Array.isArray(answer.symbols)) throw new Error(`${this.url}: no "symbols" array`);
      this.denied = undefined;
      this.set(answer.symbols.filter(isInstrument));
    } catch {
      this.retry = setTimeout(() => void this.load(), DIRECTORY_RETRY_MS);
    }
  }

  stop(): void {
    clearTimeout(this.retry);
  }

  get(symbol: string): InstrumentInfo | undefined {
    return this.bySymbol.get(symbol);
  }

  /** Price decimals of `symbol` (from its tick size); 2 until the directory is known. */
  decimals(symbol: string): number {
    const instrument = this.bySymbol.get(symbol);
    return instrument === undefined ? DEFAULT_DECIMALS : decimalsOf(instrument.tickSize);
  }

  /**
   * Instruments matching `query` by symbol or name, best first: symbol equal, symbol prefix, name word
   * prefix, then anywhere in symbol or name.
   */
  search(query: string, limit: number): InstrumentInfo[] {
    const needle = query.trim().toLowerCase();
    if (needle === '') return [];
    const ranked: { instrument: InstrumentInfo; rank: number }[] = [];
    for (const instrument of this.instruments) {
      const rank = matchRank(instrument, needle);
      if (rank !== undefined) ranked.push({ instrument, rank });
    }
    ranked.sort((a, b) => a.rank - b.rank || a.instrument.symbol.localeCompare(b.instrument.symbol));
    return ranked.slice(0, limit).map((entry) => entry.instrument);
  }

  private set(instruments: readonly InstrumentInfo[]): void {
    this.instruments = instruments;
    this.loaded = true;
  }
}

function matchRank(instrument: InstrumentInfo, needle: string): number | undefined {
  const symbol = instrument.symbol.toLowerCase();
  const name = instrument.name.toLowerCase();
  if (symbol === needle) return 0;
  if (symbol.startsWith(needle)) return 1;
  if (name.startsWith(needle) || name.includes(` ${needle}`)) return 2;
  if (symbol.includes(needle) || name.includes(needle)) return 3;
  return undefined;
}
