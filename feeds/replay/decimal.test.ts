import { describe, expect, test } from 'vitest';
import { decimal, decimalAt } from './decimal.js';

describe('decimalAt', () => {
  test('reads exactly what Number() reads, for prices and sizes as venues write them', () => {
    for (let i = 0; i < 200_000; i++) {
      const value = Math.random() * 10 ** Math.floor(Math.random() * 12);
      for (const text of [value.toFixed(Math.floor(Math.random() * 9)), String(value)]) {
        expect(decimal(text), text).toBe(Number(text));
      }
    }
  });

  test.each(['0', '0.0', '007', '2683.80000000', '0.00001305', '1704205800000.4556', '9007199254740993', '123456789012345.67', '1e5', '-1', '.5', '5.', '+3'])(
    '%s reads as Number() reads it',
    (text) => {
      expect(decimal(text)).toBe(Number(text));
    },
  );

  test('an empty field is absent; text that is no number is NaN', () => {
    expect(decimal('')).toBeUndefined();
    for (const text of ['.', 'abc', '1.2.3', '12a']) expect(decimal(text), text).toBeNaN();
  });

  test('reads a field in place, between two commas', () => {
    const line = '1,2683.8,0.002';
    expect(decimalAt(line, 2, 8)).toBe(2683.8);
    expect(decimalAt(line, 9, line.length)).toBe(0.002);
  });
});
