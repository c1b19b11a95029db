import { isDeepStrictEqual } from 'node:util';
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
  readonly unreadable: readonly Unreadable[];
  /** The symbols whose entry, instrument and bars were all read (and whose instrument is the market's, with keepInstruments). */
  readonly complete: ReadonlySet<string>;
  /**
   * With keepInstruments: the stored instruments (their sorted-set members) that describe a symbol otherwise
   * than the market does, as after a feed's instrument changed between two ingests. Their symbols are not
   * complete, so the ingest publishes them again whole with its own, and clearUnreadable removes these.
   */
  readonly redescribed: readonly Buffer[];
}

export interface RestoreOptions {
  /**
   * The market's symbols keep their instruments (an ingest's, its feed's): only symbols it does not know
   * yet are described by what Redis holds. Otherwise (a gateway) a stored instrument replaces the one held.
   */
  readonly keepInstruments?: boolean;
}

/**
 * Applies every symbol Redis holds (entry, instrument, 1 s and 1 min bars) to `market`, in the current
 * generation: an ingest taking over, or a gateway resyncing its replica. Values already held count as
 * changed only for quote and session fields; bars only when they differ (SymbolState.applyEntry).
 *
 * A value that cannot be read is logged at error level (CLUSTER_RECORD_INVALID, with its key and symbol)
 * and left out: the other symbols, and the rest of that symbol, are restored all the same. An ingest taking
 * over clears it (clearUnreadable) and publishes the symbols not `complete` again whole.
 */
export async function restoreMarket(client: Redis, keys: ClusterKeys, market: Market, log: FastifyBaseLogger, { keepInstruments = false }: RestoreOptions = {}): Promise<Restored> {
  let symbols = 0;
  const unreadable: Unreadable[] = [];
  const named = new Set<string>();
  const complete = new Set<string>();
  const redescribed: Buffer[] = [];
  let newestTime = Number.NEGATIVE_INFINITY;
  const skip = (value: Unreadable): void => {
    const { key, symbol, error } = value;
    unreadable.push(value);
    if (symbol !== undefined) named.add(symbol);
    log.error({ err: error, key, symbol }, 'unreadable market state in Redis: left out, the rest is loaded');
  };
  for await (const chunk of readSymbols(client, keys, skip)) {
    for (const stored of chunk) {
      const held = keepInstruments ? market.get(stored.symbol) : undefined;
      const stale = held !== undefined && stored.instrumentBytes !== undefined && !isDeepStrictEqual(stored.instrument, held.instrument);
      if (stale) redescribed.push(stored.instrumentBytes);
      market.applyEntry({ ...(stored.entry ?? { s: stored.symbol }), k: stored.seconds }, stored.minutes, held === undefined ? stored.instrument : undefined);
      symbols++;
      newestTime = Math.max(newestTime, stored.entry?.t ?? Number.NEGATIVE_INFINITY);
      if (stored.entry !== undefined && stored.instrument !== undefined && !stale && !named.has(stored.symbol)) complete.add(stored.symbol);
    }
  }
  return { symbols, resumeFrom: newestTime + 1, unreadable, complete, redescribed };
}

/**
 * Removes from Redis, in one transaction, what `restoreMarket` left out as unreadable, so that publishing
 * the symbols it concerned again whole leaves every stored value readable: a key of another type and a
 * symbol's bar key are deleted (the symbol's every bar is published again), an unreadable instrument is
 * removed; an unreadable `symbols` field needs nothing (publishing the symbol overwrites it). `redescribed`
 * instruments (Restored) are removed too: publishing their symbols writes the market's own.
 */
export async function clearUnreadable(client: Redis, keys: ClusterKeys, unreadable: readonly Unreadable[], redescribed: readonly Buffer[] = []): Promise<void> {
  if (unreadable.length === 0 && redescribed.length === 0) return;
  const transaction = client.multi();
  if (redescribed.length > 0) transaction.zrem(keys.instruments, ...redescribed);
  for (const { key, symbol, values } of unreadable) {
    if (key === keys.instruments && values !== undefined) transaction.zrem(key, ...values);
    else if (key !== keys.symbols || symbol === undefined) transaction.del(key);
  }
  for (const [error] of (await transaction.exec()) ?? []) if (error !== null) throw error;
}
