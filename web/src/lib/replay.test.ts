import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import type { ReplayAction, ReplayMessage, TickerClient } from '../../../client/index.js';
import { ReplayControls, SEEK_SETTLE_MS, timelineLabels } from './replay.svelte.js';

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

test('the timeline shows times of day for a replay within one UTC day, and dates for one over more', () => {
  expect(timelineLabels(Date.UTC(2024, 0, 2, 14, 30, 0, 34), Date.UTC(2024, 0, 2, 14, 45, 2, 176))).toEqual(['14:30:00', '14:45:02']);
  // Across midnight: a few minutes, but 23:55 to 00:00 alone would read as the end before the start.
  expect(timelineLabels(Date.UTC(2024, 7, 8, 23, 55), Date.UTC(2024, 7, 9, 0, 0, 1))).toEqual(['2024-08-08 23:55', '2024-08-09 00:00']);
  // Two files three years apart, merged: the wait between them shows.
  expect(timelineLabels(Date.UTC(2021, 3, 17, 16, 41, 49), Date.UTC(2024, 7, 9, 0, 0, 1))).toEqual(['2021-04-17 16:41', '2024-08-09 00:00']);
  expect(timelineLabels(Date.UTC(2024, 0, 2, 14, 30), undefined)).toEqual(['14:30:00', '…']);
});
