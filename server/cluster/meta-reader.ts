import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { ClusterKeys } from './keys.js';
import { ProblemLog } from './problem-log.js';
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
  private readonly problems: ProblemLog;

  constructor(
    private readonly client: Redis,
    private readonly keys: ClusterKeys,
    log: FastifyBaseLogger,
    private readonly report: MetaReport,
  ) {
    this.problems = new ProblemLog(log, report.level, 'meta in Redis is readable again');
  }

  /** The `meta` hash: undefined when absent, null when unreadable (`fault` says why). */
  async read(): Promise<ClusterMeta | null | undefined> {
    try {
      const meta = await readMeta(this.client, this.keys);
      this.cleared();
      return meta;
    } catch (error) {
      if (!(error instanceof MetaError)) throw error;
      this.problems.report(error.message, { err: error, key: this.keys.meta, field: error.field }, this.report.message);
      this.fault = error;
      return null;
    }
  }

  /** Meta is readable again (read so, or written whole anew): said once, at info level. */
  cleared(): void {
    this.problems.cleared({ key: this.keys.meta });
    this.fault = undefined;
  }
}
