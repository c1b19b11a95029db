/**
 * How the replay's iterator waits: until something changes (a control), or for a time on the replay's
 * clock, whichever comes first. One waiter at a time: the iterator is pulled by one consumer.
 */
import type { Clock } from './clock.js';

export class Wake {
  private resolve: (() => void) | undefined;
  private timer: unknown;

  constructor(private readonly clock: Clock) {}

  /** Until interrupt(). */
  untilChange(): Promise<void> {
    return new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  /** Until `ms` have passed on the clock, or interrupt(). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.resolve = resolve;
      this.timer = this.clock.setTimer(() => {
        this.timer = undefined;
        this.interrupt();
      }, ms);
    });
  }

  /** Ends the current wait, if any. */
  interrupt(): void {
    if (this.timer !== undefined) {
      this.clock.clearTimer(this.timer);
      this.timer = undefined;
    }
    const resolve = this.resolve;
    this.resolve = undefined;
    resolve?.();
  }
}
