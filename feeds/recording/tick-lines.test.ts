import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { formatTickLine } from '../replay/formats/tickertape.js';
import type { Side, Tick } from '../tick.js';
import { SYMBOL_CACHE_LIMIT, TickLineWriter, writeNumber } from './tick-lines.js';

function written(value: number): string {
  const out = Buffer.alloc(64);
  return out.toString('latin1', 0, writeNumber(out, 0, value));
}

/** Numbers as feeds send them: a few decimals (prices, sizes), whole milliseconds, and any double. */
const decimal = fc
  .tuple(fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 12 }))
  .map(([digits, places]) => digits / 10 ** places);
/** Event times in milliseconds with up to 6 decimals (microseconds and nanoseconds, as venues send them). */
const eventTime = fc
  .tuple(fc.integer({ min: 1.5e12, max: 2.5e12 }), fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 0, max: 6 }))
  .map(([ms, fraction, places]) => ms + Math.floor(fraction / 10 ** (6 - places)) / 10 ** places);
const positive = fc.oneof(
  decimal,
  eventTime,
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0.1 + 0.2, 1e-6, 1e-7, 9.99e-7, 1.5e-6, 2 ** 51 - 1, 2 ** 51, 1e15, 1e21, 1_733_011_200_123.456, 2_251_799_813_685.247, 5e-324, 0.05, 1.005, 64_250.33),
);

describe('writeNumber', () => {
  test('writes what String() writes, for any non-negative number', () => {
    fc.assert(
      fc.property(positive, (value) => {
        expect(written(value)).toBe(String(value));
      }),
      { numRuns: 20_000 },
    );
  });

  test('cases at its edges: zeros after the point, exponents, the largest integers', () => {
    for (const value of [0, 0.5, 0.05, 0.000001, 0.0000015, 1e-7, 100, 1.1, 10.01, 2 ** 53, 2 ** 53 + 2, 1.7e12 + 0.25, 123456789.12345678]) {
      expect(written(value)).toBe(String(value));
    }
  });
});

describe('TickLineWriter', () => {
  const side = fc.constantFrom<Side | undefined>('buy', 'sell', undefined);
  const tick: fc.Arbitrary<Tick> = fc.record(
    {
      symbol: fc.constantFrom('BTC-USD', 'AAPL', 'BRK.B', 'X:Y/Z_1', 'ÉTÉ', '株'),
      ts: fc.oneof(fc.integer({ min: 0, max: 4e12 }), positive),
      price: positive.filter((value) => value > 0),
      size: positive.filter((value) => value > 0),
      side,
      bid: positive.filter((value) => value > 0),
      ask: positive.filter((value) => value > 0),
    },
    { requiredKeys: ['symbol', 'ts'] },
  );

  test("a block's lines are formatTickLine()'s, each ended by a line feed", () => {
    fc.assert(
      fc.property(fc.array(tick, { maxLength: 40 }), fc.integer({ min: 1, max: 300 }), (ticks, blockBytes) => {
        const writer = new TickLineWriter(blockBytes);
        for (const t of ticks) expect(writer.append(t)).toBe(true);
        expect(writer.take().toString('utf8')).toBe(ticks.map((t) => `${formatTickLine(t)}\n`).join(''));
        expect(writer.length).toBe(0);
      }),
      { numRuns: 2_000 },
    );
  });

  test('a symbol a line cannot hold is refused and nothing is written', () => {
    const writer = new TickLineWriter(256);
    expect(writer.append({ symbol: 'A,B', ts: 1, price: 1, size: 1 })).toBe(false);
    expect(writer.append({ symbol: 'A\nB', ts: 1, price: 1, size: 1 })).toBe(false);
    expect(writer.length).toBe(0);
    expect(writer.append({ symbol: 'AB', ts: 1, price: 1, size: 1 })).toBe(true);
    expect(writer.take().toString()).toBe('1,AB,1,1,,,\n');
  });

  test('more symbols than the cache keeps: the cache stays bounded, and every line names its own', () => {
    const writer = new TickLineWriter(1024);
    const names = Array.from({ length: SYMBOL_CACHE_LIMIT + 100 }, (_, i) => `S${i}`);
    let text = '';
    for (const symbol of [...names, ...names.slice(0, 200)]) {
      writer.append({ symbol, ts: 1, price: 2, size: 3 });
      if (writer.length > 900) text += writer.take().toString();
      expect(writer.cachedSymbols).toBeLessThanOrEqual(SYMBOL_CACHE_LIMIT);
    }
    text += writer.take().toString();
    expect(text).toBe([...names, ...names.slice(0, 200)].map((symbol) => `1,${symbol},2,3,,,\n`).join(''));
  });

  test('take() hands over bytes that later lines do not touch', () => {
    const writer = new TickLineWriter(64);
    writer.append({ symbol: 'AAPL', ts: 1, price: 2, size: 3 });
    const first = writer.take();
    writer.append({ symbol: 'MSFT', ts: 4, price: 5, size: 6 });
    expect(first.toString()).toBe('1,AAPL,2,3,,,\n');
    expect(writer.take().toString()).toBe('4,MSFT,5,6,,,\n');
  });
});
