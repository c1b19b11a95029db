import { describe, expect, test } from 'vitest';
import { ReplayError } from './errors.js';
import { parseTimeOption } from './options.js';

describe('parseTimeOption (--from, --to, record --start)', () => {
  test('takes ISO-8601 to the second, the minute or the day, with a T or a space, UTC unless a zone is given', () => {
    const at = Date.UTC(2024, 7, 8, 23, 55);
    expect(parseTimeOption('--from', '2024-08-08T23:55:00Z')).toBe(at);
    expect(parseTimeOption('--from', '2024-08-08 23:55:00')).toBe(at);
    expect(parseTimeOption('--from', '2024-08-08 23:55')).toBe(at);
    expect(parseTimeOption('--from', '2024-08-08T23:55')).toBe(at);
    expect(parseTimeOption('--from', '2024-08-08T23:55Z')).toBe(at);
    expect(parseTimeOption('--from', '2024-08-09 01:55+02:00')).toBe(at);
    expect(parseTimeOption('--from', '2024-08-09T01:55+0200')).toBe(at);
    expect(parseTimeOption('--from', ' 2024-08-08 23:55 ')).toBe(at);
    expect(parseTimeOption('--from', '2024-08-08')).toBe(Date.UTC(2024, 7, 8));
    expect(parseTimeOption('--from', '1723161300')).toBe(at);
  });

  test('anything else is refused with the forms it takes', () => {
    for (const text of ['noon', '2024-08-08 23', '2024-08-08 23:5', '2024-08-08 24:00', '2024-02-30', '2024-08-08Z', '2024-08-08  23:55', '08/08/2024 23:55']) {
      const parse = (): number => parseTimeOption('--from', text);
      expect(parse, text).toThrow(ReplayError);
      expect(parse, text).toThrow(
        `--from must be a time such as 2024-08-09T00:05:00Z, 2024-08-09 00:05 or 2024-08-09 (ISO-8601, UTC unless a zone such as +02:00 is given), or epoch s, ms, µs or ns, got "${text}"`,
      );
    }
  });
});
