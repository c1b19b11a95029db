/**
 * Processes a test starts (redis-server, tickertape roles) must not outlive it, even when it fails: each is
 * started in its own process group and remembered here; `killOwned()` (afterAll/afterEach) SIGKILLs every
 * group still alive, and so does the test worker's exit, as a last resort.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const living = new Set<ChildProcess>();

/** SIGKILLs the child's whole process group (it leads one: spawned detached), or the child alone. */
export function killGroup(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

process.once('exit', () => {
  for (const child of living) killGroup(child);
});

/** Spawns `command` as the leader of a new process group, owned by the test worker. */
export function spawnOwned(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(command, [...args], { ...options, detached: true });
  living.add(child);
  child.once('exit', () => living.delete(child));
  return child;
}

/** SIGKILLs every owned process still running and waits until each has exited. */
export async function killOwned(): Promise<void> {
  const exits = [...living].map((child) => new Promise((resolve) => child.once('exit', resolve)));
  for (const child of living) killGroup(child);
  await Promise.all(exits);
}
