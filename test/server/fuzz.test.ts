/**
 * Property: whatever a client sends, the server answers every frame exactly once (an answer or an error
 * with a code), in order, with well-formed MessagePack; it never crashes, never rejects a promise
 * unhandled, never lets input reach Object.prototype, and gives its memory back afterwards.
 * 100 runs × 1,000 generated hostile frames = 100,000 frames, over a few connections.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import fc from 'fast-check';
import { Decoder, encode } from '@msgpack/msgpack';
import WebSocket from 'ws';
import { createSimulator } from '../../feeds/simulator/index.js';
import { heapAfterGc } from '../helpers/gc.js';
import { startServer, type RunningServer } from '../helpers/server.js';

const RUNS = 100;
const FRAMES_PER_RUN = 1_000;
const CONNECTIONS = 4;
const MAX_FRAME_BYTES = 16 * 1024;
/** Messages that answer a request; snapshots and updates come besides them. */
const ANSWERS = new Set(['error', 'pong', 'list', 'history', 'subscribed', 'unsubscribed']);

let server: RunningServer;
const problems: unknown[] = [];
const onProblem = (error: unknown): void => {
  problems.push(error);
};
const prototypes = [Object.prototype, Array.prototype, Function.prototype, String.prototype, Number.prototype];
const ownNames = (): string[][] => prototypes.map((proto) => Object.getOwnPropertyNames(proto).sort());
let namesBefore: string[][];

beforeAll(async () => {
  process.on('unhandledRejection', onProblem);
  process.on('uncaughtException', onProblem);
  namesBefore = ownNames();
  server = await startServer({
    feed: createSimulator({ seed: 3, ticksPerSecond: 2_000 }),
    config: { flushIntervalMs: 50, limits: { maxInboundMessagesPerS: 1_000_000, inboundBurstMessages: 1_000_000 } },
  });
});

afterAll(async () => {
  process.off('unhandledRejection', onProblem);
  process.off('uncaughtException', onProblem);
  await server.close();
});

// ---------------------------------------------------------------------------------------------------------
// Hostile frames

const TYPES = ['subscribe', 'unsubscribe', 'history', 'ping', 'list'];
const DANGEROUS_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'];
const SYMBOLS = ['AAPL', 'BTC-USD', '*', 'NOPE', '', 'A'.repeat(40)];

const bytesOf = (...parts: (number[] | Uint8Array)[]): Uint8Array => Uint8Array.from(parts.flatMap((part) => [...part]));
const str = (text: string): number[] => [...encode(text)];
const lengthBytes = (n: number, size: number): number[] => Array.from({ length: size }, (_, i) => Math.floor(n / 256 ** (size - 1 - i)) % 256);

/** A request-shaped map whose fields have any type at all. */
const wrongTypes = fc
  .record(
    {
      type: fc.oneof(fc.constantFrom(...TYPES), fc.string(), fc.string({ unit: 'binary', minLength: 28, maxLength: 40 }), fc.anything()),
      id: fc.anything({ maxDepth: 2 }),
      symbols: fc.oneof(fc.array(fc.oneof(fc.constantFrom(...SYMBOLS), fc.anything({ maxDepth: 1 }))), fc.anything({ maxDepth: 2 })),
      symbol: fc.oneof(fc.constantFrom(...SYMBOLS), fc.anything({ maxDepth: 1 })),
      interval: fc.oneof(fc.constantFrom('1s', '1m', '1h', '2m', ''), fc.anything({ maxDepth: 1 })),
      limit: fc.oneof(fc.integer(), fc.double(), fc.anything({ maxDepth: 1 })),
      end: fc.oneof(fc.double(), fc.anything({ maxDepth: 1 })),
      bars: fc.anything({ maxDepth: 1 }),
      snapshot: fc.constant(false),
      maxRate: fc.oneof(fc.double(), fc.anything({ maxDepth: 1 })),
    },
    { requiredKeys: ['snapshot'] },
  )
  .map((value) => encode(value, { ignoreUndefined: true }));

/** A valid request with one byte changed. */
const mutated = fc
  .tuple(
    fc.constantFrom<Record<string, unknown>>(
      { type: 'subscribe', id: 1, symbols: ['AAPL', 'BTC-USD'], bars: false, snapshot: false },
      { type: 'history', id: 'h', symbol: 'AAPL', interval: '1m', limit: 10 },
      { type: 'unsubscribe', id: 2, symbols: ['AAPL'] },
      { type: 'ping', id: 3 },
    ),
    fc.nat(),
    fc.integer({ min: 0, max: 255 }),
  )
  .map(([request, at, byte]) => {
    const frame = encode(request);
    frame[at % frame.length] = byte;
    return frame;
  });

