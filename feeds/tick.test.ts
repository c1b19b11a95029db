import { describe, expect, test } from 'vitest';
import { hasDueTicks, throughStage, tickProblem, tickProblemDetail, type DueTicks, type Feed, type Tick } from './tick.js';

/** A feed of `ticks`, handed over as a DueTicks iterator does: all due at once; next() then never resolves until return(). */
function dueFeed(ticks: readonly Tick[]): Feed & { returned: boolean } {
  const feed = {
    info: { kind: 'replay' as const, description: 'test' },
    instruments: [],
    returned: false,
    [Symbol.asyncIterator](): AsyncIterator<Tick> & DueTicks {
      let at = 0;
      let stop: (() => void) | undefined;
      return {
        takeDue: () => (feed.returned ? undefined : ticks[at++]),
        next: () =>
          at < ticks.length && !feed.returned
            ? Promise.resolve({ value: ticks[at++]!, done: false as const })
            : new Promise((resolve) => (stop = () => resolve({ value: undefined, done: true }))),
        async return() {
          feed.returned = true;
          stop?.();
          return { value: undefined, done: true };
        },
      };
    },
  };
  return feed;
}

const tick = (ts: number): Tick => ({ symbol: 'AAPL', ts, price: 100, size: 1 });

describe('throughStage', () => {
  test('keeps takeDue() when the feed has it, and passes only admitted ticks, through takeDue() and next() alike', async () => {
    const ticks = [1, 2, 3, 4, 5, 6].map(tick);
    const iterator = throughStage(dueFeed(ticks), { admit: (t) => t.ts % 2 === 0 })[Symbol.asyncIterator]();
    expect(hasDueTicks(iterator)).toBe(true);
    const due = iterator as AsyncIterator<Tick> & DueTicks;
    expect([due.takeDue(), due.takeDue()]).toEqual([tick(2), tick(4)]);
    expect((await iterator.next()).value).toEqual(tick(6));
  });

  test('without takeDue() in the feed, none in the stage', () => {
    const plain: Feed = { info: { kind: 'replay', description: 'test' }, instruments: [], [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<Tick>>(() => undefined) }) };
    expect(hasDueTicks(throughStage(plain, { admit: () => true })[Symbol.asyncIterator]())).toBe(false);
  });

  test('while the stage holds, takeDue() hands nothing over and next() waits for the hold before taking a tick', async () => {
    let release: () => void = () => undefined;
    let held: Promise<void> | undefined = new Promise<void>((resolve) => (release = resolve)).then(() => (held = undefined));
    const iterator = throughStage(dueFeed([1, 2].map(tick)), { admit: () => true, hold: () => held })[Symbol.asyncIterator]() as AsyncIterator<Tick> & DueTicks;
    expect(iterator.takeDue()).toBeUndefined();
    let got: Tick | undefined;
    const next = iterator.next().then((result) => (got = result.value as Tick));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(got).toBeUndefined();
    release();
    await next;
    expect(got).toEqual(tick(1));
    expect(iterator.takeDue()).toEqual(tick(2));
  });

  test('return() reaches the feed while a next() waits, ends that next(), then closes the stage', async () => {
    const feed = dueFeed([]);
    const events: string[] = [];
    const iterator = throughStage(feed, { admit: () => true, close: async () => void events.push(`closed, feed returned: ${feed.returned}`) })[Symbol.asyncIterator]();
    const waiting = iterator.next();
    await iterator.return?.();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(events).toEqual(['closed, feed returned: true']);
  });
});

describe('tickProblemDetail: the value and the rule, for a FILE:LINE message', () => {
  const base = { symbol: 'A', ts: 1_000 };
  test.each([
    [{ ...base, price: -3, size: 1 }, 'price', '-3 (a price must be above 0)'],
    [{ ...base, size: 1 }, 'price', 'none, with a size of 1 (a trade needs a price above 0)'],
    [{ ...base, price: 10, size: 0 }, 'size', '0 (a size must be above 0)'],
    [{ ...base, price: 10 }, 'size', 'none (a trade needs a size above 0)'],
    [{ ...base, bid: 0, ask: 10 }, 'quote', 'bid 0 (a bid or ask must be above 0)'],
    [{ ...base, bid: 9, ask: -1 }, 'quote', 'ask -1 (a bid or ask must be above 0)'],
    [{ ...base, ts: -5, price: 1, size: 1 }, 'time', '-5 (a time is milliseconds since 1970, 0 or later)'],
    [{ ...base, symbol: '', price: 1, size: 1 }, 'symbol', '"" (a tick needs a symbol)'],
    [{ ...base }, 'empty', undefined],
  ] as const)('%j: %s', (tick, problem, detail) => {
    expect(tickProblem(tick)).toBe(problem);
    expect(tickProblemDetail(tick, problem)).toBe(detail);
  });
});
