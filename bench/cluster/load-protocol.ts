/** What bench/cluster.ts and its load generators (bench/cluster/load.ts) say to each other over IPC. */

export interface LoadSpec {
  readonly urls: readonly string[];
  /** Symbols each connection subscribes to; connection i goes to urls[i % urls.length]. */
  readonly subscriptions: readonly (readonly string[])[];
}

export type ToLoad = { type: 'start'; spec: LoadSpec } | { type: 'measure' } | { type: 'report' };

export interface LoadReport {
  readonly connected: number;
  readonly dropped: number;
  readonly frames: number;
  readonly updates: number;
  /** Latency histogram: [bucket, count] pairs, bucket = ms × LATENCY_BUCKETS_PER_MS. */
  readonly latency: readonly (readonly [number, number])[];
}

export type FromLoad = { type: 'subscribed'; connected: number; failed: number } | { type: 'report'; report: LoadReport };

/** Latency resolution: 0.1 ms; everything above LATENCY_MAX_MS counts as LATENCY_MAX_MS. */
export const LATENCY_BUCKETS_PER_MS = 10;
export const LATENCY_MAX_MS = 30_000;
