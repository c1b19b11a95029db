/** How the benchmark orders repeated runs and sums them up: no target always runs first; medians of even counts. */
import { describe, expect, test } from 'vitest';
import { median } from '../../bench/report.js';
import { inRoundOrder } from '../../bench/run-target.js';

describe('benchmark rounds', () => {
  test('the targets run as given in even rounds and reversed in odd ones, so each runs first as often', () => {
    const targets = ['tickertape', 'tickertape@a2ad89a', 'socketio'];
    const orders = [0, 1, 2, 3].map((round) => inRoundOrder(targets, round));
    expect(orders).toEqual([targets, [...targets].reverse(), targets, [...targets].reverse()]);
    expect(targets).toEqual(['tickertape', 'tickertape@a2ad89a', 'socketio']);
    const firsts = orders.map((order) => order[0]);
    expect(firsts.filter((name) => name === 'tickertape')).toHaveLength(2);
    expect(firsts.filter((name) => name === 'socketio')).toHaveLength(2);
  });

  test('median: the middle value, the mean of the middle two, NaN for none; the input is left as it was', () => {
    const values = [3, 1, 2];
    expect(median(values)).toBe(2);
    expect(values).toEqual([3, 1, 2]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
