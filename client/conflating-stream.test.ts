import { describe, expect, test } from 'vitest';
import { ConflatingStream } from './conflating-stream.js';

function stream(maxKeys?: number): { stream: ConflatingStream<number>; log: string[] } {
  const log: string[] = [];
  const s = new ConflatingStream<number>(
    { start: () => log.push('start'), stop: () => log.push('stop'), overflow: (max) => new Error(`over ${max}`) },
    maxKeys,
  );
  return { stream: s, log };
}

describe('ConflatingStream', () => {
  test('keeps one value per key: a newer one replaces the waiting one where it stands', async () => {
    const { stream: s } = stream();
    void s.next().then(() => undefined);
    s.push('a', 0);
    s.push('a', 1);
    s.push('b', 2);
    s.push('a', 3);
    expect(s.size).toBe(2);
    expect((await s.next()).value).toBe(3);
    expect((await s.next()).value).toBe(2);
  });

  test('starts at the first next() and stops once, at return()', async () => {
    const { stream: s, log } = stream();
    expect(log).toEqual([]);
    const pending = s.next();
    expect(log).toEqual(['start']);
    await s.return();
    await s.return();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(log).toEqual(['start', 'stop']);
  });

  test('end() lets the waiting values out first', async () => {
    const { stream: s } = stream();
    void s.next();
    s.push('a', 1);
    s.push('b', 2);
    s.end();
    expect((await s.next()).value).toBe(2);
    expect(await s.next()).toEqual({ done: true, value: undefined });
  });

  test('more waiting keys than allowed fails the stream instead of growing', async () => {
    const { stream: s, log } = stream(2);
    void s.next();
    s.push('x', 0);
    s.push('a', 1);
    s.push('b', 2);
    s.push('c', 3);
    await expect(s.next()).rejects.toThrow('over 2');
    expect(log).toEqual(['start', 'stop']);
    expect(await s.next()).toEqual({ done: true, value: undefined });
  });
});
