import type { Redis } from 'ioredis';
import type { Market } from '../market/market.js';
import type { ClusterKeys } from './keys.js';
import { readSymbols } from './stored-state.js';

export interface Restored {
  readonly symbols: number;
  /**
   * Where a feed resumes: the millisecond after the newest trade restored, over all symbols (entries
   * carry whole ms, so the restored trade's own millisecond is taken as complete).
   */
  readonly resumeFrom: number;
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
      newestTime = Math.max(newestTime, stored.entry.t ?? Number.NEGATIVE_INFINITY);
    }
  }
  return { symbols, resumeFrom: newestTime + 1 };
}
