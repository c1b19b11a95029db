import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLOSE_CODES } from '../../client/protocol/messages.js';
import { instrument, ManualFeed } from '../helpers/manual-feed.js';
import { clientFrame, closeFrameCode, OPCODE, rawExchange, RawWebSocket, upgradeRequest } from '../helpers/raw-socket.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { WsClient } from '../helpers/ws-client.js';

let server: RunningServer;
/** Connected throughout: whatever the abusers do, it must keep its connection and its answers. */
let bystander: WsClient;

beforeAll(async () => {
  server = await startServer({ feed: new ManualFeed([instrument('AAPL')]) });
  bystander = await WsClient.open(server.url);
  await bystander.next('hello');
});

afterAll(async () => {
  bystander.close();
  await server.close();
});

describe('handshakes that are not ours are refused over plain HTTP', () => {
  test('a flood of headers: 431, and the connection is closed', async () => {
    const headers = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`X-Flood-${i}`, 'x'.repeat(20)]));
    const response = await rawExchange(server.port, upgradeRequest(headers));
    expect(response.status).toBe(431);
    expect(response.closedByServer).toBe(true);
  });

  test('one enormous header: 431', async () => {
    const response = await rawExchange(server.port, upgradeRequest({ Cookie: 'c'.repeat(64 * 1024) }));
    expect(response.status).toBe(431);
  });

  test('a huge subprotocol list: 400 before the upgrade', async () => {
    const protocols = Array.from({ length: 2_000 }, (_, i) => `p${i}`).join(', ');
    const response = await rawExchange(server.port, upgradeRequest({ 'Sec-WebSocket-Protocol': protocols }));
    expect(response.status).toBe(400);
    expect(response.text).toMatch(/"code":"BAD_HANDSHAKE"/);
    expect(response.closedByServer).toBe(true);
  });

  test.each([
    ['a plain GET', 'GET /ws HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n', 426],
    ['a POST', 'POST /ws HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}', 404],
    ['an upgrade to another protocol', 'GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n', 400],
  ])('%s to /ws is refused', async (_name, request, status) => {
    const response = await rawExchange(server.port, request);
    expect(response.status).toBe(status);
  });

  test.each([
    ['no key', { 'Sec-WebSocket-Key': '' }],
    ['a key that is not 16 bytes of base64', { 'Sec-WebSocket-Key': 'short' }],
    ['an unsupported version', { 'Sec-WebSocket-Version': '12' }],
    ['an invalid subprotocol token', { 'Sec-WebSocket-Protocol': 'a b' }],
  ])('an upgrade with %s: 400', async (_name, headers) => {
    const response = await rawExchange(server.port, upgradeRequest(headers));
    expect(response.status).toBe(400);
    expect(response.closedByServer).toBe(true);
  });

  test('garbage instead of HTTP: 400, the connection closed', async () => {
    const response = await rawExchange(server.port, '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n');
    expect(response.status).toBe(400);
  });
});

describe('abusive frames after the handshake close that connection only', () => {
  test('fragments adding up past the frame limit: 1009', async () => {
    const raw = await RawWebSocket.open(server.port);
    raw.send(clientFrame(OPCODE.binary, Buffer.alloc(1_024, 0x90), false));
    for (let i = 0; i < 40; i++) raw.send(clientFrame(OPCODE.continuation, Buffer.alloc(1_024, 0x90), false));
    await raw.closedByServer();
    expect(closeFrameCode(raw.received)).toBe(CLOSE_CODES.messageTooBig);
  });

  test('a flood of empty fragments, which cost ws no memory, is cut off at the fragment limit: 1008', async () => {
    const raw = await RawWebSocket.open(server.port);
    raw.send(clientFrame(OPCODE.binary, Buffer.alloc(0), false));
    for (let i = 0; i < 50_000; i++) raw.send(clientFrame(OPCODE.continuation, Buffer.alloc(0), false));
    await raw.closedByServer();
    expect(closeFrameCode(raw.received)).toBe(CLOSE_CODES.policyViolation);
  });

  test('an unmasked frame (servers must refuse them): 1002', async () => {
    const raw = await RawWebSocket.open(server.port);
    raw.send(Buffer.from([0x82, 0x01, 0x90]));
    await raw.closedByServer();
    expect(closeFrameCode(raw.received)).toBe(CLOSE_CODES.protocolError);
  });

  test('a text frame that is not UTF-8: 1007', async () => {
    const raw = await RawWebSocket.open(server.port);
    raw.send(clientFrame(OPCODE.text, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])));
    await raw.closedByServer();
    expect(closeFrameCode(raw.received)).toBe(1007);
  });

  test('a frame header claiming 2^63 bytes: 1009 without allocating it', async () => {
    const raw = await RawWebSocket.open(server.port);
    raw.send(Buffer.from([0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]));
    await raw.closedByServer();
    expect([CLOSE_CODES.messageTooBig, CLOSE_CODES.protocolError]).toContain(closeFrameCode(raw.received));
  });
});

test('after all of it the server serves, and the bystander never noticed', async () => {
  bystander.send({ type: 'ping', id: 'after' });
  await bystander.next('pong', (pong) => pong.id === 'after');
  expect(bystander.closed).toBeUndefined();
  expect((await fetch(`${server.http}/healthz`)).status).toBe(200);
  const metrics = await (await fetch(`${server.http}/metrics`)).text();
  expect(metrics).toMatch(/^tickertape_rejected_inputs_total\{reason="subprotocols"\} 1$/m);
  expect(metrics).toMatch(/^tickertape_rejected_inputs_total\{reason="frame_too_big"\} [1-9]/m);
  expect(metrics).toMatch(/^tickertape_rejected_inputs_total\{reason="invalid_utf8"\} 1$/m);
  expect(metrics).toMatch(/^tickertape_rejected_inputs_total\{reason="too_many_fragments"\} 1$/m);
  expect(metrics).toMatch(/^tickertape_rejected_inputs_total\{reason="not_websocket"\} [1-9]/m);
});
