import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { ClusterKeys } from './keys.js';
import { MetaError, type ClusterMeta } from './records.js';
import { readMeta } from './stored-state.js';

/** How a role reports an unreadable `meta` hash: at which level, saying what it does about it. */
export interface MetaReport {
  readonly level: 'error' | 'warn';
  readonly message: string;
}

/**
 * Reads the `meta` hash for a role that tries again while it is unreadable (a gateway resyncing, an ingest
 * taking over or checking): the problem is logged (CLUSTER_RECORD_INVALID, with the key and field) when it
 * starts or changes, not at every try, and at info level once it clears.
 */
export class MetaReader {
  /** Why meta could not be read at the last try; undefined once it could, or was written anew. */
  fault: MetaError | undefined;

  constructor(
    private readonly client: Redis,
    private readonly keys: ClusterKeys,
    private readonly log: FastifyBaseLogger,
    private readonly report: MetaReport,
  ) {}

  /** The `meta` hash: undefined when absent, null when unreadable (`fault` says why). */
  async read(): Promise<ClusterMeta | null | undefined> {
    try {
      const meta = await readMeta(this.client, this.keys);
      this.cleared();
      return meta;
    } catch (error) {
      if (!(error instanceof MetaError)) throw error;
      if (this.fault?.message !== error.message) this.log[this.report.level]({ err: error, key: this.keys.meta, field: error.field }, this.report.message);
      this.fault = error;
      return null;
    }
  }

  /** Meta is readable again (read so, or written whole anew): said once, at info level. */
  cleared(): void {
    if (this.fault !== undefined) this.log.info({ key: this.keys.meta }, 'meta in Redis is readable again');
    this.fault = undefined;
  }
}
