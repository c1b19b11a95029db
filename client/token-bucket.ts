/**
 * A token bucket: `burst` tokens, refilled at `ratePerS`; each event takes one. Refill is computed from
 * the clock on use, so an idle bucket costs nothing (no timers per connection). The server's inbound rate
 * limit and the client's pacing of its requests under it (client/connection.ts) are the same bucket.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly ratePerS: number,
    private readonly burst: number,
    now: number = performance.now(),
  ) {
    this.tokens = burst;
    this.at = now;
  }

  private refill(now: number): void {
    if (now > this.at) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) * this.ratePerS) / 1000);
      this.at = now;
    }
  }

  /** Takes a token if there is one. */
  take(now: number = performance.now()): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Ms until the next token (at least 1): when a sender held back may try again. */
  delay(now: number = performance.now()): number {
    this.refill(now);
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.ratePerS));
  }

  /** Whether the bucket has refilled completely: the sender has kept under the rate for a while. */
  full(now: number = performance.now()): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }
}
