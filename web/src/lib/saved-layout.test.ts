import { expect, test } from 'vitest';
import { LAYOUT_STORAGE_KEY, loadLayout } from './saved-layout.js';

function storageWith(value: unknown): Storage {
  const items = new Map([[LAYOUT_STORAGE_KEY, JSON.stringify(value)]]);
  return { getItem: (key: string) => items.get(key) ?? null } as Storage;
}

test('a saved layout keeps only symbol names: a name the server would refuse (and its request with it) is dropped', () => {
  const tooLong = 'X'.repeat(40);
  const layout = loadLayout(storageWith({ symbols: ['AAPL', tooLong, 'BTC-USD', 'a b', '', 'ÅPPL', 'BRK.B'], selected: tooLong, interval: '1m' }));
  expect(layout.symbols).toEqual(['AAPL', 'BTC-USD', 'BRK.B']);
  expect(layout.selected).toBe('AAPL');
  expect(layout.interval).toBe('1m');
});
