import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Tick } from '../tick.js';
import { createSimulator } from './index.js';

/** Pending timers and immediates in this process, by kind. */
function pendingTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout' || kind === 'Immediate').length;
}

describe('paced simulator feed', () => {
  it('delivers ticks whose event times track the wall clock', async () => {
    const simulator = createSimulator({ ticksPerSecond: 20_000 });
    const lags: number[] = [];
    let first: Tick | undefined;
    let last: Tick | undefined;
    const started = Date.now();
    for await (const tick of simulator) {
      lags.push(Date.now() - tick.ts);
      first ??= tick;
      last = tick;
      if (Date.now() - started >= 500) break;
    }
    const wallMs = Date.now() - started;
    // Never ahead of the clock (Date.now() is whole ms), and behind it by about a batch interval, not more.
    expect(Math.min(...lags)).toBeGreaterThanOrEqual(-1);
    lags.sort((x, y) => x - y);
    expect(lags[Math.floor(lags.length / 2)]).toBeLessThan(20);
    expect(lags.at(-1)).toBeLessThan(200);
    // Event time covered matches wall time spent, and the start time defaulted to "now".
    expect(Math.abs((first?.ts ?? NaN) - started)).toBeLessThan(50);
    expect(Math.abs((last?.ts ?? NaN) - (first?.ts ?? NaN) - wallMs)).toBeLessThan(100);
    expect(lags.length).toBeGreaterThan(2000);
  });

  it('takeDue() hands over, without a promise, the ticks next() would, in the same order, never one not yet due', async () => {
    const startTime = Date.now();
    const simulator = createSimulator({ seed: 7, ticksPerSecond: 20_000, startTime });
    const iterator = simulator[Symbol.asyncIterator]();
    const got: Tick[] = [];
    let taken = 0;
    while (got.length < 4_000) {
      for (let tick = iterator.takeDue(); tick !== undefined; tick = iterator.takeDue()) {
        expect(tick.ts).toBeLessThanOrEqual(Date.now() + 1);
        got.push(tick);
        taken++;
      }
      const next = await iterator.next();
      if (next.done === true) break;
      got.push(next.value);
    }
    await iterator.return();
    expect(iterator.takeDue()).toBeUndefined();
    // Most came without a promise: next() only opened each batch.
    expect(taken).toBeGreaterThan(got.length / 2);
    expect(got).toEqual([...simulator.ticks(got.length)]);
  });

  it('a warm start plays the last warmupMs of event time at once, then follows the clock', async () => {
    const simulator = createSimulator({ ticksPerSecond: 2_000, warmupMs: 120_000 });
    expect(simulator.info.description).toMatch(/warm start 2 min$/);
    const started = Date.now();
    let first: Tick | undefined;
    let count = 0;
    for await (const tick of simulator) {
      first ??= tick;
      count++;
      // Caught up: event time has reached the wall clock.
      if (tick.ts >= Date.now() - 20) break;
    }
    const tookMs = Date.now() - started;
    expect(Math.abs((first?.ts ?? NaN) - (started - 120_000))).toBeLessThan(100);
    expect(count).toBeGreaterThan(120 * 2_000 * 0.5);
    expect(tookMs).toBeLessThan(30_000);
  });

  it('stops cleanly when the consumer breaks out of for await: no timer is left behind', async () => {
    const before = pendingTimers();
    let count = 0;
    for await (const _tick of createSimulator({ ticksPerSecond: 5000 })) {
      if (++count === 500) break;
    }
    expect(count).toBe(500);
    // The test runner keeps timers of its own, which may come and go: ours must not be among those left.
    expect(pendingTimers()).toBeLessThanOrEqual(before);
  });

  it('return() while waiting for the next tick settles that wait as done and clears its timer at once', async () => {
    const before = pendingTimers();
    // At one tick a second, the first tick is most likely some way off: next() waits on a timer.
    const iterator = createSimulator({ ticksPerSecond: 1, seed: 4 })[Symbol.asyncIterator]();
    const waiting = iterator.next();
    expect(pendingTimers()).toBe(before + 1);
    const returnedAt = performance.now();
    await expect(iterator.return()).resolves.toEqual({ done: true, value: undefined });
    await expect(waiting).resolves.toEqual({ done: true, value: undefined });
    expect(performance.now() - returnedAt).toBeLessThan(50);
    expect(pendingTimers()).toBeLessThanOrEqual(before);
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('each iteration replays the sequence from the seed', async () => {
    const simulator = createSimulator({ ticksPerSecond: 50_000, startTime: 1_700_000_000_000 });
    const run = async (): Promise<Tick[]> => {
      const ticks: Tick[] = [];
      for await (const tick of simulator) if (ticks.push(tick) >= 1000) break;
      return ticks;
    };
    expect(await run()).toEqual(await run());
  });

  it('a slow consumer falls behind yet gets every tick in order, and timers still run meanwhile', async () => {
    const options = { ticksPerSecond: 100_000, seed: 8, startTime: Date.now() } as const;
    const expected = [...createSimulator(options).ticks(20_000)];
    // A 20 ms timer set before a loop that takes at least 500 ms (20,000 ticks × 25 µs of work).
    let timerFired = false;
    const timer = sleep(20).then(() => {
      timerFired = true;
    });
    const received: Tick[] = [];
    for await (const tick of createSimulator(options)) {
      // About 25 µs of work per tick: a quarter of the pace 100,000 ticks/s needs.
      const until = performance.now() + 0.025;
      while (performance.now() < until);
      if (received.push(tick) >= expected.length) break;
    }
    // Catching up yields to the event loop: the timer ran while the loop was still busy.
    const firedDuringLoop = timerFired;
    await timer;
    expect(received).toEqual(expected);
    // Behind: the last tick was due well before it was handed over.
    expect(Date.now() - (received.at(-1)?.ts ?? NaN)).toBeGreaterThan(100);
    expect(firedDuringLoop).toBe(true);
  });
});
