import { createSimulator } from '../../feeds/simulator/index.js';
import type { Tick } from '../../feeds/tick.js';

export const LATE_TICKS_START = Date.UTC(2024, 0, 2, 14, 30);

/** Simulated ticks with about 1 % delivered late (up to 3 s behind), as a merged or relayed feed does. */
export function ticksWithLateOnes(count: number, seed: number, start = LATE_TICKS_START): Tick[] {
  const sim = createSimulator({ seed, ticksPerSecond: 4_000, startTime: start });
  const ticks = [...sim.ticks(count)];
  let state = seed;
  const random = (): number => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const out: Tick[] = [];
  const held: { tick: Tick; until: number }[] = [];
  for (const tick of ticks) {
    if (random() < 0.01) held.push({ tick, until: tick.ts + random() * 3_000 });
    else out.push(tick);
    for (let i = held.length - 1; i >= 0; i--) {
      if (held[i]!.until <= tick.ts) out.push(held.splice(i, 1)[0]!.tick);
    }
  }
  out.push(...held.map((h) => h.tick));
  return out;
}
