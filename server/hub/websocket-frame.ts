/**
 * Whole WebSocket frames for the update fan-out, written straight to a connection's TCP socket.
 *
 * Why: an update frame is one write per connection per flush, and that write is most of what the fan-out
 * costs. `ws`'s send() frames the payload into a separate header buffer and corks the socket for a
 * two-buffer writev; writing one buffer that already holds the header takes about a fifth less CPU per
 * frame (bench/ measured 12.5 vs 10 µs on this machine). The hub builds each update frame with room for
 * the header in front (frames.ts), and Session writes it here when rawSocketFor() says that is safe, or
 * hands the payload to `ws`'s send() when it is not.
 *
 * The frame is what `ws` would write: final, binary, unmasked (a server never masks), no extensions
 * (the server negotiates none: perMessageDeflate is off), the shortest length encoding (RFC 6455 §5.2).
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

/** Room to leave in front of a payload for its header: the longest header, 64-bit length. */
export const MAX_HEADER_BYTES = 10;

const FIN_BINARY = 0x82;

export function headerLength(payloadLength: number): number {
  return payloadLength < 126 ? 2 : payloadLength < 0x1_0000 ? 4 : 10;
}

/**
 * Writes the header of a payload that starts at `payloadOffset` of `buffer` and runs to its end, just in
 * front of it. Returns the frame: the header and the payload, without the unused room before them.
 */
export function frameInPlace(buffer: Buffer, payloadOffset: number): Buffer {
  const length = buffer.length - payloadOffset;
  const start = payloadOffset - headerLength(length);
  if (start < 0) throw new RangeError(`no room for the WebSocket header: payload at ${payloadOffset}, header ${headerLength(length)} bytes`);
  buffer[start] = FIN_BINARY;
  if (length < 126) {
    buffer[start + 1] = length;
  } else if (length < 0x1_0000) {
    buffer[start + 1] = 126;
    buffer.writeUInt16BE(length, start + 2);
  } else {
    buffer[start + 1] = 127;
    buffer.writeUInt32BE(Math.floor(length / 0x1_0000_0000), start + 2);
    buffer.writeUInt32BE(length % 0x1_0000_0000, start + 6);
  }
  return start === 0 ? buffer : buffer.subarray(start);
}

/** The payload of a frame made by frameInPlace(). */
export function payloadOf(frame: Buffer): Buffer {
  return frame.subarray(frame.length - payloadLength(frame));
}

export function payloadLength(frame: Buffer): number {
  const lengthByte = frame[1]! & 0x7f;
  return frame.length - (lengthByte < 126 ? 2 : lengthByte === 126 ? 4 : 10);
}

/** The parts of `ws`'s WebSocket this relies on (ws 8.17+: lib/websocket.js and lib/sender.js). */
interface WsInternals {
  readonly _socket?: Duplex;
  readonly _sender?: { readonly _bufferedBytes?: unknown; readonly _state?: unknown; readonly _firstFragment?: unknown };
}

/**
 * The TCP socket under `socket` when a whole frame may be written to it now, in order with everything
 * `ws` wrote before and will write after. Undefined (send the payload with `socket.send()`) unless all of:
 * - the WebSocket is open: after close() ws has sent or queued a close frame, and nothing may follow it;
 * - no extension was negotiated (`extensions` is ''): with permessage-deflate a frame must say whether it
 *   is compressed, and ws keeps compressor state; the server turns it off, this makes sure;
 * - ws's sender is idle: it writes synchronously except while compressing or reading a Blob (`_state` 0 =
 *   DEFAULT, `_bufferedBytes` 0 = nothing queued behind that), and is not inside a fragmented message
 *   (`_firstFragment`); a frame written now then lands after everything ws has written, and whatever ws
 *   writes next (replies, pongs, pings, the close frame) lands after it;
 * - the TCP socket is still writable.
 * `extensions`: the socket's, which the handshake fixed; a caller that sends often passes them read once
 * (ws's getter joins Object.keys() of them on every read).
 * If a future ws renames these fields, the checks fail and every frame goes through send(): slower, never
 * wrong. The frame's bytes count in `socket.bufferedAmount` (the socket's writable length is part of it),
 * so back-pressure sees them, and a write error reaches ws through the socket's 'error' event as for its
 * own writes.
 */
export function rawSocketFor(socket: WebSocket, extensions = socket.extensions): Duplex | undefined {
  if (socket.readyState !== socket.OPEN || extensions !== '') return undefined;
  const { _socket: raw, _sender: sender } = socket as unknown as WsInternals;
  if (raw === undefined || !raw.writable || sender === undefined) return undefined;
  const idle = sender._state === 0 && sender._bufferedBytes === 0 && sender._firstFragment === true;
  return idle ? raw : undefined;
}
