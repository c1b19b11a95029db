import { describe, expect, test } from 'vitest';
import type { Bar } from './protocol/messages.js';
import { fillMissedBars, RECOVERY_PAGE_BARS } from './recovery.js';

/** A server holding one bar per second from `oldest` to `newest`, answering `history` like the real one. */
function serverWith(oldest: number, newest: number): { page: (o: { limit: number; end?: number }) => Promise<Bar[]>; asked: { limit: number; end?: number }[] } {
  const bars: Bar[] = [];
  for (let t = oldest; t <= newest; t += 1_000) bars.push([t, 1, 1, 1, 1, 1]);
  const asked: { limit: number; end?: number }[] = [];
  return {
    asked,
    page: async (options) => {
      asked.push(options);
      const before = bars.filter((bar) => options.end === undefined || bar[0] < options.end);
      return before.slice(Math.max(0, before.length - options.limit));
    },
  };
}

describe('fillMissedBars', () => {
  test('asks for exactly the seconds between the last bar told and the snapshot, in one page', async () => {
    const server = serverWith(0, 100_000);
    const merged: number[] = [];
    const outcome = await fillMissedBars(40_000, 70_000, server.page, (bar) => merged.push(bar[0]) > 0);
    expect(server.asked).toEqual([{ limit: 30, end: 70_000 }]);
    expect(merged).toEqual(Array.from({ length: 30 }, (_, i) => 40_000 + i * 1_000));
    expect(outcome).toEqual({ filled: 30, holeUntil: undefined });
  });

  test('needs nothing when the snapshot reaches back to the last bar told', async () => {
    const server = serverWith(0, 100_000);
    expect(await fillMissedBars(40_000, 40_000, server.page, () => true)).toEqual({ filled: 0, holeUntil: undefined });
    expect(server.asked).toEqual([]);
  });

  test('pages backwards when the gap is longer than a page', async () => {
    const server = serverWith(0, 3_000_000);
    const outcome = await fillMissedBars(500_000, 2_000_000, server.page, () => true);
    expect(server.asked.map((ask) => ask.end)).toEqual([2_000_000, 2_000_000 - RECOVERY_PAGE_BARS * 1_000]);
    expect(outcome).toEqual({ filled: 1_500, holeUntil: undefined });
  });

  test('reports a hole when the server no longer has the last bar told', async () => {
    const server = serverWith(50_000, 100_000);
    const outcome = await fillMissedBars(20_000, 90_000, server.page, () => true);
    expect(outcome).toEqual({ filled: 40, holeUntil: 50_000 });
  });

  test('without a snapshot to anchor on, pages back from now', async () => {
    const server = serverWith(0, 100_000);
    const outcome = await fillMissedBars(95_000, undefined, server.page, () => true);
    expect(server.asked).toEqual([{ limit: RECOVERY_PAGE_BARS }]);
    expect(outcome).toEqual({ filled: 6, holeUntil: undefined });
  });
});
