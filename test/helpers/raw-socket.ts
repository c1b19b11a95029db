import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * A hostile or broken peer written with raw TCP, for what the ws client would refuse to send: malformed
 * handshakes, unmasked or fragmented frames, a client that never answers pings or never reads.
 */
export interface RawResponse {
  /** Everything the server sent before closing or the timeout. */
  readonly text: string;
  /** The status code of the HTTP response, if one came. */
  readonly status: number | undefined;
  /** Whether the server closed the connection (rather than the timeout ending it). */
  readonly closedByServer: boolean;
}

/** Writes `request` (a string, or chunks written one after another) and collects the answer. */
export function rawExchange(port: number, request: string | readonly (string | Buffer)[], timeoutMs = 5_000): Promise<RawResponse> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (closedByServer: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ text, status: match === null ? undefined : Number(match[1]), closedByServer });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', () => {
      for (const part of typeof request === 'string' ? [request] : request) {
        if (!socket.writable) break;
        socket.write(part);
      }
    });
  });
}

export function upgradeRequest(headers: Record<string, string> = {}, path = '/ws'): string {
  const all: Record<string, string> = {
    Host: 'localhost',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  return `GET ${path} HTTP/1.1\r\n${Object.entries(all).map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
}

export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** One client-to-server WebSocket frame (masked, as RFC 6455 requires of clients). */
export function clientFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const mask = randomBytes(4);
  const length = payload.length;
  const header = length < 126 ? Buffer.alloc(2) : length < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10);
  header[0] = (fin ? 0x80 : 0) | opcode;
  if (length < 126) header[1] = 0x80 | length;
  else if (length < 65_536) {
    header[1] = 0x80 | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  const masked = Buffer.from(payload);
  for (let i = 0; i < masked.length; i++) masked[i]! ^= mask[i % 4]!;
  return Buffer.concat([header, mask, masked]);
}

/**
 * The code in the first close frame among raw server-to-client bytes, found by walking the frames (server
 * frames are unmasked): a byte search would also find 0x88 inside a payload, e.g. a MessagePack map of 8 or
 * a time's bytes in the hello.
 */
export function closeFrameCode(bytes: Buffer): number | undefined {
  let at = 0;
  while (at + 2 <= bytes.length) {
    const opcode = bytes[at]! & 0x0f;
    let length = bytes[at + 1]! & 0x7f;
    let header = 2;
    if (length === 126) [length, header] = [bytes.readUInt16BE(at + 2), 4];
    else if (length === 127) [length, header] = [Number(bytes.readBigUInt64BE(at + 2)), 10];
    if (opcode === OPCODE.close) return length >= 2 ? bytes.readUInt16BE(at + header) : undefined;
    at += header + length;
  }
  return undefined;
}

/** A WebSocket connection made by hand: it answers nothing (no pongs, no close) unless told to. */
export class RawWebSocket {
  /** Bytes received after the handshake. */
  received = Buffer.alloc(0);
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('close', () => {
      this.closed = true;
    });
  }

  static open(port: number, headers: Record<string, string> = {}): Promise<RawWebSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        socket.off('data', onData);
        const status = head.subarray(0, end).toString('latin1');
        if (!status.startsWith('HTTP/1.1 101')) {
          socket.destroy();
          reject(new Error(`handshake refused: ${status.split('\r\n')[0]}`));
          return;
        }
        const raw = new RawWebSocket(socket);
        raw.received = head.subarray(end + 4);
        socket.on('data', (more: Buffer) => {
          raw.received = Buffer.concat([raw.received, more]);
        });
        resolve(raw);
      };
      socket.on('data', onData);
      socket.once('error', reject);
      socket.on('connect', () => socket.write(upgradeRequest({ 'Sec-WebSocket-Protocol': 'msgpack', ...headers })));
    });
  }

  send(frame: Buffer): void {
    if (this.socket.writable) this.socket.write(frame);
  }

  /** Resolves when the server has closed the TCP connection. */
  closedByServer(timeoutMs = 5_000): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed) return resolve();
      const timer = setTimeout(() => reject(new Error(`the server did not close the connection within ${timeoutMs} ms`)), timeoutMs);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  destroy(): void {
    this.socket.destroy();
  }
}
