import type { FastifyBaseLogger } from 'fastify';
import { hasDueTicks, type Feed, type FeedInfo } from '../../feeds/tick.js';
import type { Market } from './market.js';

export type FeedState = 'idle' | 'running' | 'ended' | 'failed' | 'stopped';

/** What the rest of the server knows of where its market comes from: a feed it runs, or an ingest it follows (server/cluster/). */
export interface FeedSource {
  readonly state: FeedState;
  readonly info: FeedInfo;
}

/**
 * Pumps a feed into the market. A feed that ends or fails leaves the market as it was (nothing accepted is
 * lost) and the state says why; the server keeps serving what it has.
 */
export class FeedRunner implements FeedSource {
  state: FeedState = 'idle';
  error: Error | undefined;
  private iterator: AsyncIterator<unknown> | undefined;
  private done: Promise<void> | undefined;

  constructor(
    private readonly feed: Feed,
    private readonly market: Market,
    private readonly log: FastifyBaseLogger,
  ) {}

  get info(): FeedInfo {
    return this.feed.info;
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    this.done = this.pump();
  }

  private async pump(): Promise<void> {
    const iterator = this.feed[Symbol.asyncIterator]();
    this.iterator = iterator;
    const due = hasDueTicks(iterator) ? iterator : undefined;
    try {
      for (;;) {
        // What is due already, in a plain loop (feeds/tick.ts, DueTicks); then wait for more.
        if (due !== undefined) for (let tick = due.takeDue(); tick !== undefined; tick = due.takeDue()) this.market.apply(tick);
        const next = await iterator.next();
        if (next.done === true) break;
        this.market.apply(next.value);
      }
      if (this.state === 'running') {
        this.state = 'ended';
        this.log.info({ feed: this.feed.info.description }, 'feed ended');
      }
    } catch (error) {
      if (this.state !== 'running') return;
      this.state = 'failed';
      this.error = error instanceof Error ? error : new Error(String(error));
      this.log.error({ err: this.error, feed: this.feed.info.description }, 'feed failed');
    }
  }

  /** Settles once the feed has ended, failed or been stopped (at once when it never started). */
  get finished(): Promise<void> {
    return this.done ?? Promise.resolve();
  }

  /** Stops pulling ticks and lets the feed release its resources. */
  async stop(): Promise<void> {
    if (this.state === 'running') this.state = 'stopped';
    await this.iterator?.return?.();
    await this.done;
  }
}
