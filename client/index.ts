/**
 * tickertape's client: `import { connect } from 'tickertape/client'`. Runs in browsers and in Node (pass the
 * `ws` package's WebSocket on Node 20).
 */
export {
  connect,
  TickerClient,
  RequestFailed,
  type ClientEvents,
  type ClientOptions,
  type ConnectionState,
  type Gap,
  type StateChange,
  type SubscribeOptions,
  type SubscriptionChange,
  type SubscriptionState,
  type WebSocketConstructor,
  type WebSocketLike,
} from './client.js';
export { SymbolView, DEFAULT_VIEW_BARS } from './symbol-view.js';
export { addVolume, bucketOf, foldBars, mergeBar } from './bars.js';
export { fullJitterDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export * from './protocol/messages.js';
export { decodeBinary, decodeText, encodeBinary, encodeText } from './protocol/codec.js';
