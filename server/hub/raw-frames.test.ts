/**
 * Update frames written straight to the TCP socket (websocket-frame.ts) next to everything `ws` itself
 * writes on the same connection: order, the close frame, extensions, back-pressure accounting.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import WebSocket, { WebSocketServer, type PerMessageDeflateOptions } from 'ws';
import type { FlowHandlers, FlowLimits } from './request-flow.js';
import { FrameArena } from './frames.js';
import { Session } from './session.js';
import { frameInPlace, MAX_HEADER_BYTES, rawSocketFor } from './websocket-frame.js';

/** These tests send from the server only: what the client sends (nothing) goes nowhere. */
const FLOW_LIMITS: FlowLimits = { maxMessagesPerS: 50, burstMessages: 200, maxRateLimitedMessages: 100, maxBufferedBytes: 256 * 1024 };
const IGNORED_REQUESTS: FlowHandlers<Session> = { request: () => {}, rateLimited: () => {}, abusive: () => {}, paused: () => {} };

const servers: WebSocketServer[] = [];
const clients: WebSocket[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.terminate();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A `ws` server and a client connected to it; returns the server's end as a Session, and the client. */
async function connect(perMessageDeflate: boolean | PerMessageDeflateOptions = false): Promise<{ session: Session; client: WebSocket }> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate });
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  const accepted = new Promise<WebSocket>((resolve) => server.once('connection', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, { perMessageDeflate });
  clients.push(client);
  await new Promise((resolve, reject) => {
    client.once('open', resolve);
    client.once('error', reject);
  });
  return { session: new Session(1, await accepted, 'msgpack', '127.0.0.1', FLOW_LIMITS, IGNORED_REQUESTS), client };
}

function frameOf(payload: Buffer): Buffer {
  return frameInPlace(Buffer.concat([Buffer.alloc(MAX_HEADER_BYTES), payload]), MAX_HEADER_BYTES);
}

type Event = string;

/** Everything the client sees, in order, until the connection closes. */
function record(client: WebSocket): Promise<Event[]> {
  const events: Event[] = [];
  client.on('message', (data: Buffer, isBinary) => events.push(`${isBinary ? 'binary' : 'text'} ${data.toString()}`));
  client.on('ping', (data: Buffer) => events.push(`ping ${data.toString()}`));
  return new Promise((resolve) => client.once('close', (code) => resolve([...events, `close ${code}`])));
}

describe('update frames written to the TCP socket beside ws', () => {
  test("arrive in the order they were sent among ws's own messages, pings and the close frame", async () => {
    const { session, client } = await connect();
    const seen = record(client);
    session.sendEncoded('reply 1');
    expect(session.sendFrame(frameOf(Buffer.from('update 1')))).toBe(8);
    session.socket.ping('p');
    session.sendEncoded('reply 2');
    session.sendFrame(frameOf(Buffer.from('update 2')));
    session.socket.close(1000);
    // After close() nothing more may be written: the frame is dropped, not written after the close frame.
    expect(rawSocketFor(session.socket)).toBeUndefined();
    expect(session.sendFrame(frameOf(Buffer.from('too late')))).toBe(0);
    expect(await seen).toEqual(['text reply 1', 'binary update 1', 'ping p', 'text reply 2', 'binary update 2', 'close 1000']);
  });

  test('go through ws when permessage-deflate was negotiated', async () => {
    const { session, client } = await connect({ threshold: 0 });
    expect(session.socket.extensions).toContain('permessage-deflate');
    expect(rawSocketFor(session.socket)).toBeUndefined();
    const seen = record(client);
    const big = Buffer.alloc(100_000, 'x');
    session.sendFrame(frameOf(Buffer.from('update 1')));
    session.sendFrame(frameOf(big));
    session.sendEncoded('reply');
    session.socket.close(1000);
    expect(await seen).toEqual(['binary update 1', `binary ${big.toString()}`, 'text reply', 'close 1000']);
  });

  test('from a reused arena reach every client intact, a client that reads nothing for a while included', async () => {
    // The arena gives a frame's memory to the next frame once the kernel took it all; a frame the socket
    // had to queue (its client is not reading) must keep its bytes until it is written.
    const slow = await connect();
    const fast = await connect();
    const arena = new FrameArena(1 << 20);
    const received = (client: WebSocket, count: number): Promise<string[]> =>
      new Promise((resolve) => {
        const messages: string[] = [];
        client.on('message', (data: Buffer) => {
          messages.push(data.toString());
          if (messages.length === count) resolve(messages);
        });
      });
    const payload = (n: number, who: string): string => `${who} ${n} `.padEnd(60_000, String.fromCharCode(97 + (n % 26)));
    const send = (session: Session, text: string): void => {
      const frame = arena.alloc(MAX_HEADER_BYTES + text.length);
      frame.write(text, MAX_HEADER_BYTES, 'latin1');
      session.sendFrame(frameInPlace(frame, MAX_HEADER_BYTES), arena);
    };
    slow.client.pause();
    const count = 250;
    const fastSeen = received(fast.client, count);
    for (let n = 0; n < count; n++) {
      send(slow.session, payload(n, 'slow'));
      send(fast.session, payload(n, 'fast'));
    }
    // The kernel's loopback buffers took a few MB; the rest of the 15 MB waits in the socket.
    expect(slow.session.socket.bufferedAmount).toBeGreaterThan(0);
    expect(await fastSeen).toEqual(Array.from({ length: count }, (_, n) => payload(n, 'fast')));
    const slowSeen = received(slow.client, count);
    slow.client.resume();
    expect(await slowSeen).toEqual(Array.from({ length: count }, (_, n) => payload(n, 'slow')));
  });

  test('count in bufferedAmount while the client reads nothing, so back-pressure sees them', async () => {
    const { session, client } = await connect();
    client.pause();
    const frame = frameOf(Buffer.alloc(1 << 20));
    for (let i = 0; i < 64; i++) session.sendFrame(frame);
    expect(rawSocketFor(session.socket)).toBeDefined();
    // The kernel's loopback buffers take a few MiB; the rest waits in the socket, and ws reports it.
    expect(session.socket.bufferedAmount).toBeGreaterThan(32 << 20);
  });
});
