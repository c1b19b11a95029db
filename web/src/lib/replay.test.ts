import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import type { ReplayAction, ReplayMessage, TickerClient } from '../../../client/index.js';
import { ReplayControls, SEEK_SETTLE_MS } from './replay.svelte.js';

/** The part of the client the replay controls use: requests answered by hand. */
class FakeClient {
  readonly asked: { action: ReplayAction; time: number | undefined; answer: () => void }[] = [];

  on(): () => void {
    return () => {};
  }

  replay(action: ReplayAction, options: { readonly time?: number } = {}): Promise<ReplayMessage> {
    return new Promise((resolve) => this.asked.push({ action, time: options.time, answer: () => resolve({ type: 'replay' } as ReplayMessage) }));
  }
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

test('seeks in quick succession (a held arrow key) send one seek, to the last position, which the clock shows', async () => {
  const client = new FakeClient();
  const replay = new ReplayControls(client as unknown as TickerClient);
  for (let press = 1; press <= 30; press++) {
    replay.seek(1_000 * press);
    expect(replay.clock).toBe(1_000 * press);
    await vi.advanceTimersByTimeAsync(40);
  }
  expect(client.asked).toEqual([]);
  await vi.advanceTimersByTimeAsync(SEEK_SETTLE_MS);
  expect(client.asked.map((ask) => ask.time)).toEqual([30_000]);

  // While that seek is under way, more presses: one more seek once it is answered, to the newest position.
  replay.seek(31_000);
  await vi.advanceTimersByTimeAsync(SEEK_SETTLE_MS);
  replay.seek(32_000);
  await vi.advanceTimersByTimeAsync(SEEK_SETTLE_MS);
  expect(client.asked.length).toBe(1);
  expect(replay.clock).toBe(32_000);
  client.asked[0]!.answer();
  await vi.advanceTimersByTimeAsync(0);
  expect(client.asked.map((ask) => ask.time)).toEqual([30_000, 32_000]);
  replay.dispose();
});
