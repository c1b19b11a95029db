/**
 * How a connection's inbound messages reach the hub. Two rules keep one client from costing the server
 * more than its share:
 *
 * - Rate: at most `maxMessagesPerS` messages a second after a burst of `burstMessages` (a token bucket;
 *   ping frames count too). A message over the rate is dropped; the owner hears of every one (it counts
 *   them) and is told which one began an episode, the client being sent RATE_LIMITED for that one only, so
 *   a flood is not answered with a flood. An episode ends when the client calms down (its bucket refills);
 *   one that keeps going (more than `maxRateLimitedMessages` dropped in an episode) is closed with 1008.
 * - Back-pressure both ways: while a connection has more than `maxBufferedBytes` of answers it has not
 *   read, its further requests are not read either (the socket is paused and TCP pushes back on the
 *   client), so a client that asks without reading cannot make the server hold more than the bound plus
 *   one answer. Requests already read when the pause begins wait here, in order, and are answered once
 *   the client has read half its backlog: nothing it sent is lost.
 */
import type { WebSocket } from 'ws';
import { TokenBucket } from '../../client/token-bucket.js';

/**
 * Bytes of requests a paused connection may have waiting. ws finishes the chunk it has already read
 * (at most 64 KiB) after a pause, so this is never reached by a TCP peer; it bounds memory regardless.
 */
export const MAX_WAITING_REQUEST_BYTES = 256 * 1024;

export interface FlowLimits {
  readonly maxMessagesPerS: number;
  readonly burstMessages: number;
  readonly maxRateLimitedMessages: number;
  readonly maxBufferedBytes: number;
}

/**
 * What a flow tells its owner (the hub's session). One handlers object serves every connection, told which
 * one by `owner`, so a connection costs no closures of its own.
 */
export interface FlowHandlers<Owner> {
  /** An admitted request, in arrival order. */
  request(owner: Owner, data: Buffer, isBinary: boolean): void;
  /**
   * A message was dropped for the rate: `first` when it began an episode (the one the client is told of).
   * `data` is the dropped data message, undefined for a ping frame; it is not to be handled.
   */
  rateLimited(owner: Owner, first: boolean, data: Buffer | undefined, isBinary: boolean): void;
  /** The client went on past the rate limit, or overran the waiting requests: close it. */
  abusive(owner: Owner, reason: string): void;
  /** Reading was paused for back-pressure; call release() (each flush) until it returns true. */
  paused(owner: Owner): void;
}

export class RequestFlow<Owner> {
  private readonly bucket: TokenBucket;
  private dropped = 0;
  private waiting: { data: Buffer; isBinary: boolean }[] | undefined;
  private waitingBytes = 0;
  private stopped = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly limits: FlowLimits,
    private readonly handlers: FlowHandlers<Owner>,
    private readonly owner: Owner,
  ) {
    this.bucket = new TokenBucket(limits.maxMessagesPerS, limits.burstMessages);
  }

  /** Whether reading is paused for back-pressure. */
  get isPaused(): boolean {
    return this.waiting !== undefined;
  }

  /** A data message arrived. */
  offer(data: Buffer, isBinary: boolean): void {
    if (!this.admit(data, isBinary)) return;
    if (this.waiting !== undefined) {
      this.waitingBytes += data.length;
      if (this.waitingBytes > MAX_WAITING_REQUEST_BYTES) this.stop('too many requests while not reading answers');
      else this.waiting.push({ data, isBinary });
      return;
    }
    this.handlers.request(this.owner, data, isBinary);
    this.pauseIfBacklogged();
  }

  /**
   * A ping frame arrived: it costs a token like a request, and is answered with a pong only when admitted
   * (ws's autoPong is off, routes/ws.ts). One over the rate is dropped unanswered, as a request is.
   */
  offerPing(data: Buffer): void {
    if (!this.admit(undefined, false)) return;
    if (this.socket.readyState === this.socket.OPEN) this.socket.pong(data);
    this.pauseIfBacklogged();
  }

  /**
   * Answers waiting requests while the client keeps reading, then resumes reading. Returns true when no
   * longer paused.
   */
  release(): boolean {
    if (this.waiting === undefined) return true;
    if (this.stopped) return true;
    const threshold = this.limits.maxBufferedBytes / 2;
    if (this.socket.bufferedAmount > threshold) return false;
    while (this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      this.waitingBytes -= next.data.length;
      this.handlers.request(this.owner, next.data, next.isBinary);
      if (this.socket.bufferedAmount > this.limits.maxBufferedBytes) return false;
    }
    this.waiting = undefined;
    this.socket.resume();
    return true;
  }

  /** Whether a message may go on; `data` is a data message's, undefined for a ping frame. */
  private admit(data: Buffer | undefined, isBinary: boolean): boolean {
    if (this.stopped) return false;
    const now = performance.now();
    // A client whose bucket refilled has kept under the rate for a while: a new episode starts.
    if (this.dropped > 0 && this.bucket.full(now)) this.dropped = 0;
    if (this.bucket.take(now)) return true;
    this.dropped++;
    this.handlers.rateLimited(this.owner, this.dropped === 1, data, isBinary);
    if (this.dropped > this.limits.maxRateLimitedMessages) this.stop('rate limit exceeded');
    return false;
  }

  /**
   * The server is closing the connection: drop whatever is waiting and everything that comes, and read
   * again (if paused) so the closing handshake can complete.
   */
  halt(): void {
    this.stopped = true;
    if (this.waiting !== undefined) this.socket.resume();
    this.waiting = undefined;
    this.waitingBytes = 0;
  }

  private pauseIfBacklogged(): void {
    if (this.waiting !== undefined || this.stopped) return;
    if (this.socket.bufferedAmount <= this.limits.maxBufferedBytes) return;
    this.waiting = [];
    this.socket.pause();
    this.handlers.paused(this.owner);
  }

  private stop(reason: string): void {
    // Read again so the closing handshake can complete; everything read from now on is dropped unparsed.
    this.halt();
    this.handlers.abusive(this.owner, reason);
  }
}
