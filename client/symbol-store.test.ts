import { describe, expect, test } from 'vitest';
import type { Bar, SnapshotMessage } from './protocol/messages.js';
import type { Recovery } from './recovery.js';
import { SymbolStore, type StoreHost } from './symbol-store.js';

const bar = (time: number, close: number): Bar => [time, close, close, close, close, 1];

function snapshot(bars: Bar[]): SnapshotMessage {
  return { type: 'snapshot', symbol: 'AAPL', data: { s: 'AAPL', p: bars.at(-1)![4], k: bars } };
}

describe('SymbolStore recovery', () => {
  test('a round cut short after filling bars does not lose them from the count: the round that finishes reports them', async () => {
    // The server's truth: the bar at 2 s ended differently from what the client saw, and 3 s to 5 s it missed.
    const truth = [bar(2_000, 12), bar(3_000, 13), bar(4_000, 14), bar(5_000, 15)];
    let onHistory: (() => void) | undefined;
    const host: StoreHost = {
      emit: () => {},
      listened: () => false,
      wanted: () => true,
      history: async (_symbol, _limit, end) => {
        onHistory?.();
        return truth.filter((b) => end === undefined || b[0] < end);
      },
    };
    const store = new SymbolStore(100, host);
    store.snapshot(snapshot([bar(0, 10), bar(1_000, 11), bar(2_000, 11.5)]));

    // Round 1: the connection comes back, the snapshot anchors at 6 s, and while its history is being
    // fetched the connection drops again (round 2 begins).
    const first = store.beginRecovery();
    store.snapshot(snapshot([bar(6_000, 16)]));
    let second: ReturnType<SymbolStore['beginRecovery']> | undefined;
    onHistory = () => {
      onHistory = undefined;
      second = store.beginRecovery();
    };
    expect(await store.recover('reconnect', 0, first, Promise.resolve())).toBeUndefined();

    // Round 2: the same snapshot again; history has nothing the client lacks any more.
    store.snapshot(snapshot([bar(6_000, 16)]));
    const recovery: Recovery | undefined = await store.recover('reconnect', 0, second!, Promise.resolve());
    expect(recovery?.symbols).toEqual(['AAPL']);
    expect(recovery?.incomplete).toEqual([]);
    expect(recovery?.filledBars).toBe(4);
    expect(store.view('AAPL')?.barAt(2_000)).toEqual(bar(2_000, 12));
  });
});
