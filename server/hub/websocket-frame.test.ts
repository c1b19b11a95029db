import { createHash } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { frameInPlace, MAX_HEADER_BYTES, payloadOf } from './websocket-frame.js';

/** RFC 6455 §1.3: the GUID a server appends to the client's key. */
const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** A bare TCP server that completes the WebSocket handshake and then writes whatever frames it is given. */
let server: ReturnType<typeof createServer>;
let port = 0;
const upgraded: Socket[] = [];

beforeAll(async () => {
  server = createServer((socket) => {
    socket.once('data', (request) => {
      const key = /^sec-websocket-key: *(.+)$/im.exec(request.toString('latin1'))?.[1]?.trim() ?? '';
      const accept = createHash('sha1').update(key + HANDSHAKE_GUID).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      upgraded.push(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const socket of upgraded) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

/** What a `ws` client receives when the server writes `frame` to its socket. */
async function receive(frame: Buffer): Promise<{ data: Buffer; isBinary: boolean }> {
  const client = new WebSocket(`ws://127.0.0.1:${port}/`, { maxPayload: 0 });
  await new Promise((resolve, reject) => {
    client.once('open', resolve);
    client.once('error', reject);
  });
  const message = new Promise<{ data: Buffer; isBinary: boolean }>((resolve, reject) => {
    client.once('message', (data: Buffer, isBinary) => resolve({ data, isBinary }));
    client.once('error', reject);
  });
  upgraded.at(-1)!.write(frame);
  const received = await message;
  client.terminate();
  return received;
}

describe('whole WebSocket frames written in place', () => {
  test.each([0, 1, 125, 126, 65_535, 65_536, 300_000])('a %i-byte payload reaches a ws client as one binary message', async (length) => {
    const payload = Buffer.alloc(length);
    for (let i = 0; i < length; i++) payload[i] = i % 251;
    const frame = frameInPlace(Buffer.concat([Buffer.alloc(MAX_HEADER_BYTES, 0xee), payload]), MAX_HEADER_BYTES);
    expect(payloadOf(frame)).toEqual(payload);
    const received = await receive(frame);
    expect(received.isBinary).toBe(true);
    expect(received.data).toEqual(payload);
  });

  test('refuses a payload without room for its header', () => {
    expect(() => frameInPlace(Buffer.alloc(200), 2)).toThrow(RangeError);
  });
});
