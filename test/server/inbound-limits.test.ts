import { afterEach, describe, expect, test } from 'vitest';
import { CLOSE_CODES } from '../../client/protocol/messages.js';
import type { Tick } from '../../feeds/tick.js';
import type { Limits } from '../../server/config.js';
import { instrument, ManualFeed } from '../helpers/manual-feed.js';
import { ReferenceBars } from '../helpers/reference.js';
import { startServer, sleep, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws-client.js';

const T0 = Date.UTC(2024, 5, 3, 14, 30);
let server: RunningServer | undefined;
const clients: WsClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
});

async function open(): Promise<WsClient> {
  const client = await WsClient.open(server!.url);
  clients.push(client);
  await client.next('hello');
  return client;
}

let feed: ManualFeed;
/** tickertape_rejected_inputs_total{reason="RATE_LIMITED"} as /metrics reports it (0 when absent). */
async function rateLimitedMetric(): Promise<number> {
  const text = await (await fetch(`${server!.http}/metrics`)).text();
  const line = /^tickertape_rejected_inputs_total\{reason="RATE_LIMITED"\} (\d+)$/m.exec(text);
  return line === null ? 0 : Number(line[1]);
}

async function serve(limits: Partial<Limits>): Promise<void> {
  feed = new ManualFeed(['AAPL', 'MSFT', 'NVDA', 'TSLA', 'AMZN'].map((symbol) => instrument(symbol)));
  server = await startServer({ feed, config: { flushIntervalMs: 20, limits } });
}

