/**
 * Builds the feed a configuration names. Every kind yields the same normalized ticks (feeds/tick.ts).
 */
import { openLiveFeed } from './live/feed.js';
import type { LiveFeedOptions } from './live/options.js';
import { openReplay, type ReplayOptions } from './replay/index.js';
import { createSimulator } from './simulator/index.js';
import type { Feed } from './tick.js';

export interface SimulatedFeedConfig {
  readonly kind: 'simulated';
  readonly seed: number;
  readonly ticksPerSecond: number;
  /** Start this far in the past and fast-forward, so the server starts with bars to chart. */
  readonly warmupMs: number;
  /** Event time of the first tick (ms); default: now minus the warm-up. Fixed, it makes runs repeatable. */
  readonly startTime?: number;
}

/** Recorded files (feeds/replay/, docs/feeds.md). */
export interface ReplayFeedConfig extends Omit<ReplayOptions, 'clock' | 'reader'> {
  readonly kind: 'replay';
}

/** Live exchange connections (feeds/live/, docs/feeds.md#live-exchange-feeds). */
export interface LiveFeedConfig extends LiveFeedOptions {
  readonly kind: 'live';
}

/** What the server is told to play; each kind has its own fields. */
export type FeedConfig = SimulatedFeedConfig | ReplayFeedConfig | LiveFeedConfig;

/** The feed a configuration names; a replay's files are opened (a ReplayError names a bad one). */
export async function createFeed(config: FeedConfig): Promise<Feed> {
  switch (config.kind) {
    case 'simulated':
      return createSimulator({ seed: config.seed, ticksPerSecond: config.ticksPerSecond, warmupMs: config.warmupMs, startTime: config.startTime });
    case 'replay': {
      const { kind: _kind, ...options } = config;
      return openReplay(options);
    }
    case 'live':
      return openLiveFeed(config);
  }
}
