import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLOSE_CODES, PROTOCOL_VERSION, PROTOCOL_VERSIONS } from '../../client/protocol/messages.js';
import { instrument, ManualFeed } from '../helpers/manual-feed.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws-client.js';

describe.each(['msgpack', 'json'] as const)('protocol version negotiation over %s', (encoding) => {
  let server: RunningServer;
  const clients: WsClient[] = [];
  beforeAll(async () => {
    server = await startServer({ feed: new ManualFeed([instrument('AAPL')]), config: { flushIntervalMs: 20 } });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await server.close();
  });
  async function open(): Promise<WsClient> {
    const client = await WsClient.open(server.url, encoding);
    clients.push(client);
    return client;
  }

  test('the greeting names the version in force and every version the server speaks', async () => {
    const client = await open();
    const hello = await client.next('hello');
    expect(hello.id).toBeUndefined();
    expect(hello.protocol).toBe(PROTOCOL_VERSION);
    expect(hello.protocols).toEqual(PROTOCOL_VERSIONS);
  });

  test('a hello request is answered with the newest version both speak, under its id', async () => {
    const client = await open();
    client.send({ type: 'hello', id: 'v', protocols: [99, PROTOCOL_VERSION, 7], client: 'test/1.0' });
    const answer = await client.next('hello', (hello) => hello.id === 'v');
    expect(answer).toMatchObject({ type: 'hello', id: 'v', protocol: PROTOCOL_VERSION, protocols: PROTOCOL_VERSIONS });
    // The connection carries on as usual.
    client.send({ type: 'ping', id: 2 });
    await client.next('pong');
  });

  test('unknown fields in a hello request are ignored, so newer clients keep working', async () => {
    const client = await open();
    client.send({ type: 'hello', id: 1, protocols: [PROTOCOL_VERSION], compression: 'zstd', features: ['x'] });
    expect(await client.next('hello', (hello) => hello.id === 1)).toMatchObject({ protocol: PROTOCOL_VERSION });
  });

  test('no common version: an UNSUPPORTED_PROTOCOL error, then close 4002', async () => {
    const client = await open();
    client.send({ type: 'hello', id: 3, protocols: [7, 8] });
    const error = await client.next('error');
    expect(error).toMatchObject({ id: 3, code: 'UNSUPPORTED_PROTOCOL' });
    expect(error.message).toMatch(/speaks protocol 1; the client offered 7, 8/);
    expect(await client.closedWith()).toEqual({ code: CLOSE_CODES.unsupportedProtocol, reason: 'no common protocol version' });
  });

  test.each([
    [{ type: 'hello', id: 4 }, /"protocols" must be an array/],
    [{ type: 'hello', id: 4, protocols: [] }, /"protocols" must be an array/],
    [{ type: 'hello', id: 4, protocols: [1.5] }, /whole numbers/],
    [{ type: 'hello', id: 4, protocols: [1], client: 42 }, /"client" must be a string/],
  ])('a malformed hello %j is refused with BAD_FIELD and the connection stays open', async (request, message) => {
    const client = await open();
    client.send(request);
    const error = await client.next('error');
    expect(error).toMatchObject({ id: 4, code: 'BAD_FIELD' });
    expect(error.message).toMatch(message);
    client.send({ type: 'ping', id: 5 });
    await client.next('pong');
  });
});
