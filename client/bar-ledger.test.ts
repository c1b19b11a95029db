import { describe, expect, test } from 'vitest';
import { BarLedger, type BarEvent } from './bar-ledger.js';
import type { Bar } from './protocol/messages.js';

const bar = (time: number, close: number): Bar => [time, close, close, close, close, 1];
const told = (events: BarEvent[]): [number, number, boolean, boolean][] =>
  events.map((event) => [event.bar[0], event.bar[4], event.closed, event.revision]);

describe('BarLedger', () => {
  test('the forming bar is told as it changes, then once more closed when a later bar starts', () => {
    const ledger = new BarLedger('X');
    expect(told(ledger.apply([bar(1_000, 1)], 1_000))).toEqual([[1_000, 1, false, false]]);
    expect(told(ledger.apply([bar(1_000, 2)], 1_000))).toEqual([[1_000, 2, false, false]]);
    // The frame carries only the new bar: the previous one is closed with its last values.
    expect(told(ledger.apply([bar(2_000, 3)], 2_000))).toEqual([
      [1_000, 2, true, false],
      [2_000, 3, false, false],
    ]);
  });

  test('a bar that closes in the same frame it last changed is told once, closed', () => {
    const ledger = new BarLedger('X');
    ledger.apply([bar(1_000, 1)], 1_000);
    expect(told(ledger.apply([bar(1_000, 5), bar(2_000, 6)], 2_000))).toEqual([
      [1_000, 5, true, false],
      [2_000, 6, false, false],
    ]);
  });

  test('a batch of bars (a snapshot, a recovery) is told in order, all closed but the newest', () => {
    const ledger = new BarLedger('X');
    expect(told(ledger.apply([bar(1_000, 1), bar(2_000, 2), bar(3_000, 3)], 3_000))).toEqual([
      [1_000, 1, true, false],
      [2_000, 2, true, false],
      [3_000, 3, false, false],
    ]);
  });

  test('changes behind the newest bar are revisions; unchanged bars are not told again', () => {
    const ledger = new BarLedger('X');
    ledger.apply([bar(1_000, 1), bar(3_000, 3)], 3_000);
    expect(told(ledger.apply([bar(2_000, 2)], 3_000))).toEqual([[2_000, 2, true, true]]);
    expect(told(ledger.apply([bar(3_000, 3)], 3_000))).toEqual([]);
  });

  test('the newest bar closes when a later one exists even if that one is not among the changes', () => {
    const ledger = new BarLedger('X');
    ledger.apply([bar(1_000, 1)], 1_000);
    expect(told(ledger.apply([], 2_000))).toEqual([[1_000, 1, true, false]]);
    expect(told(ledger.apply([], 2_000))).toEqual([]);
  });
});
