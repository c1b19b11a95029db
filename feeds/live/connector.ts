/** What the live feed asks of each venue's connector (binance-connector.ts, coinbase-connector.ts). */
export interface Connector {
  /** Connects, subscribes, and keeps doing so until stopped. */
  start(): void;
  /** Closes every connection for good. */
  stop(): void;
  /** Stops reading the sockets (the tick queue is full) ... */
  pause(): void;
  /** ... and reads them again. */
  resume(): void;
}
