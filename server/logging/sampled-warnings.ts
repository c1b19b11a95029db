import type { FastifyBaseLogger } from 'fastify';
import { TokenBucket } from '../../client/token-bucket.js';

/** Warnings per second per reason; past that they are counted and the count rides on the next one logged. */
export const WARNINGS_PER_S_PER_REASON = 5;

/**
 * Warnings about rejected input, at most a few per second per reason. Every rejection of a hostile client
 * logged as it happens would let that client fill the disk; the metrics count every one.
 */
export class SampledWarnings {
  private readonly reasons = new Map<string, { bucket: TokenBucket; suppressed: number }>();

  constructor(private readonly log: FastifyBaseLogger) {}

  warn(reason: string, fields: Record<string, unknown>, message: string): void {
    let entry = this.reasons.get(reason);
    if (entry === undefined) {
      entry = { bucket: new TokenBucket(WARNINGS_PER_S_PER_REASON, WARNINGS_PER_S_PER_REASON), suppressed: 0 };
      this.reasons.set(reason, entry);
    }
    if (!entry.bucket.take()) {
      entry.suppressed++;
      return;
    }
    const suppressed = entry.suppressed;
    entry.suppressed = 0;
    this.log.warn(suppressed > 0 ? { reason, ...fields, suppressed } : { reason, ...fields }, message);
  }
}
