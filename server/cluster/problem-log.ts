import type { FastifyBaseLogger } from 'fastify';

/**
 * A problem a role meets again at every retry (an unreadable meta, a takeover or a publish that keeps
 * failing): logged when it starts or changes, not at every try, and at info level once it clears.
 */
export class ProblemLog {
  /** The last problem logged, as `report` named it; undefined once it cleared. */
  private current: string | undefined;

  constructor(
    private readonly log: FastifyBaseLogger,
    private readonly level: 'error' | 'warn',
    /** Said at info level when the problem clears. */
    private readonly clearedMessage: string,
  ) {}

  /** The problem `problem` (what tells it from another: its message, say) met: logged unless it is the one logged last. */
  report(problem: string, fields: object, message: string): void {
    if (this.current !== problem) this.log[this.level](fields, message);
    this.current = problem;
  }

  /** No problem (any more): said once, at info level, with `fields`. */
  cleared(fields: object = {}): void {
    if (this.current !== undefined) this.log.info(fields, this.clearedMessage);
    this.current = undefined;
  }
}
