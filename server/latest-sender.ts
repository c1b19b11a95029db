/**
 * Sends the latest state of something that may change in bursts (a live feed's health, a replay's state),
 * at most once per `minIntervalMs`: a change schedules one send, after the current turn of the event loop
 * or once the interval since the previous send has passed, and changes meanwhile ride along with it. The
 * send builds its message when it runs, so it always carries the latest state.
 */
export class LatestSender {
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly minIntervalMs: number,
    private readonly send: () => void,
  ) {}

  /** Something changed: send once its turn comes (nothing more if a send is already scheduled). */
  changed(): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastSentAt + this.minIntervalMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sendNow();
    }, wait);
  }

  /** Sends at once, whatever the interval (a send already scheduled still goes when due). */
  sendNow(): void {
    this.lastSentAt = performance.now();
    this.send();
  }

  /** Cancels a scheduled send. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
