import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { Market } from '../market/market.js';
import type { ClusterKeys } from './keys.js';
import type { Unreadable } from './records.js';
import { readSymbols } from './stored-state.js';

export interface Restored {
  readonly symbols: number;
  /**
   * Where a feed resumes: the millisecond after the newest trade restored, over all symbols (entries
   * carry whole ms, so the restored trade's own millisecond is taken as complete).
   */
  readonly resumeFrom: number;
  /** Stored values that could not be read, each logged and left out (docs/deploy.md#what-redis-holds). */
  readonly unreadable: number;
}

/**
 * Applies every symbol Redis holds (entry, instrument, 1 s and 1 min bars) to `market`, in the current
 * generation: an ingest taking over, or a gateway resyncing its replica. Values already held count as
 * changed only for quote and session fields; bars only when they differ (SymbolState.applyEntry).
 *
 * A value that cannot be read is logged at error level (CLUSTER_RECORD_INVALID, with its key and symbol)
 * and left out: the other symbols, and the rest of that symbol, are restored all the same. The ingest's
 * next publish of that symbol writes it again.
 */
export async function restoreMarket(client: Redis, keys: ClusterKeys, market: Market, log: FastifyBaseLogger): Promise<Restored> {
  let symbols = 0;
  let unreadable = 0;
  let newestTime = Number.NEGATIVE_INFINITY;
  const skip = ({ key, symbol, error }: Unreadable): void => {
    unreadable++;
    log.error({ err: error, key, symbol }, 'unreadable market state in Redis: left out, the rest is loaded');
  };
  for await (const chunk of readSymbols(client, keys, skip)) {
    for (const stored of chunk) {
      market.applyEntry({ ...stored.entry, k: stored.seconds }, stored.minutes, stored.instrument);
      symbols++;
      newestTime = Math.max(newestTime, stored.entry.t ?? Number.NEGATIVE_INFINITY);
    }
  }
  return { symbols, resumeFrom: newestTime + 1, unreadable };
}
