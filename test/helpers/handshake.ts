import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';

export type Handshake =
  | { readonly status: 101; readonly socket: WebSocket }
  | { readonly status: number; readonly headers: IncomingMessage['headers']; readonly body: { code?: string; message?: string } };

/** Attempts a WebSocket handshake; resolves with the open socket or with the HTTP answer that refused it. */
export function handshake(url: string, options: { headers?: Record<string, string>; origin?: string } = {}): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, ['msgpack'], { headers: options.headers, origin: options.origin });
    socket.once('open', () => resolve({ status: 101, socket }));
    socket.once('unexpected-response', (_request, response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => {
        let body = {};
        try {
          body = JSON.parse(text) as object;
        } catch {
          // not JSON: leave the body empty
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
      });
    });
    socket.once('error', reject);
  });
}
