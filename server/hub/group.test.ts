import { describe, expect, test } from 'vitest';
import { Market } from '../market/market.js';
import type { Instrument } from '../../feeds/tick.js';
import { Group } from './group.js';
import type { Subscription } from './session.js';

const instruments: Instrument[] = ['AAA', 'BBB', 'CCC', 'DDD'].map((symbol) => ({
  symbol,
  name: symbol,
  assetClass: 'equity',
  currency: 'USD',
  tickSize: 0.01,
}));
const market = new Market(instruments, { retention: { secondBars: 10, minuteBars: 10 }, maxSymbols: 10 });
const plain: Subscription = { bars: false, tier: 1 };
const withBars: Subscription = { bars: true, tier: 1 };
const slow: Subscription = { bars: false, tier: 4 };

const subs = (...entries: [string, Subscription][]): Map<string, Subscription> => new Map(entries);

describe('subscription groups', () => {
  test('connections subscribed to the same symbols with the same options share a key, in any order', () => {
    const one = Group.keyOf(subs(['CCC', plain], ['AAA', plain], ['*', withBars]), market);
    const other = Group.keyOf(subs(['*', { ...withBars }], ['AAA', { ...plain }], ['CCC', plain]), market);
    expect(one).toBe(other);
  });

  test.each([
    ['another symbol', subs(['AAA', plain], ['DDD', plain])],
    ['bars', subs(['AAA', plain], ['CCC', withBars])],
    ['a slower rate', subs(['AAA', plain], ['CCC', slow])],
    ['the wildcard', subs(['AAA', plain], ['CCC', plain], ['*', plain])],
    ['one symbol fewer', subs(['AAA', plain])],
  ])('a different subscription (%s) gets a different key', (_what, different) => {
    expect(Group.keyOf(different, market)).not.toBe(Group.keyOf(subs(['AAA', plain], ['CCC', plain]), market));
  });

  test('gives back the subscriptions it was made from', () => {
    const made = subs(['DDD', slow], ['AAA', plain], ['*', withBars], ['BBB', plain]);
    const group = new Group(Group.keyOf(made, market), made, market);
    expect(group.subscriptionMap()).toEqual(made);
    const uniform = subs(['CCC', plain], ['BBB', plain]);
    expect(new Group(Group.keyOf(uniform, market), uniform, market).subscriptionMap()).toEqual(uniform);
  });
});