/** MessagePack extension values (timestamps, msgpackr's RegExp/Error types, anything) where a value goes. */
const extension = fc
  .tuple(fc.constantFrom(0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xc7, 0xc8, 0xc9), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 40 }), fc.boolean())
  .map(([header, type, data, nested]) => {
    const fixed: Record<number, number> = { 0xd4: 1, 0xd5: 2, 0xd6: 4, 0xd7: 8, 0xd8: 16 };
    const size = fixed[header] ?? data.length;
    const body = fixed[header] === undefined
      ? [header, ...lengthBytes(size, header === 0xc7 ? 1 : header === 0xc8 ? 2 : 4), type, ...data]
      : [header, type, ...Array.from({ length: size }, (_, i) => data[i] ?? 0)];
    return nested ? bytesOf([0x82], str('type'), str('ping'), str('id'), body) : bytesOf(body);
  });

/** Arrays and maps nested thousands deep, within one frame. */
const deep = fc.tuple(fc.integer({ min: 1, max: 8_000 }), fc.boolean()).map(([depth, maps]) => {
  const open = maps ? [0x81, 0xa1, 0x6b] : [0x91];
  const frame = new Uint8Array(Math.min(depth * open.length + 1, MAX_FRAME_BYTES));
  for (let i = 0; i + open.length < frame.length; i += open.length) frame.set(open, i);
  frame[frame.length - 1] = 0xc0;
  return frame;
});

/** Headers claiming lengths up to four billion, followed by a little data. */
const absurd = fc
  .tuple(fc.constantFrom(0xdc, 0xdd, 0xde, 0xdf, 0xd9, 0xda, 0xdb, 0xc4, 0xc5, 0xc6, 0xc9), fc.nat({ max: 0xffffffff }), fc.uint8Array({ maxLength: 32 }))
  .map(([header, n, data]) => {
    const size = [0xdc, 0xde, 0xda, 0xc5].includes(header) ? 2 : header === 0xd9 || header === 0xc4 ? 1 : 4;
    return bytesOf([header, ...lengthBytes(n, size)], header === 0xc9 ? [0x01] : [], data);
  });

/** Strings of invalid UTF-8 in keys and values (lone continuations, overlongs, surrogates, truncation). */
const badUtf8 = fc
  .tuple(fc.uint8Array({ minLength: 1, maxLength: 20 }).map((data) => Uint8Array.from(data, (byte) => byte | 0x80)), fc.constantFrom('type', 'id', 'key', 'symbol'))
  .map(([garbage, where]) => {
    const s = [0xa0 | garbage.length, ...garbage];
    if (where === 'type') return bytesOf([0x81], str('type'), s);
    if (where === 'id') return bytesOf([0x82], str('type'), str('ping'), str('id'), s);
    if (where === 'key') return bytesOf([0x82], str('type'), str('ping'), s, [0x01]);
    return bytesOf([0x83], str('type'), str('history'), str('interval'), str('1m'), str('symbol'), s);
  });

/** Keys that pollute prototypes when merged carelessly, at every depth. */
const pollution = fc
  .tuple(fc.constantFrom(...DANGEROUS_KEYS), fc.constantFrom(...DANGEROUS_KEYS), fc.constantFrom(...TYPES), fc.anything({ maxDepth: 1 }))
  .map(([outer, inner, type, value]) => {
    const json = `{"type":${JSON.stringify(type)},"${outer}":{"${inner}":{"polluted":true}},"symbols":{"${inner}":["AAPL"]},"id":{"${outer}":1}}`;
    const object = JSON.parse(json) as Record<string, unknown>;
    object['x'] = value;
    return encode(object, { ignoreUndefined: true });
  });

const randomBytes = fc.uint8Array({ maxLength: 600 });

/** JSON text frames (the `json` subprotocol): any text, any JSON, requests with astral characters and escapes. */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.json({ maxDepth: 3 }),
  fc.tuple(fc.string({ unit: 'binary', minLength: 30, maxLength: 40 }), fc.anything({ maxDepth: 2 })).map(([type, id]) => JSON.stringify({ type, id })),
  fc.constantFrom('{"type":"ping","id":"\\ud800"}', '{"type":"\\udfff"}', '{"__proto__":{"polluted":1},"type":"ping"}', '[', '"'),
);

/** A frame that prints short in a counterexample. */
class Frame {
  constructor(readonly data: Uint8Array | string) {}
  [fc.toStringMethod](): string {
    if (typeof this.data === 'string') return JSON.stringify(this.data.slice(0, 48));
    const hex = Buffer.from(this.data.subarray(0, 48)).toString('hex');
    return `${this.data.length}B:${hex}${this.data.length > 48 ? '…' : ''}`;
  }
}

