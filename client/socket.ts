/** What the client needs of a WebSocket: the browser's and the `ws` package's both fit. */

/**
 * An event handler property. Declared through a method so its parameter is checked bivariantly: the
 * browser's and `ws`'s sockets type these handlers with their own, richer event classes.
 */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The subset of the WebSocket API the client uses. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
  send(data: Uint8Array | string): void;
  close(code?: number, reason?: string): void;
}

/** A WebSocket constructor: `globalThis.WebSocket` in browsers, `WebSocket` from the `ws` package in Node. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** `readyState` of an open socket (the same in every implementation). */
export const SOCKET_OPEN = 1;
