/**
 * What the benchmark's parent process and the processes it starts (servers under test, load generators)
 * say to each other over the Node IPC channel. One module, so both sides agree on every shape.
 */

/** The market every server under test plays: the same seeded simulator in each. */
export interface MarketSpec {
  /** Symbols in the market (the 60-symbol universe, widened with synthetic ones beyond 60). */
  readonly symbols: number;
  /** Ticks per second over all symbols. */
  readonly ticksPerSecond: number;
  readonly seed: number;
}

export interface ServerSpec {
  readonly market: MarketSpec;
  /** tickertape's flush interval; the per-tick peers have none. */
  readonly flushIntervalMs: number;
  /** Connections the benchmark will open (all from this machine's loopback addresses). */
  readonly connections: number;
  /** How many connections subscribe to each symbol, so a server can count what it owes its clients. */
  readonly subscribers: Readonly<Record<string, number>>;
}

/** Counters a server under test keeps; the parent takes their difference over the measured window. */
export interface ServerCounters {
  /** Ticks the server took from its feed. */
  readonly ticks: number;
  /**
   * Symbol updates the server owed its clients: for a per-tick peer one per tick per subscriber; for
   * tickertape one per changed symbol per flush per subscriber.
   */
  readonly owed: number;
  /** Connections currently open. */
  readonly connections: number;
  /** Times a connection was held back by back-pressure (tickertape only; the peers never hold back). */
  readonly heldBack: number;
  /** Event time of the newest tick the server has taken (ms since the epoch): behind the wall clock when it falls behind. */
  readonly eventTimeMs: number;
  /** Event-loop delay p99 since the previous reading, ms. */
  readonly loopDelayP99Ms: number;
}

export type ToServer =
  | { readonly type: 'start'; readonly spec: ServerSpec }
  | { readonly type: 'counters'; readonly gc?: boolean }
  /** Starts the feed: every target plays the same ticks from the moment its clients are subscribed. */
  | { readonly type: 'go' }
  /** Starts the CPU profiler (the measured window only), or stops it and writes the profile to `file`. */
  | { readonly type: 'profile-start' }
  | { readonly type: 'profile-stop'; readonly file: string }
  | { readonly type: 'stop' };
export type FromServer =
  | { readonly type: 'ready'; readonly port: number; readonly symbols: readonly string[] }
  | { readonly type: 'counters'; readonly counters: ServerCounters }
  | { readonly type: 'profiled'; readonly file: string };

/** Which protocol a load generator speaks: tickertape's, or one of the peers'. */
export type ProtocolName = 'tickertape' | 'ws-json' | 'socketio';

export interface LoadSpec {
  readonly protocol: ProtocolName;
  readonly port: number;
  /** Each connection's symbols. */
  readonly subscriptions: readonly (readonly string[])[];
  /** Local addresses to connect from, in turn (loopback ports run out at about 28,000 per address). */
  readonly localAddresses: readonly string[];
  /** Most handshakes in flight at once. */
  readonly maxPendingConnects: number;
}

/** What one load generator measured over the window. */
export interface LoadReport {
  readonly connected: number;
  /** Connections that closed or failed during the window. */
  readonly dropped: number;
  readonly updates: number;
  readonly frames: number;
  /** WebSocket frame bytes received (payload and frame header). */
  readonly wireBytes: number;
  /** Frames whose sequence number skipped (tickertape only): a lost frame. */
  readonly seqGaps: number;
  /** Tick-to-client latency, microseconds, an HdrHistogram as compressed base64. */
  readonly latency: string;
}

export type ToLoad = { readonly type: 'start'; readonly spec: LoadSpec } | { readonly type: 'measure' } | { readonly type: 'report' } | { readonly type: 'stop' };
export type FromLoad =
  | { readonly type: 'progress'; readonly connected: number; readonly failed: number; readonly firstError?: string }
  | { readonly type: 'report'; readonly report: LoadReport };