const hostileFrame = fc.oneof(
  fc.oneof(wrongTypes, mutated, extension, deep, absurd, badUtf8, pollution, randomBytes).map((frame) => new Frame(frame.subarray(0, MAX_FRAME_BYTES))),
  text.map((frame) => new Frame(frame.slice(0, MAX_FRAME_BYTES / 4))),
);

// ---------------------------------------------------------------------------------------------------------
// Connections that count answers and check that every frame the server sends is well formed

/** Decodes strings as raw bytes so they can be checked strictly. */
const strict = new Decoder({ rawStrings: true, useBigInt64: true });
const utf8 = new TextDecoder('utf-8', { fatal: true });

function checked(message: unknown): string {
  checkStrings(message);
  return utf8.decode((message as { type: Uint8Array }).type);
}

function checkStrings(value: unknown): void {
  if (value instanceof Uint8Array) utf8.decode(value);
  else if (Array.isArray(value)) value.forEach(checkStrings);
  else if (typeof value === 'object' && value !== null) Object.values(value).forEach(checkStrings);
}

class Counter {
  answers = 0;
  malformed: string[] = [];
  closed: number | undefined;
  private waiter: (() => void) | undefined;
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      try {
        // ws has already checked that a text frame is UTF-8 (it would close with 1007).
        const type = isBinary ? checked(strict.decode(data)) : (JSON.parse(data.toString('utf8')) as { type: string }).type;
        if (ANSWERS.has(type)) this.answers++;
      } catch (error) {
        this.malformed.push(`${(error as Error).message}: ${data.subarray(0, 64).toString('hex')}`);
      }
      this.waiter?.();
    });
    socket.on('close', (code) => {
      this.closed = code;
      this.waiter?.();
    });
  }

  static async open(url: string, protocol: 'msgpack' | 'json'): Promise<Counter> {
    const socket = new WebSocket(url, [protocol]);
    const counter = new Counter(socket);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return counter;
  }

  /** Resolves once `n` answers have arrived in all (or the connection closed, or an answer was malformed). */
  answered(n: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.answers} of ${n} answers after 20 s`)), 20_000);
      this.waiter = () => {
        if (this.answers >= n || this.closed !== undefined || this.malformed.length > 0) {
          clearTimeout(timer);
          this.waiter = undefined;
          resolve();
        }
      };
      this.waiter();
    });
  }
}

test(`${RUNS * FRAMES_PER_RUN} hostile frames: every one answered, no crash, no pollution, memory returned`, async () => {
  // Binary frames round-robin over the MessagePack connections, text frames to the JSON one.
  const connections = await Promise.all([
    ...Array.from({ length: CONNECTIONS - 1 }, () => Counter.open(server.url, 'msgpack')),
    Counter.open(server.url, 'json'),
  ]);
  let sent = 0;
  const batch = async (frames: readonly Frame[]): Promise<void> => {
    const expected = connections.map(() => 0);
    frames.forEach((frame, i) => {
      const c = typeof frame.data === 'string' ? CONNECTIONS - 1 : i % (CONNECTIONS - 1);
      connections[c]!.socket.send(frame.data, { binary: typeof frame.data !== 'string' });
      expected[c]!++;
    });
    sent += frames.length;
    const targets = connections.map((connection, c) => connection.answers + expected[c]!);
    await Promise.all(connections.map((connection, c) => connection.answered(targets[c]!)));
    for (const connection of connections) {
      expect(connection.closed).toBeUndefined();
      expect(connection.malformed).toEqual([]);
    }
    // Exactly one answer per frame: nothing more arrived meanwhile either.
    expect(connections.map((connection) => connection.answers)).toEqual(targets);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  };

  await batch(fc.sample(hostileFrame, { numRuns: 200, seed: 1 })); // warm-up, before the baseline
  const heapBefore = await heapAfterGc();
  await fc.assert(fc.asyncProperty(fc.array(hostileFrame, { minLength: FRAMES_PER_RUN, maxLength: FRAMES_PER_RUN }), batch), {
    numRuns: RUNS,
    endOnFailure: true,
  });
  expect(sent).toBe(200 + RUNS * FRAMES_PER_RUN);
  expect(ownNames()).toEqual(namesBefore);
  expect(problems).toEqual([]);

  for (const connection of connections) connection.socket.close();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const heapAfter = await heapAfterGc();
  expect((heapAfter - heapBefore) / 1024 / 1024).toBeLessThan(8);
  // The server still serves.
  const response = await fetch(`${server.http}/api/symbols?limit=1`);
  expect(response.status).toBe(200);
}, 120_000);
