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

  test.each(['-2.5', '+0.5', '1e-7', '2.5E+3', '-1.5e3', '1.e5', '.5e1', '12345678901234567890', '-0.1234567890123456789', '1e308', '4.9e-324'])(
    '%s, signed, exponent or long, reads as Number() reads it',
    (text) => {
      expect(decimal(text)).toBe(Number(text));
    },
  );

  test('an empty field is absent; text that is no number is NaN', () => {
    expect(decimal('')).toBeUndefined();
    for (const text of ['.', 'abc', '1.2.3', '12a', '-', '+', '.e5', '1e', '1e+', '1e5.5', '1ee5', '--1', '+-1']) expect(decimal(text), text).toBeNaN();
  });

  test("JavaScript's other number forms, blanks and values beyond a double are NaN, not what Number() makes of them", () => {
    for (const text of ['0x10', '0X10', '0b1', '0o7', 'Infinity', '-Infinity', 'NaN', '1_000', ' 1', '1 ', '\t1', '1\n', '1e400', '-1e400', '123456789012345678901e300']) {
      expect(decimal(text), text).toBeNaN();
    }
  });

  test('reads a field in place, between two commas', () => {
    const line = '1,2683.8,0.002';
    expect(decimalAt(line, 2, 8)).toBe(2683.8);
    expect(decimalAt(line, 9, line.length)).toBe(0.002);
  });
});
