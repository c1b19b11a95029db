import { describe, expect, test } from 'vitest';
import { SymbolCache } from './symbol-cache.js';

describe('SymbolCache', () => {
  test('gives back the very same string for a symbol that comes back, and always the right text', () => {
    const cache = new SymbolCache();
    const first = cache.slice('1,BTC-USD,2', 2, 9);
    const again = cache.slice('7,BTC-USD,3', 2, 9);
    expect(first).toBe('BTC-USD');
    expect(Object.is(first, again)).toBe(true);
    // Thousands of symbols through 1024 slots: collisions evict, never confuse.
    const symbols = Array.from({ length: 5_000 }, (_, i) => `S${i.toString(36).toUpperCase()}-X`);
    for (let round = 0; round < 3; round++) {
      for (const symbol of symbols) expect(cache.slice(`9,${symbol},1`, 2, 2 + symbol.length)).toBe(symbol);
    }
    expect(cache.slice('a,,b', 2, 2)).toBe('');
  });
});
