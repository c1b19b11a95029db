import { describe, expect, test } from 'vitest';
import { numberIn, numberMessage, type NumberRule } from './number-text.js';

const WHOLE: NumberRule = { name: 'port', where: '--port, PORT', min: 0, max: 65_535, whole: true };
const DECIMAL: NumberRule = { name: '--speed', min: 0.1, max: 100_000, whole: false, unit: 'x' };

describe('numbers from flag and variable text', () => {
  test.each([
    ['8080', WHOLE, 8080],
    ['0', WHOLE, 0],
    ['080', WHOLE, 80],
    ['65535', WHOLE, 65_535],
    ['2.5', DECIMAL, 2.5],
    ['10', DECIMAL, 10],
    ['0.1', DECIMAL, 0.1],
  ])('%j is %s', (text, rule, value) => {
    expect(numberIn(text, rule)).toBe(value);
  });

  // Each of these is a number to JavaScript's Number() (or 0, for the empty and blank ones).
  test.each(['0x10', '0X10', '0b1', '0o7', '1e3', '1E3', ' 8', '8 ', '\t8', '+8', '-0', 'Infinity', '8.', '.5', '', ' ', '1_000', '8.0'])(
    '%j is not a whole number',
    (text) => {
      expect(numberIn(text, WHOLE)).toBeUndefined();
    },
  );

  test.each(['0x10', '1e3', '2.5e1', ' 2', '2 ', '+2', '2.', '.5', '', 'Infinity', 'NaN', '1,5'])('%j is not a decimal number', (text) => {
    expect(numberIn(text, DECIMAL)).toBeUndefined();
  });

  test('out of range and fractions where a whole number is asked are refused', () => {
    expect(numberIn('65536', WHOLE)).toBeUndefined();
    expect(numberIn('99999999999999999999', WHOLE)).toBeUndefined();
    expect(numberIn('0.05', DECIMAL)).toBeUndefined();
    expect(numberIn('100000.5', DECIMAL)).toBeUndefined();
  });

  test('the message names the setting, where it is set and what is allowed', () => {
    expect(numberMessage(WHOLE, '"0x10"')).toBe('port must be a whole number from 0 to 65535 (--port, PORT), got "0x10"');
    expect(numberMessage(DECIMAL, '"fast"')).toBe('--speed must be a number from 0.1 to 100000 x, got "fast"');
  });
});
