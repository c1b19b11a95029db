/**
 * What bench/main.ts says of the flags the cluster scenario takes no account of. Apart from ../cluster.ts so
 * that it can be tested without loading the scenario.
 */
import { CLUSTER_SYMBOLS } from './market.js';

/** The flags the cluster scenario ignores that were given (`given`: every flag on the command line, as `--name`). */
export function ignoredFlagNotes(given: readonly string[]): string[] {
  const notes: string[] = [];
  if (given.includes('--symbols')) notes.push(`--symbols does not apply: the cluster runs the simulator of the command line, ${CLUSTER_SYMBOLS.length} symbols`);
  const ignored = ['--targets', '--profile', '--perf'].filter((flag) => given.includes(flag));
  if (ignored.length > 0) {
    const names = ignored.length === 1 ? ignored[0]! : `${ignored.slice(0, -1).join(', ')} and ${ignored.at(-1)!}`;
    notes.push(
      `${names} ${ignored.length === 1 ? 'does' : 'do'} not apply to the cluster scenario: it runs its own roles (this checkout's ` +
        'tickertape as one process, then as an ingest and two gateways on Redis), not the targets, and neither profiles nor records them',
    );
  }
  return notes;
}
