import { describe, expect, test } from 'vitest';
import { accessTokenFrom, withAccessToken } from './access-token.js';

describe('the dashboard forwards the token it was opened with', () => {
  test('read from the fragment, appended to /ws and /api URLs', () => {
    const token = accessTokenFrom('#access_token=abc.def-ghi&other=1');
    expect(token).toBe('abc.def-ghi');
    expect(withAccessToken('wss://ticker.example.com/ws', token)).toBe('wss://ticker.example.com/ws?access_token=abc.def-ghi');
    expect(withAccessToken('/api/symbols?q=a', 'a+b/c')).toBe('/api/symbols?q=a&access_token=a%2Bb%2Fc');
  });

  test('without one, URLs are left alone', () => {
    expect(accessTokenFrom('')).toBeUndefined();
    expect(accessTokenFrom('#access_token=')).toBeUndefined();
    expect(withAccessToken('/api/symbols', undefined)).toBe('/api/symbols');
  });
});
