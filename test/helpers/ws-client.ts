import WebSocket from 'ws';
import { decodeBinary, decodeText, encodeBinary, encodeText } from '../../client/protocol/codec.js';
import type { ClientMessage, ServerMessage } from '../../client/protocol/messages.js';

type Of<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/**
 * A raw WebSocket test client: records every decoded message and waits for the ones a test expects.
 * Deliberately not the SDK, so server tests do not depend on the client library.
 */
export class WsClient {
  readonly messages: ServerMessage[] = [];
  /** Bytes of each update frame, in order. */
  readonly updateBytes: number[] = [];
  closed: { code: number; reason: string } | undefined;
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly socket: WebSocket,
    readonly encoding: 'msgpack' | 'json',
  ) {
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      const message = (isBinary ? decodeBinary(data) : decodeText(data.toString('utf8'))) as ServerMessage;
      if (message.type === 'update') this.updateBytes.push(data.length);
      this.messages.push(message);
      for (const waiter of this.waiters) waiter();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      for (const waiter of this.waiters) waiter();
    });
  }

  static async open(url: string, encoding: 'msgpack' | 'json' = 'msgpack', protocols?: string[]): Promise<WsClient> {
    const socket = new WebSocket(url, protocols ?? (encoding === 'json' ? ['json'] : ['msgpack']));
    const client = new WsClient(socket, encoding);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  send(message: ClientMessage | Record<string, unknown>): void {
    this.socket.send(this.encoding === 'json' ? encodeText(message as ClientMessage) : encodeBinary(message as ClientMessage));
  }

  sendRaw(data: Buffer | string, binary = typeof data !== 'string'): void {
    this.socket.send(data, { binary });
  }

  of<T extends ServerMessage['type']>(type: T): Of<T>[] {
    return this.messages.filter((message): message is Of<T> => message.type === type);
  }

  /** Resolves with the first message (from the start) of `type` matching `where`. */
  next<T extends ServerMessage['type']>(type: T, where: (message: Of<T>) => boolean = () => true, timeoutMs = 5_000): Promise<Of<T>> {
    return this.until(() => this.of(type).find(where), `a "${type}" message`, timeoutMs);
  }

  /** Resolves once `probe` returns something other than undefined (checked on every message). */
  until<R>(probe: () => R | undefined, what: string, timeoutMs = 5_000): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const check = (): boolean => {
        const found = probe();
        if (found === undefined) return false;
        this.waiters.delete(waiter);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const waiter = (): void => {
        check();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(waiter);
      check();
    });
  }

  closedWith(timeoutMs = 5_000): Promise<{ code: number; reason: string }> {
    return this.until(() => this.closed, 'the connection to close', timeoutMs);
  }

  close(): void {
    this.socket.close();
  }
}
