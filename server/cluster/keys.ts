/**
 * Where tickertape keeps its state in Redis (docs/deploy.md#what-redis-holds). Every key starts with the
 * deployment's prefix; give the prefix a hash tag (`{tickertape}:`) to keep every key in one slot.
 */
export interface ClusterKeys {
  /** Stream of flush records, one per ingest flush, each with a sequence number (XADD MAXLEN ~). */
  readonly updates: string;
  /** The last sequence number given to a flush record (INCR). */
  readonly seq: string;
  /** Hash: which ingest publishes, through which of its generations the state keys are complete, its feed. */
  readonly meta: string;
  /** Hash: symbol → its latest full entry (quote and session, no bars), MessagePack. */
  readonly symbols: string;
  /** Sorted set of instruments (MessagePack), scored by the order the ingest's market holds them in. */
  readonly instruments: string;
  /** The ingest's lease on publishing (a string with an expiry: the holder's id). */
  readonly lease: string;
  /** A replaying ingest's latest replay state (MessagePack), for gateways that start or resync. */
  readonly replay: string;
  /** List of replay control requests gateways forward to the ingest (RPUSH, LPOP); expires unread. */
  readonly controls: string;
  /** A live feed's latest status (the protocol's `feed` message, MessagePack), for gateways that start or resync. */
  readonly feedStatus: string;
  /** Sorted set of a symbol's 1 s bars, scored by bar time, trimmed to the retention. */
  secondBars(symbol: string): string;
  /** Sorted set of a symbol's 1 min bars, scored by bar time, trimmed to the retention. */
  minuteBars(symbol: string): string;
}

export function clusterKeys(prefix: string): ClusterKeys {
  return {
    updates: `${prefix}updates`,
    seq: `${prefix}seq`,
    meta: `${prefix}meta`,
    symbols: `${prefix}symbols`,
    instruments: `${prefix}instruments`,
    lease: `${prefix}lease`,
    replay: `${prefix}replay`,
    controls: `${prefix}replay-controls`,
    feedStatus: `${prefix}feed-status`,
    secondBars: (symbol) => `${prefix}bars:1s:${symbol}`,
    minuteBars: (symbol) => `${prefix}bars:1m:${symbol}`,
  };
}