describe('message rate per connection', () => {
  test('a burst over the limit is answered once with RATE_LIMITED, with the id of the first request refused; the metric counts every one refused', async () => {
    await serve({ maxInboundMessagesPerS: 1, inboundBurstMessages: 20, maxRateLimitedMessages: 1_000 });
    const client = await open();
    for (let id = 0; id < 50; id++) client.send({ type: 'ping', id });
    await client.until(() => (client.of('pong').length === 20 && client.of('error').length === 1 ? true : undefined), '20 pongs and one error');
    await sleep(50);
    expect(client.of('pong').map((pong) => pong.id)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(client.of('error').map((error) => [error.code, error.id])).toEqual([['RATE_LIMITED', 20]]);
    expect(client.of('error')[0]!.message).toMatch(/more than 1 messages per second \(burst 20\)/);
    expect(client.closed).toBeUndefined();
    // Thirty messages were refused (ids 20 to 49): one error told of them, the metric counts each.
    expect(server!.app.hub.counters.errors.RATE_LIMITED).toBe(30);
    expect(await rateLimitedMetric()).toBe(30);
  });

  test('the error carries no id when the first message refused had none readable: a ping frame, a broken frame, a bad id', async () => {
    await serve({ maxInboundMessagesPerS: 200, inboundBurstMessages: 5, maxRateLimitedMessages: 1_000 });
    const client = await open();
    const overs: (() => void)[] = [
      () => client.socket.ping(),
      () => client.sendRaw('{"type": "ping", "id": 7', false),
      () => client.send({ type: 'ping', id: 'x'.repeat(65) }),
      () => client.send({ type: 'ping', id: 'readable' }),
    ];
    for (const [episode, over] of overs.entries()) {
      for (let i = 0; i < 5; i++) client.send({ type: 'ping', id: `${episode}.${i}` });
      over();
      await client.until(() => (client.of('error').length === episode + 1 ? true : undefined), `the error of episode ${episode}`);
      await sleep(100); // 5 tokens at 200/s take 25 ms: the bucket refills, a new episode starts
    }
    expect(client.of('error').map((error) => [error.code, error.id])).toEqual([
      ['RATE_LIMITED', undefined],
      ['RATE_LIMITED', undefined],
      ['RATE_LIMITED', undefined],
      ['RATE_LIMITED', 'readable'],
    ]);
    expect(await rateLimitedMetric()).toBe(4);
  });

  test('a client that keeps going past the limit is closed with 1008; others carry on', async () => {
    await serve({ maxInboundMessagesPerS: 1, inboundBurstMessages: 10, maxRateLimitedMessages: 30 });
    const flooder = await open();
    const bystander = await open();
    for (let id = 0; id < 200; id++) flooder.send({ type: 'ping', id });
    const closed = await flooder.closedWith();
    expect(closed).toEqual({ code: CLOSE_CODES.policyViolation, reason: 'rate limit exceeded' });
    expect(flooder.of('error').map((error) => [error.code, error.id])).toEqual([['RATE_LIMITED', 10]]);
    // The 31st refused message closed it; what came after is dropped unread, not refused for the rate.
    expect(await rateLimitedMetric()).toBe(31);
    bystander.send({ type: 'ping', id: 'still here' });
    await bystander.next('pong', (pong) => pong.id === 'still here');
  });

  test('ping frames count toward the limit: a ping flood is closed too', async () => {
    await serve({ maxInboundMessagesPerS: 1, inboundBurstMessages: 10, maxRateLimitedMessages: 30 });
    const flooder = await open();
    for (let i = 0; i < 200; i++) flooder.socket.ping();
    expect((await flooder.closedWith()).code).toBe(CLOSE_CODES.policyViolation);
  });

  test('ping frames within the burst are all answered, more than ws would queue pongs for (60)', async () => {
    await serve({});
    const client = await open();
    let pongs = 0;
    client.socket.on('pong', () => pongs++);
    for (let i = 0; i < 150; i++) client.socket.ping();
    client.send({ type: 'ping', id: 'after' });
    await client.next('pong', (pong) => pong.id === 'after');
    await client.until(() => (pongs === 150 ? true : undefined), '150 pong frames');
    expect(client.closed).toBeUndefined();
    expect(client.of('error')).toEqual([]);
  });

  test('ping frames over the burst are dropped unanswered with one RATE_LIMITED, not closed', async () => {
    await serve({ maxInboundMessagesPerS: 1, inboundBurstMessages: 10, maxRateLimitedMessages: 1_000 });
    const client = await open();
    let pongs = 0;
    client.socket.on('pong', () => pongs++);
    for (let i = 0; i < 100; i++) client.socket.ping();
    await client.until(() => (client.of('error').length === 1 ? true : undefined), 'the RATE_LIMITED error');
    await sleep(100);
    expect(pongs).toBe(10);
    expect(client.of('error').map((error) => [error.code, error.id])).toEqual([['RATE_LIMITED', undefined]]);
    expect(client.closed).toBeUndefined();
    expect(await rateLimitedMetric()).toBe(90);
  });

  test('a client that calms down starts afresh: one error per episode, never closed', async () => {
    await serve({ maxInboundMessagesPerS: 200, inboundBurstMessages: 5, maxRateLimitedMessages: 8 });
    const client = await open();
    for (let episode = 0; episode < 3; episode++) {
      for (let i = 0; i < 12; i++) client.send({ type: 'ping', id: episode * 100 + i }); // 7 over: under the close limit of 8
      await client.until(() => (client.of('error').length === episode + 1 ? true : undefined), `the error of episode ${episode}`);
      await sleep(100); // 5 tokens at 200/s take 25 ms: the bucket refills
    }
    expect(client.of('error').map((error) => [error.code, error.id])).toEqual([['RATE_LIMITED', 5], ['RATE_LIMITED', 105], ['RATE_LIMITED', 205]]);
    expect(client.closed).toBeUndefined();
    expect(await rateLimitedMetric()).toBe(21);
  });
});

describe('configurable request limits', () => {
  test('symbols per connection: the ones over the limit are rejected with TOO_MANY_SYMBOLS', async () => {
    await serve({ maxSymbolsPerConnection: 3 });
    const client = await open();
    client.send({ type: 'subscribe', id: 1, symbols: ['AAPL', 'MSFT'], snapshot: false });
    client.send({ type: 'subscribe', id: 2, symbols: ['MSFT', 'NVDA', 'TSLA', 'AMZN'], snapshot: false });
    const second = await client.next('subscribed', (m) => m.id === 2);
    expect(second.symbols).toEqual(['MSFT', 'NVDA']);
    expect(second.rejected.map((r) => [r.symbol, r.code])).toEqual([['TSLA', 'TOO_MANY_SYMBOLS'], ['AMZN', 'TOO_MANY_SYMBOLS']]);
    expect(second.rejected[0]!.message).toMatch(/at most 3 subscriptions per connection/);
  });

  test('"*" counts as every symbol of the market: refused over the limit, and named symbols beside it cost nothing', async () => {
    await serve({ maxSymbolsPerConnection: 4 });
    const client = await open();
    client.send({ type: 'subscribe', id: 1, symbols: ['*', 'AAPL'], snapshot: false });
    const first = await client.next('subscribed', (m) => m.id === 1);
    expect(first.symbols).toEqual(['AAPL']);
    expect(first.rejected.map((r) => [r.symbol, r.code])).toEqual([['*', 'TOO_MANY_SYMBOLS']]);
    expect(first.rejected[0]!.message).toBe('"*" is all 5 symbols of the market: at most 4 subscriptions per connection');
    expect(server!.app.hub.counters.errors.TOO_MANY_SYMBOLS).toBe(1);
    await server!.close();
    await serve({ maxSymbolsPerConnection: 5 });
    const roomy = await open();
    roomy.send({ type: 'subscribe', id: 1, symbols: ['AAPL', '*', 'MSFT'], snapshot: false });
    const all = await roomy.next('subscribed', (m) => m.id === 1);
    expect([all.symbols, all.rejected]).toEqual([['AAPL', '*', 'MSFT'], []]);
  });

  test('symbol length: a longer name is BAD_FIELD in history, and a per-symbol rejection in subscribe', async () => {
    await serve({ maxSymbolLength: 4 });
    const client = await open();
    client.send({ type: 'history', id: 2, symbol: 'AAPLX', interval: '1m' });
    client.send({ type: 'subscribe', id: 3, symbols: ['MSFT', 'NVDAX'], snapshot: false });
    const error = await client.next('error');
    expect([error.id, error.code]).toEqual([2, 'BAD_FIELD']);
    const subscribed = await client.next('subscribed', (m) => m.id === 3);
    expect(subscribed.symbols).toEqual(['MSFT']);
    expect(subscribed.rejected).toEqual([{ symbol: 'NVDAX', code: 'UNKNOWN_SYMBOL', message: '"NVDAX" is not a symbol name: 1 to 4 letters, digits or . _ : / -' }]);
  });

  test('frame size: a frame over the configured size closes the connection with 1009', async () => {
    await serve({ maxInboundFrameBytes: 1_024 });
    const client = await open();
    client.sendRaw(Buffer.alloc(1_000, 0x90)); // under: a (bad) frame, answered
    await client.next('error');
    client.sendRaw(Buffer.alloc(1_025, 0x90));
    expect((await client.closedWith()).code).toBe(CLOSE_CODES.messageTooBig);
  });
});

describe('a client that asks without reading', () => {
  test('costs the server at most its buffer bound plus one answer, and gets every answer once it reads', async () => {
    const MAX_BUFFERED = 64 * 1024;
    await serve({ maxBufferedBytes: MAX_BUFFERED, inboundBurstMessages: 1_000 });
    for (let s = 0; s < 900; s++) feed.push({ symbol: 'AAPL', ts: T0 + s * 1_000, price: 100 + (s % 50) / 10, size: 1 });
    const reader = await open();
    reader.send({ type: 'subscribe', id: 'r', symbols: ['AAPL'], snapshot: false });
    await reader.next('subscribed');
    const greedy = await open();
    const probe = await open();
    probe.send({ type: 'history', id: 'size', symbol: 'AAPL', interval: '1s', limit: 900 });
    const oneAnswer = JSON.stringify((await probe.next('history')).bars).length; // JSON is larger than MessagePack

    greedy.socket.pause();
    let most = 0;
    const sampler = setInterval(() => {
      for (const socket of server!.app.websocketServer.clients) most = Math.max(most, socket.bufferedAmount);
    }, 2);
    for (let id = 0; id < 300; id++) greedy.send({ type: 'history', id, symbol: 'AAPL', interval: '1s', limit: 900 });
    const ticks: Tick[] = [];
    for (let i = 0; i < 40; i++) {
      const tick = { symbol: 'AAPL', ts: T0 + 900_000 + i * 250, price: 150 + i, size: 2 };
      ticks.push(tick);
      feed.push(tick);
      await sleep(10);
    }
    clearInterval(sampler);
    // Without back-pressure on requests this would be 300 answers, about 10 MB.
    expect(most).toBeLessThanOrEqual(MAX_BUFFERED + oneAnswer);

    greedy.socket.resume();
    const answers = await greedy.until(() => (greedy.of('history').length === 300 ? greedy.of('history') : undefined), '300 answers', 20_000);
    expect(answers.map((answer) => answer.id)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    // The reader kept getting every change meanwhile: its bars equal bars from every tick.
    const reference = new ReferenceBars();
    for (const tick of ticks) reference.add(tick);
    const bars = new Map<number, unknown>();
    for (const update of reader.of('update')) for (const entry of update.updates) for (const bar of entry.k ?? []) bars.set(bar[0], bar);
    expect([...bars.values()].filter((bar) => (bar as number[])[0]! >= T0 + 900_000)).toEqual(reference.get('AAPL'));
  });
});
