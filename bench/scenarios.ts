/**
 * The benchmark's scenarios (issue 6): the market, the clients, and how long to watch. Every target (tickertape
 * and the peers) runs the same scenario in the same invocation.
 */

export interface Scenario {
  readonly name: string;
  readonly summary: string;
  /** Symbols in the market (S). */
  readonly symbols: number;
  /** Ticks per second over all symbols (R). */
  readonly ticksPerSecond: number;
  /** Connections (C). */
  readonly clients: number;
  /** Symbols each connection subscribes to (K). */
  readonly symbolsPerClient: number;
  /** Seconds of traffic after the last connection subscribes and before measuring. */
  readonly warmupS: number;
  /** Seconds measured. */
  readonly measureS: number;
  /** What the scenario is for: a traffic table, or memory per idle connection. */
  readonly kind: 'traffic' | 'idle';
}

const DEFAULT: Scenario = {
  name: 'default',
  summary: '500 symbols, 20,000 ticks/s, 1,000 clients x 50 symbols',
  symbols: 500,
  ticksPerSecond: 20_000,
  clients: 1_000,
  symbolsPerClient: 50,
  warmupS: 5,
  measureS: 15,
  kind: 'traffic',
};

export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  default: DEFAULT,
  wide: { ...DEFAULT, name: 'wide', summary: 'the default market to 5,000 clients x 50 symbols', clients: 5_000 },
  hot: { ...DEFAULT, name: 'hot', summary: 'the default clients on a market ticking 200,000 times a second', ticksPerSecond: 200_000 },
  idle: {
    ...DEFAULT,
    name: 'idle',
    summary: '20,000 connections x 50 symbols on a quiet market (100 ticks/s): memory per connection',
    ticksPerSecond: 100,
    clients: 20_000,
    warmupS: 5,
    measureS: 5,
    kind: 'idle',
  },
};

/** Client counts the capacity search tries, in order, on the default market. */
export const CAPACITY_STEPS = [25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000] as const;
/** The latency a client count must keep to count as sustained (issue 6). */
export const CAPACITY_P99_MS = 150;
/** Share of the owed updates a sustained client count must deliver. */
export const CAPACITY_MIN_DELIVERED = 0.95;
/** The capacity search measures each step for less time than a scenario does. */
export const CAPACITY_WARMUP_S = 3;
export const CAPACITY_MEASURE_S = 8;
