/**
 * Builds the feed a configuration names. Every kind yields the same normalized ticks (feeds/tick.ts).
 */
import { createSimulator } from './simulator/index.js';
import type { Feed } from './tick.js';

export interface SimulatedFeedConfig {
  readonly kind: 'simulated';
  readonly seed: number;
  readonly ticksPerSecond: number;
  /** Start this far in the past and fast-forward, so the server starts with bars to chart. */
  readonly warmupMs: number;
}

/** What the server is told to play; each kind has its own fields. */
export type FeedConfig = SimulatedFeedConfig;

export function createFeed(config: FeedConfig): Feed {
  switch (config.kind) {
    case 'simulated':
      return createSimulator({ seed: config.seed, ticksPerSecond: config.ticksPerSecond, warmupMs: config.warmupMs });
  }
}
