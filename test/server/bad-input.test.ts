import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { encode as referenceEncode } from '@msgpack/msgpack';
import { CLOSE_CODES } from '../../client/protocol/messages.js';
import { instrument, ManualFeed } from '../helpers/manual-feed.js';
import { startServer, sleep, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws-client.js';

const T0 = Date.UTC(2024, 5, 3, 14, 30);
let server: RunningServer;
let feed: ManualFeed;
let client: WsClient;
/** A client that never sends anything bad: it must see nothing of the others' trouble. */
let bystander: WsClient;

beforeAll(async () => {
  feed = new ManualFeed([instrument('AAPL')]);
  server = await startServer({ feed, config: { flushIntervalMs: 20 } });
  feed.push({ symbol: 'AAPL', ts: T0, price: 190, size: 1 });
  client = await WsClient.open(server.url);
  bystander = await WsClient.open(server.url);
  bystander.send({ type: 'subscribe', id: 1, symbols: ['AAPL'] });
  await bystander.next('snapshot');
});

afterAll(async () => {
  client.close();
  bystander.close();
  await server.close();
});

/** Sends one frame and returns the error it earns; the connection must stay open and keep answering. */
async function errorFor(data: Buffer | string | Record<string, unknown>): Promise<{ code: string; message: string; id?: unknown }> {
  const before = client.of('error').length;
  if (Buffer.isBuffer(data) || typeof data === 'string') client.sendRaw(data);
  else client.send(data);
  const error = await client.until(() => client.of('error')[before], 'an error answer');
  const pingId = Math.random();
  client.send({ type: 'ping', id: pingId });
  await client.next('pong', (m) => m.id === pingId);
  return error;
}

const ext = (type: number, data: number[]): Buffer => Buffer.from([0xc7, data.length, type & 0xff, ...data]);

describe('bad frames get an error with a code and a message, and the connection keeps working', () => {
  test.each([
    ['garbage bytes', Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00])],
    ['the never-used byte 0xC1', Buffer.from([0xc1])],
    ['a truncated map', Buffer.from([0x82, 0xa4, 0x74, 0x79, 0x70, 0x65])],
    ['two values in one frame', Buffer.concat([Buffer.from(referenceEncode({ type: 'ping' })), Buffer.from([0x01])])],
    ['a timestamp extension', Buffer.from(referenceEncode({ type: 'ping', id: new Date(0) }))],
    ['an error-object extension (msgpackr 0x65)', Buffer.concat([Buffer.from([0x82, 0xa4, 0x74, 0x79, 0x70, 0x65, 0xa4, 0x70, 0x69, 0x6e, 0x67, 0xa2, 0x69, 0x64]), ext(0x65, [0x90])])],
    ['a regexp extension (msgpackr 0x78)', Buffer.concat([Buffer.from([0x81, 0xa4, 0x74, 0x79, 0x70, 0x65]), ext(0x78, [0x92, 0xa1, 0x61, 0xa0])])],
    ['an array claiming four billion items', Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff, 0x01])],
    ['a __proto__ key', Buffer.from(referenceEncode(JSON.parse('{"type":"ping","__proto__":{"polluted":true}}')))],
    ['a number as map key', Buffer.from([0x81, 0x01, 0x02])],
    ['binary data', Buffer.from([0x81, 0xa4, 0x74, 0x79, 0x70, 0x65, 0xc4, 0x01, 0x00])],
    ['text that is not JSON', '{"type": "ping"'],
    ['a __proto__ key in JSON', '{"type":"ping","id":1,"__proto__":{"polluted":true}}'],
    ['a nested __proto__ key in JSON', '{"type":"subscribe","symbols":["AAPL"],"x":[{"__proto__":null}]}'],
  ])('%s → BAD_FRAME', async (_name, data) => {
    const error = await errorFor(data);
    expect(error.code).toBe('BAD_FRAME');
    expect(error.message.length).toBeGreaterThan(10);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  test.each([
    ['a number', 42, 'BAD_FRAME'],
    ['an array', ['subscribe'], 'BAD_FRAME'],
    ['a map without type', { id: 1 }, 'BAD_FRAME'],
  ] as const)('a frame that is %s → %s', async (_name, value, code) => {
    expect((await errorFor(Buffer.from(referenceEncode(value)))).code).toBe(code);
  });

  test.each([
    [{ type: 'dance', id: 3 }, 'UNKNOWN_TYPE', /unknown request type "dance"/],
    [{ type: 'subscribe', id: 4 }, 'BAD_FIELD', /"symbols"/],
    [{ type: 'subscribe', id: 5, symbols: 'AAPL' }, 'BAD_FIELD', /"symbols"/],
    [{ type: 'subscribe', id: 6, symbols: [] }, 'BAD_FIELD', /non-empty/],
    [{ type: 'subscribe', id: 7, symbols: [42] }, 'BAD_FIELD', /symbol names/],
    [{ type: 'subscribe', id: 8, symbols: [null] }, 'BAD_FIELD', /"symbols" must hold strings \(symbol names\); a null is not one/],
    [{ type: 'unsubscribe', id: 9, symbols: ['AAPL', 7] }, 'BAD_FIELD', /"symbols" must hold strings/],
    [{ type: 'subscribe', id: 10, symbols: ['AAPL'], bars: 'yes' }, 'BAD_FIELD', /"bars" must be true or false/],
    [{ type: 'subscribe', id: 11, symbols: ['AAPL'], maxRate: -1 }, 'BAD_FIELD', /"maxRate"/],
    [{ type: 'history', id: 12, symbol: 'AAPL', interval: '2m' }, 'BAD_FIELD', /"interval" must be one of 1s, 5s, 1m, 5m, 15m, 1h/],
    [{ type: 'history', id: 13, symbol: 'AAPL', interval: '1m', limit: 0 }, 'BAD_FIELD', /"limit"/],
    [{ type: 'history', id: 14, symbol: 'AAPL', interval: '1m', limit: 1.5 }, 'BAD_FIELD', /"limit"/],
    [{ type: 'history', id: 15, symbol: 'NOPE', interval: '1m' }, 'UNKNOWN_SYMBOL', /no symbol "NOPE"/],
    [{ type: 'ping', id: { nested: true } }, 'BAD_FIELD', /"id"/],
  ] as const)('%j → %s', async (request, code, message) => {
    const error = await errorFor(request);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    if ('id' in request && typeof request.id === 'number') expect(error.id).toBe(request.id);
  });

  test('a string that is no symbol name is rejected on its own: the request\'s other symbols are subscribed', async () => {
    const long = 'B'.repeat(100);
    client.send({ type: 'subscribe', id: 'mixed', symbols: ['AA PL', 'AAPL', long, '', 'A'.repeat(33), 'NOPE'], snapshot: false });
    const answer = await client.next('subscribed', (m) => m.id === 'mixed');
    expect(answer.symbols).toEqual(['AAPL']);
    const rule = 'is not a symbol name: 1 to 32 letters, digits or . _ : / -';
    expect(answer.rejected).toEqual([
      { symbol: 'AA PL', code: 'UNKNOWN_SYMBOL', message: `"AA PL" ${rule}` },
      { symbol: long, code: 'UNKNOWN_SYMBOL', message: `"${'B'.repeat(40)}…" ${rule}` },
      { symbol: '', code: 'UNKNOWN_SYMBOL', message: `"" ${rule}` },
      { symbol: 'A'.repeat(33), code: 'UNKNOWN_SYMBOL', message: `"${'A'.repeat(33)}" ${rule}` },
      { symbol: 'NOPE', code: 'UNKNOWN_SYMBOL', message: 'no symbol "NOPE" on this server' },
    ]);
    // Cut between code points: half an emoji would be a lone surrogate, which is no UTF-8.
    const emoji = `A${'\u{1F600}'.repeat(30)}`;
    client.send({ type: 'subscribe', id: 'emoji', symbols: [emoji], snapshot: false });
    const cut = await client.next('subscribed', (m) => m.id === 'emoji');
    expect(cut.rejected).toEqual([{ symbol: emoji, code: 'UNKNOWN_SYMBOL', message: `"A${'\u{1F600}'.repeat(19)}…" ${rule}` }]);
    client.send({ type: 'unsubscribe', id: 'mixed', symbols: ['AA PL', 'AAPL'] });
    expect((await client.next('unsubscribed', (m) => m.id === 'mixed')).symbols).toEqual(['AAPL']);
  });

  test('unknown fields are ignored, so newer clients keep working', async () => {
    client.send({ type: 'ping', id: 'future', compression: 'zstd', v2: { anything: [1, 2] } });
    expect((await client.next('pong', (m) => m.id === 'future')).id).toBe('future');
  });

  test('the same bad requests in JSON text get the same answers', async () => {
    const json = await WsClient.open(server.url, 'json');
    json.sendRaw('[1,2');
    json.send({ type: 'history', id: 1, symbol: 'AAPL', interval: '7m' });
    const errors = await json.until(() => (json.of('error').length === 2 ? json.of('error') : undefined), 'two errors');
    expect(errors.map((e) => e.code)).toEqual(['BAD_FRAME', 'BAD_FIELD']);
    json.close();
  });

  test('MessagePack and JSON answer alike what fits in a frame: too many symbols, long strings, many fields', async () => {
    const json = await WsClient.open(server.url, 'json');
    const answers = async (connection: WsClient, request: Record<string, unknown>): Promise<{ type: string; code?: string; id?: unknown }> => {
      const before = connection.messages.length;
      connection.send(request);
      return connection.until(() => connection.messages.slice(before).find((m) => 'id' in m && m.id === request['id']), `the answer to ${String(request['id'])}`);
    };
    const cases: [Record<string, unknown>, string][] = [
      // 1,001 symbols: the request's own rule, with its id (MessagePack refused the frame before, without one).
      [{ type: 'subscribe', id: 'many', symbols: Array.from({ length: 1_001 }, (_, i) => `S${i}`) }, 'error TOO_MANY_SYMBOLS'],
      // A long unknown string field is ignored (MessagePack refused strings over 1 KiB before).
      [{ type: 'ping', id: 'long', note: 'x'.repeat(5_000) }, 'pong'],
      // So are forty unknown fields (MessagePack refused maps of more than 32 before).
      [{ type: 'ping', id: 'wide', ...Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, i])) }, 'pong'],
      // A symbol name too long is rejected on its own, naming it.
      [{ type: 'subscribe', id: 'name', symbols: ['A'.repeat(2_000)] }, 'subscribed'],
    ];
    for (const [request, expected] of cases) {
      for (const connection of [client, json]) {
        const answer = await answers(connection, request);
        expect(`${answer.type}${answer.code === undefined ? '' : ` ${answer.code}`}`, `${String(request['id'])} over ${connection === json ? 'JSON' : 'MessagePack'}`).toBe(expected);
      }
    }
    json.close();
  });

  test('a frame over the size limit closes that connection with 1009; the server and others carry on', async () => {
    const big = await WsClient.open(server.url);
    big.sendRaw(Buffer.alloc(17 * 1024, 0x90));
    expect((await big.closedWith()).code).toBe(CLOSE_CODES.messageTooBig);
    const before = bystander.of('update').length;
    feed.push({ symbol: 'AAPL', ts: T0 + 1_000, price: 191, size: 1 });
    await bystander.until(() => (bystander.of('update').length > before ? true : undefined), 'an update after the abuse');
  });

  test('none of this reached the well-behaved client', async () => {
    await sleep(30);
    expect(bystander.of('error')).toHaveLength(0);
    expect(bystander.closed).toBeUndefined();
    expect(server.app.hub.counters.errors.BAD_FRAME).toBeGreaterThanOrEqual(15);
  });
});
