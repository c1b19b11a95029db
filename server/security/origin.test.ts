import { describe, expect, test } from 'vitest';
import { originAllowed } from './origin.js';

describe('originAllowed', () => {
  test.each([
    [undefined, 'ticker.example.com', [], true, 'no Origin: not a browser page'],
    ['https://ticker.example.com', 'ticker.example.com', [], true, 'same origin'],
    ['https://TICKER.example.com', 'ticker.example.com', [], true, 'hosts compare case-insensitively'],
    ['http://localhost:5173', 'localhost:5173', [], true, 'same origin with a port'],
    ['http://localhost:5173', 'localhost:8080', [], false, 'another port is another origin'],
    ['https://evil.example', 'ticker.example.com', [], false, 'another site'],
    ['https://ticker.example.com.evil.example', 'ticker.example.com', [], false, 'a suffix trick'],
    ['null', 'ticker.example.com', [], false, 'sandboxed frames and file:// pages'],
    ['https://evil.example', undefined, [], false, 'no Host to compare with'],
    ['https://app.example.com', 'ticker.example.com', ['https://app.example.com'], true, 'listed'],
    ['https://app.example.com', 'ticker.example.com', ['https://app.example.com/'], true, 'listed with a trailing slash'],
    ['https://evil.example', 'ticker.example.com', ['*'], true, 'everyone allowed'],
  ] as const)('%s with Host %s and %j: %s (%s)', (origin, host, allowed, expected, _why) => {
    expect(originAllowed(origin, host, allowed)).toBe(expected);
  });
});
