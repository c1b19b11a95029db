/**
 * tickertape's client: `import { connect } from 'tickertape/client'`. Runs in browsers and in Node; in Node
 * 20 the package's `node` entry (client/node.ts) passes the `ws` package's WebSocket for you. The guide is
 * docs/client.md.
 */
export {
  connect,
  TickerClient,
  type ClientEvents,
  type ClientOptions,
  type ConnectionState,
  type Gap,
  type StateChange,
  type SubscriptionChange,
} from './client.js';
export { RequestFailed, ClientError, type ClientErrorCode } from './errors.js';
export { withAccessToken, type AccessToken } from './access-token.js';
export type { SubscribeOptions, SubscriptionState } from './subscription-book.js';
export type { WebSocketConstructor, WebSocketLike } from './socket.js';
export type { BarEvent } from './bar-ledger.js';
export type { Quote, QuoteSource } from './quote.js';
export type { Recovery } from './recovery.js';
export { MAX_BUFFERED_BARS, type BarStreamOptions, type ClientStream, type QuoteStreamOptions } from './streams.js';
export { SymbolView, DEFAULT_VIEW_BARS } from './symbol-view.js';
export { addVolume, barIndex, bucketOf, foldBars, mergeBar, sameBar } from './bars.js';
export { fullJitterDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export * from './protocol/messages.js';
export { decodeBinary, decodeText, encodeBinary, encodeText } from './protocol/codec.js';
