import type { ErrorMessage } from './protocol/messages.js';

/** A request the server answered with an `error`; `answer.code` is the stable reason. */
export class RequestFailed extends Error {
  override readonly name = 'RequestFailed';
  constructor(readonly answer: ErrorMessage) {
    super(`${answer.code}: ${answer.message}`);
  }
}

/** Why the client itself gave up on something; each is a stable `code` beside a message for people. */
export type ClientErrorCode =
  /** The request got no answer in time (`requestTimeoutMs`). */
  | 'TIMEOUT'
  /** The connection is not open, or closed before the answer came. */
  | 'DISCONNECTED'
  /** The client was closed with close(). */
  | 'CLOSED'
  /** The server went silent: no message for two heartbeat periods. */
  | 'HEARTBEAT_TIMEOUT'
  /** The server did not greet within `connectTimeoutMs` of the connection attempt. */
  | 'CONNECT_TIMEOUT'
  /** Client and server speak no common protocol version; the client does not reconnect. */
  | 'UNSUPPORTED_PROTOCOL'
  /**
   * A request too large for the server's inbound frame limit: not sent; or the server closed the connection
   * for a frame too large (1009), after which the client stops rather than send it again.
   */
  | 'FRAME_TOO_LARGE'
  /** A frame from the server could not be decoded. */
  | 'BAD_FRAME'
  /** An async iterator's consumer fell further behind than its buffer allows. */
  | 'SLOW_CONSUMER';

/** A failure the client itself detected; `code` is the stable reason (docs/client.md#errors). */
export class ClientError extends Error {
  override readonly name = 'ClientError';
  constructor(
    readonly code: ClientErrorCode,
    message: string,
  ) {
    super(message);
  }
}
