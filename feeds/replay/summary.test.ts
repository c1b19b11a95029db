import { describe, expect, test } from 'vitest';
import { formatDuration, formatSummary, plural, type ReplayStats } from './summary.js';

const T0 = Date.UTC(2024, 0, 2, 14, 30);
const none: ReplayStats = { files: [{ file: 'empty.csv', format: 'csv', ticks: 0 }], lines: 1, ticks: 0, outside: 0, symbols: [], ignored: {}, skipped: {}, firstTime: Number.NaN, lastTime: Number.NaN };

describe('the replay summary', () => {
  test('counts read as English: one line, one tick; no symbol leaves no trailing space', () => {
    const lines = formatSummary(none).split('\n');
    expect(lines[0]).toBe('ticks:    0 from 1 line');
    expect(lines[1]).toBe('symbols:  0');
    expect(lines[2]).toBe('span:     no ticks');
    expect(lines[5]).toBe('file:     empty.csv (csv): 0 ticks');
    const one = formatSummary({ ...none, files: [{ file: 'one.csv', format: 'csv', ticks: 1 }], lines: 2, ticks: 1, symbols: ['X'], firstTime: T0, lastTime: T0 }).split('\n');
    expect(one[0]).toBe('ticks:    1 from 2 lines');
    expect(one[1]).toBe('symbols:  1 X');
    expect(one[5]).toBe('file:     one.csv (csv): 1 tick');
  });

  test('plural() and formatDuration()', () => {
    expect([plural(1, 'gap'), plural(0, 'gap'), plural(1_200, 'tick')]).toEqual(['1 gap', '0 gaps', '1,200 ticks']);
    expect([formatDuration(0), formatDuration(3_723_000)]).toEqual(['0 s', '1 h 2 min 3 s']);
  });
});
