import { describe, expect, test } from 'vitest';
import { effectiveOptions, SubscriptionBook } from './subscription-book.js';

describe('subscriptions held by several consumers', () => {
  test('the server is asked for the union: bars if any wants them, the fastest rate asked', () => {
    expect(effectiveOptions([{ bars: false, maxRate: 1 }, { bars: false, maxRate: 4 }])).toEqual({ bars: false, snapshot: true, maxRate: 4 });
    expect(effectiveOptions([{ bars: false, maxRate: 1 }, {}])).toEqual({ bars: true, snapshot: true });
    expect(effectiveOptions([{ snapshot: false, bars: false }])).toEqual({ bars: false, snapshot: false });
  });

  test('a symbol is let go when its last holder lets go; options are re-sent only when they change', () => {
    const book = new SubscriptionBook();
    const a = {};
    const b = {};
    book.hold('X', a, { bars: false });
    expect(book.needsSending('X')).toBe(true);
    book.markSent('X');
    book.hold('X', b, { bars: false, snapshot: false });
    expect(book.needsSending('X')).toBe(false);
    book.hold('X', b, { bars: true });
    expect(book.needsSending('X')).toBe(true);
    expect(book.release('X', a)).toBe(false);
    expect(book.release('X', b)).toBe(true);
    expect(book.has('X')).toBe(false);
  });
});
