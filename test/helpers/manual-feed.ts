import type { Feed, FeedInfo, Instrument, Tick } from '../../feeds/tick.js';

/**
 * A feed driven by the test: ticks pushed in are yielded in order, like a live connection's messages.
 * Iterating it is the same code path as any other feed.
 */
export class ManualFeed implements Feed {
  readonly info: FeedInfo = { kind: 'live', description: 'manual test feed' };
  private readonly queue: Tick[] = [];
  private waiting: ((result: IteratorResult<Tick>) => void) | undefined;
  private ended = false;

  constructor(readonly instruments: readonly Instrument[]) {}

  push(...ticks: Tick[]): void {
    for (const tick of ticks) {
      const waiting = this.waiting;
      if (waiting !== undefined) {
        this.waiting = undefined;
        waiting({ value: tick, done: false });
      } else {
        this.queue.push(tick);
      }
    }
  }

  end(): void {
    this.ended = true;
    this.waiting?.({ value: undefined, done: true });
    this.waiting = undefined;
  }

  [Symbol.asyncIterator](): AsyncIterator<Tick> {
    return {
      next: () => {
        const tick = this.queue.shift();
        if (tick !== undefined) return Promise.resolve({ value: tick, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.waiting = resolve;
        });
      },
      return: () => {
        this.end();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}

export function instrument(symbol: string, assetClass: Instrument['assetClass'] = 'equity'): Instrument {
  return { symbol, name: `${symbol} Inc.`, assetClass, currency: 'USD', tickSize: 0.01 };
}
