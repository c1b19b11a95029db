/**
 * The bounded hand-over between live sockets (push) and the market (pull, as an async iterator). A socket
 * cannot be asked to slow down the exchange, but it can stop being read: at MAX_QUEUED_TICKS the queue asks
 * its sources to pause (ws `pause()`: TCP back-pressure, the exchange's buffer fills, not ours) and to resume
 * once it has halved. Nothing is dropped and nothing grows without bound.
 */
import type { Tick } from '../tick.js';

export interface QueueSources {
  pause(): void;
  resume(): void;
}

export class TickQueue {
  private items: Tick[] = [];
  private head = 0;
  private waiting: ((result: IteratorResult<Tick>) => void) | undefined;
  private paused = false;
  private ended = false;

  constructor(
    private readonly maxTicks: number,
    private readonly sources: QueueSources,
  ) {}

  get size(): number {
    return this.items.length - this.head;
  }

  push(tick: Tick): void {
    if (this.ended) return;
    const waiting = this.waiting;
    if (waiting !== undefined) {
      this.waiting = undefined;
      waiting({ value: tick, done: false });
      return;
    }
    this.items.push(tick);
    if (!this.paused && this.size >= this.maxTicks) {
      this.paused = true;
      this.sources.pause();
    }
  }

  end(): void {
    this.ended = true;
    this.waiting?.({ value: undefined, done: true });
    this.waiting = undefined;
  }

  next(): Promise<IteratorResult<Tick>> {
    if (this.head < this.items.length) {
      const tick = this.items[this.head++]!;
      if (this.head === this.items.length) {
        this.items = [];
        this.head = 0;
      }
      if (this.paused && this.size <= this.maxTicks / 2) {
        this.paused = false;
        this.sources.resume();
      }
      return Promise.resolve({ value: tick, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }
}
