/**
 * One WebSocket connection to an exchange that stays up: it reconnects after any loss with full-jitter
 * backoff (client/backoff.ts), declares a connection dead after a silence (no message, no ping) even when
 * TCP has not noticed, and answers the server's pings with pongs carrying the same payload (ws does it as
 * RFC 6455 §5.5.3 asks; Binance requires it). What to subscribe and how to read messages is the connector's.
 */
import WebSocket from 'ws';
import { fullJitterDelay, type BackoffOptions } from '../../client/backoff.js';

export interface LinkEvents {
  /** A socket opened: subscribe now. */
  opened(): void;
  /** A text message, with the wall-clock time it was received (ms). */
  message(text: string, receivedAt: number): void;
  /** The socket closed (or failed to open); unless stopped, the next attempt follows after a backoff. */
  closed(why: string): void;
}

export interface LinkOptions {
  readonly url: string;
  readonly backoff: BackoffOptions;
  readonly silenceTimeoutMs: number;
  readonly maxMessageBytes: number;
}

export class VenueLink {
  /** When the current socket opened (wall clock, ms); 0 while none is open. */
  openedAt = 0;
  /** Sockets opened so far. */
  opens = 0;
  private socket: WebSocket | undefined;
  private attempt = 0;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private lastFrameAt = 0;
  /** Why the current socket is being cut, when this side cut it (or its error), for `closed`. */
  private dropReason: string | undefined;

  constructor(
    private readonly options: LinkOptions,
    private readonly events: LinkEvents,
  ) {}

  get open(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** The connection works (its subscription was acknowledged): the next loss starts the backoff afresh. */
  healthy(): void {
    this.attempt = 0;
  }

  send(message: unknown): void {
    if (this.open) this.socket!.send(JSON.stringify(message));
  }

  /** Gives up on this socket (no answer, bad state): it is cut and the link reconnects. */
  drop(why: string): void {
    this.dropReason = why;
    this.socket?.terminate();
  }

  pause(): void {
    this.socket?.pause();
  }

  resume(): void {
    this.socket?.resume();
  }

  /** Closes for good (1000) and stops reconnecting. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.watchdog);
    const socket = this.socket;
    if (socket === undefined) return;
    if (socket.readyState === WebSocket.OPEN) socket.close(1000, 'closing');
    else socket.terminate();
  }

  private connect(): void {
    this.dropReason = undefined;
    const socket = new WebSocket(this.options.url, { maxPayload: this.options.maxMessageBytes, perMessageDeflate: false, autoPong: true });
    this.socket = socket;
    const alive = (): void => {
      this.lastFrameAt = performance.now();
    };
    socket.on('open', () => {
      if (this.socket !== socket) return;
      this.openedAt = Date.now();
      this.opens++;
      alive();
      this.watch(socket);
      this.events.opened();
    });
    socket.on('ping', alive);
    socket.on('pong', alive);
    socket.on('message', (data, isBinary) => {
      alive();
      if (!isBinary && this.socket === socket) this.events.message(data.toString(), Date.now());
    });
    // 'close' always follows 'error'; the reason is reported there.
    socket.on('error', (error) => {
      this.dropReason ??= error.message;
    });
    socket.on('close', (code, reason) => {
      clearInterval(this.watchdog);
      if (this.socket !== socket) return;
      this.openedAt = 0;
      const why = this.dropReason ?? `closed ${code}${reason.length > 0 ? ` ${reason.toString()}` : ''}`;
      this.events.closed(why);
      if (!this.stopped) this.scheduleReconnect();
    });
  }

  private watch(socket: WebSocket): void {
    clearInterval(this.watchdog);
    const timeout = this.options.silenceTimeoutMs;
    this.watchdog = setInterval(() => {
      if (this.socket === socket && performance.now() - this.lastFrameAt > timeout) this.drop(`silent for ${timeout} ms`);
    }, Math.max(10, Math.floor(timeout / 4)));
    this.watchdog.unref();
  }

  private scheduleReconnect(): void {
    const delay = fullJitterDelay(this.attempt++, this.options.backoff);
    this.retry = setTimeout(() => {
      if (!this.stopped) this.connect();
    }, delay);
  }
}
