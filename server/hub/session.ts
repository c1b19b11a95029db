import type { WebSocket } from 'ws';
import { encodeBinary, encodeText } from '../../client/protocol/codec.js';
import type { Encoding, ServerMessage } from '../../client/protocol/messages.js';
import type { FrameArena } from './frames.js';
import type { Group } from './group.js';
import { RequestFlow, type FlowHandlers, type FlowLimits } from './request-flow.js';
import { payloadLength, payloadOf, rawSocketFor } from './websocket-frame.js';

/** How one symbol (or `*`) is subscribed on one connection. */
export interface Subscription {
  /** Carry 1 s bars in snapshots and updates. */
  readonly bars: boolean;
  /** Send this symbol's updates on every `tier`-th flush only (from the subscription's maxRate). */
  readonly tier: number;
}

/** One WebSocket connection: what it subscribed to, where its update stream stands, how it is encoded. */
export class Session {
  /** Number of the last update frame sent; the next one is seq + 1. */
  seq = 0;
  /** The connection's subscriptions live in its group (shared with every identically subscribed one). */
  group: Group | undefined;
  /**
   * Set while back-pressure holds this connection's updates: the last generation it fully received. It
   * is then sent everything changed after it, in one frame, once its socket drains.
   */
  pausedSince: number | undefined;
  /** While paused: the number of its slice's service it last received (slices.ts), for maxRate tiers. */
  pausedStep = 0;
  /** When the current pause began (ms). */
  pausedAt = 0;
  /** Update frames still to drop as if lost (Hub.loseUpdateFrames, a test hook). */
  framesToLose = 0;
  /**
   * Set when the server closed the connection as a slow consumer: the close code it sent, which is what
   * /metrics counts it under, whether or not the client took the close frame.
   */
  closedAs: number | undefined;
  /** While a slow consumer's close frame waits to be read: the timer that destroys its socket (Hub). */
  closeTimer: NodeJS.Timeout | undefined;
  /** Its inbound messages' way in (rate and back-pressure). */
  readonly flow: RequestFlow<Session>;
  /** The WebSocket extensions the handshake negotiated (fixed for the connection's life). */
  private readonly extensions: string;

  constructor(
    readonly id: number,
    readonly socket: WebSocket,
    readonly encoding: Encoding,
    readonly remote: string,
    flowLimits: FlowLimits,
    flowHandlers: FlowHandlers<Session>,
  ) {
    this.flow = new RequestFlow(socket, flowLimits, flowHandlers, this);
    this.extensions = socket.extensions;
  }

  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  /**
   * Whether the hub is holding back this connection's updates (back-pressure) and so has it on the
   * slow-consumer clock: it drains, or is closed with 4000 once held back longer than the timeout.
   */
  get heldBack(): boolean {
    return this.pausedSince !== undefined && this.group !== undefined;
  }

  /** Sends a control message (hello, replies, snapshots), encoded for this connection. */
  send(message: ServerMessage): number {
    const data = this.encoding === 'json' ? encodeText(message) : encodeBinary(message);
    return this.sendEncoded(data);
  }

  /**
   * Sends a whole binary WebSocket frame (websocket-frame.ts): straight to the TCP socket when `ws` has
   * nothing in flight, else its payload through `ws`. Returns the payload bytes queued.
   *
   * When the frame came from `arena` and the kernel took every byte at once (the socket queued nothing,
   * so no write holds the frame), its memory goes back to the arena for the next frame. A frame handed to
   * `ws` is never given back: ws may queue it.
   */
  sendFrame(frame: Buffer, arena?: FrameArena): number {
    const raw = rawSocketFor(this.socket, this.extensions);
    if (raw === undefined) return this.sendEncoded(payloadOf(frame));
    raw.write(frame);
    if (raw.writableLength === 0) arena?.release(frame);
    return payloadLength(frame);
  }

  /** Sends bytes (binary connections) or text (JSON connections) already encoded. Returns bytes queued. */
  sendEncoded(data: Uint8Array | string): number {
    if (!this.open) return 0;
    this.socket.send(data, { binary: typeof data !== 'string' });
    return typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  }
}
