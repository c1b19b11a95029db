import type { Redis } from 'ioredis';
import type { Market } from '../market/market.js';
import type { ClusterKeys } from './keys.js';
import { readSymbols } from './stored-state.js';

export interface Restored {
  readonly symbols: number;
  /** The newest event time in what was restored (ms): the last trade, or the end of the newest 1 s bar. */
  readonly newestTime: number;
}

/**
 * Applies every symbol Redis holds (entry, instrument, 1 s and 1 min bars) to `market`, in the current
 * generation: an ingest taking over, or a gateway resyncing its replica. Values already held count as
 * changed only for quote and session fields; bars only when they differ (SymbolState.applyEntry).
 */
export async function restoreMarket(client: Redis, keys: ClusterKeys, market: Market): Promise<Restored> {
  let symbols = 0;
  let newestTime = Number.NEGATIVE_INFINITY;
  for await (const chunk of readSymbols(client, keys)) {
    for (const stored of chunk) {
      market.applyEntry({ ...stored.entry, k: stored.seconds }, stored.minutes, stored.instrument);
      symbols++;
      const lastBar = stored.seconds.at(-1);
      newestTime = Math.max(newestTime, stored.entry.t ?? Number.NEGATIVE_INFINITY, lastBar === undefined ? Number.NEGATIVE_INFINITY : lastBar[0] + 999);
    }
  }
  return { symbols, newestTime };
}
