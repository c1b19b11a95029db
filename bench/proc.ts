/** What Linux says about a process (/proc): CPU time used so far, resident memory, open-file limit. */
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Clock ticks per second of /proc/<pid>/stat times (getconf CLK_TCK; 100 on every Linux we know). */
const CLOCK_TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** User + system CPU seconds the process has used, all its threads (JS, GC, libuv pool) counted. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: count fields from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
}

/**
 * Seconds the process's main thread (its JavaScript thread) has spent runnable but waiting for a CPU
 * (/proc/<pid>/schedstat): how much other load on the machine held it back.
 */
export function runQueueWaitSeconds(pid: number): number {
  const [, waitingNs] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ');
  return Number(waitingNs) / 1e9;
}

/** CPU seconds the whole machine has spent busy (everything but idle and I/O wait, /proc/stat), all cores. */
export function machineBusySeconds(): number {
  const [, ...times] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal; guest time is already inside user and nice, and steal
  // (another guest of the host running) is not this machine's work.
  const busy = [0, 1, 2, 5, 6].reduce((sum, field) => sum + (times[field] ?? 0), 0);
  return busy / CLOCK_TICKS_PER_S;
}

/** The processes descended from `ancestor` whose command line contains `marker`, by pid. */
export function descendantsWith(ancestor: number, marker: string): number[] {
  const parents = new Map<number, number>();
  const commands = new Map<number, string>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parents.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      commands.set(pid, readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
    } catch {
      // Exited while listed.
    }
  }
  const descends = (pid: number): boolean => {
    for (let at = parents.get(pid); at !== undefined && at > 1; at = parents.get(at)) if (at === ancestor) return true;
    return false;
  };
  return [...commands].filter(([pid, command]) => command.includes(marker) && descends(pid)).map(([pid]) => pid);
}

/** Resident set size, bytes. */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match === null ? Number.NaN : Number(match[1]) * 1024;
}

/** The soft limit on open files of this process (and so of the processes it starts). */
export function openFileLimit(): number {
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  return match === null || match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
}

/** Load averages over 1, 5 and 15 minutes. */
export function loadAverage(): readonly [number, number, number] {
  const [one, five, fifteen] = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
  return [one ?? Number.NaN, five ?? Number.NaN, fifteen ?? Number.NaN];
}
