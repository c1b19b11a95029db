import { describe, expect, test } from 'vitest';
import { decode as referenceDecode } from '@msgpack/msgpack';
import { Unpackr } from 'msgpackr';
import { decodeBinary, encodeBinary, encodeText, toWireValue, wireTime } from './codec.js';
import type { ServerMessage } from './messages.js';

const TIME = 1_722_470_400_123;

const messages: ServerMessage[] = [
  {
    type: 'hello',
    protocol: 1,
    protocols: [1],
    server: 'tickertape/0.1.0',
    feed: { kind: 'simulated', description: 'simulator' },
    flushMs: 50,
    time: TIME,
    intervals: ['1s', '5s', '1m', '5m', '15m', '1h'],
  },
  { type: 'subscribed', id: 1, symbols: ['AAPL'], rejected: [{ symbol: 'NOPE', code: 'UNKNOWN_SYMBOL', message: 'no symbol' }] },
  {
    type: 'snapshot',
    symbol: 'BTC-USD',
    data: { s: 'BTC-USD', t: TIME, p: 64_251.01, b: 64_251, a: 64_251.02, o: 63_000.5, h: 65_000, l: 62_999.99, v: 1_234.56789012, d: TIME - 123, k: [[TIME - 1_000, 1.5, 2, 1, 1.75, 0.00000001]] },
  },
  { type: 'update', seq: 7, time: TIME, updates: [{ s: 'AAPL', p: 190.01 }, { s: 'MSFT', b: 410.5, a: 410.52 }] },
  { type: 'history', id: 'h1', symbol: 'AAPL', interval: '1m', bars: [[TIME, 1, 2, 0.5, 1.5, 10_000_000_000]] },
  { type: 'pong', id: 3, time: TIME },
  { type: 'list', id: 4, symbols: [{ symbol: 'AAPL', name: 'Apple', assetClass: 'equity', currency: 'USD', tickSize: 0.01 }] },
  { type: 'error', id: 5, code: 'BAD_FIELD', message: '"symbols" must be a non-empty array of symbol names' },
];

describe('codec', () => {
  test.each(messages.map((message) => [message.type, message] as const))('%s round-trips through independent decoders', (_type, message) => {
    const bytes = encodeBinary(message);
    expect(decodeBinary(bytes)).toEqual(message);
    // The msgpack.org reference decoder, and msgpackr with its defaults: no extensions needed.
    expect(referenceDecode(bytes)).toEqual(message);
    expect(new Unpackr({ useRecords: false, int64AsType: 'number' }).unpack(bytes)).toEqual(message);
    expect(JSON.parse(encodeText(message))).toEqual(message);
  });

  test('times are written as 64-bit integers, not floats, so typed decoders read them as integers', () => {
    const bytes = encodeBinary({ type: 'pong', time: TIME });
    const timeAt = Buffer.from(bytes).indexOf(Buffer.from('time')) + 4;
    expect([0xcf, 0xd3]).toContain(bytes[timeAt]); // uint64 or int64
    expect(wireTime(1_500.9)).toBe(1_500);
    expect(wireTime(TIME + 0.5)).toBe(BigInt(TIME));
  });

  test('no MessagePack extension types appear on the wire', () => {
    for (const message of messages) {
      const bytes = encodeBinary(message);
      // Walk with the reference decoder's strictness: it throws on any extension it does not know.
      expect(() => referenceDecode(bytes)).not.toThrow();
    }
  });

  test('absent and undefined fields are left out, as in JSON', () => {
    const bytes = encodeBinary({ type: 'pong', id: undefined, time: 1 });
    expect(referenceDecode(bytes)).toEqual({ type: 'pong', time: 1 });
  });

  test('toWireValue copies only what it changes', () => {
    const small = { a: 1, b: [2, 3] };
    expect(toWireValue(small)).toBe(small);
    const big = { a: 1, b: [TIME] };
    const wired = toWireValue(big) as { a: number; b: unknown[] };
    expect(wired).not.toBe(big);
    expect(wired.b[0]).toBe(BigInt(TIME));
    expect(big.b[0]).toBe(TIME);
  });
});
