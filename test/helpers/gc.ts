import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
/** V8's collector, as `node --expose-gc` would give it, without changing how vitest starts workers. */
const gc = runInNewContext('gc') as () => void;

/** Heap in use after full collections (a few: weak callbacks and finalizers free more on later passes). */
export async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

/**
 * Counts of libuv handles and requests keeping the process alive, by kind (TCPSocketWrap, Timeout, ...).
 * Immediates are left out: they are callbacks queued for this very turn of the loop, not held resources.
 */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) if (kind !== 'Immediate') counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}
