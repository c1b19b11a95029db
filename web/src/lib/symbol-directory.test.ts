import { afterEach, expect, test, vi } from 'vitest';
import { DIRECTORY_RETRY_MS, SymbolDirectory } from './symbol-directory.svelte.js';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

test('a 401 (auth on, no token or a bad one) is told, and not retried every 2 s', async () => {
  vi.useFakeTimers();
  const fetch = vi.fn(async () => new Response('', { status: 401 }));
  vi.stubGlobal('fetch', fetch);
  const directory = new SymbolDirectory('/api/symbols');
  await directory.load();
  expect(directory.denied).toEqual({ status: 401, withToken: false });
  await vi.advanceTimersByTimeAsync(DIRECTORY_RETRY_MS * 5);
  expect(fetch).toHaveBeenCalledTimes(1);

  const withToken = new SymbolDirectory('/api/symbols?access_token=wrong');
  await withToken.load();
  expect(withToken.denied).toEqual({ status: 401, withToken: true });
});

test('other failures are still retried', async () => {
  vi.useFakeTimers();
  const fetch = vi.fn(async () => new Response('', { status: 503 }));
  vi.stubGlobal('fetch', fetch);
  const directory = new SymbolDirectory('/api/symbols');
  await directory.load();
  expect(directory.denied).toBeUndefined();
  await vi.advanceTimersByTimeAsync(DIRECTORY_RETRY_MS);
  expect(fetch).toHaveBeenCalledTimes(2);
  directory.stop();
});
