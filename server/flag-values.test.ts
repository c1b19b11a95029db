import { parseArgs } from 'node:util';
import { describe, expect, test } from 'vitest';
import { joinNegativeValues, parseFlags } from './flag-values.js';

const OPTIONS = { ticks: { type: 'string' }, speed: { type: 'string' }, loop: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

describe('joinNegativeValues', () => {
  test('a negative number after an option that takes a value becomes its value, which parseArgs then takes', () => {
    const args = joinNegativeValues(['--ticks', '-5', '--speed', '-0.5', 'file.csv', '--speed', '-.5', '--ticks', '-1e3'], OPTIONS);
    expect(args).toEqual(['--ticks=-5', '--speed=-0.5', 'file.csv', '--speed=-.5', '--ticks=-1e3']);
    expect(parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: true }).values).toMatchObject({ ticks: '-1e3', speed: '-.5' });
  });

  test('anything else is left for parseArgs to judge: options, boolean flags, unknown flags, after --', () => {
    const same = [
      ['--ticks', '--loop'],
      ['--ticks', '-h'],
      ['--loop', '-5'],
      ['--bogus', '-5'],
      ['--ticks=-5'],
      ['--', '--ticks', '-5'],
      ['--ticks'],
      ['--constructor', '-5'],
    ];
    for (const args of same) expect(joinNegativeValues(args, OPTIONS), JSON.stringify(args)).toEqual(args);
  });
});

describe('parseFlags', () => {
  test('is parseArgs with negative values joined: --ticks -5 is the value "-5", and what parseArgs refuses it still refuses', () => {
    expect(parseFlags(['--ticks', '-5', '--loop'], { options: OPTIONS, strict: true }).values).toEqual({ ticks: '-5', loop: true });
    expect(() => parseFlags(['--loop', '-5'], { options: OPTIONS, strict: true })).toThrow(/Unexpected argument '-5'|Unknown option '-5'/);
  });
});
