/**
 * A live feed: one connector per venue (`--feed binance:...`, `--feed coinbase:...`), their ticks merged in
 * arrival order into one bounded queue, yielded as the same normalized ticks as every other feed. Connections
 * open when iteration starts and close when it stops (`return()`). `live` tells how each connection and
 * symbol stands (stale, gaps), for /metrics and the clients.
 */
import { binancePosition } from '../exchanges/binance.js';
import { coinbasePosition } from '../exchanges/coinbase.js';
import { BINANCE_QUOTE_ASSETS } from '../exchanges/symbols.js';
import type { Feed, Instrument, Tick } from '../tick.js';
import { BinanceConnector } from './binance-connector.js';
import { CoinbaseConnector } from './coinbase-connector.js';
import type { Connector } from './connector.js';
import { MAX_QUEUED_TICKS, type LiveFeedOptions, type LiveSymbol, type Venue } from './options.js';
import { LiveStatus } from './status.js';
import { TickQueue } from './tick-queue.js';
import { VenueStream, type LiveSink } from './venue-stream.js';

export interface LiveFeed extends Feed {
  readonly live: LiveStatus;
}

export interface LiveFeedHooks {
  /** Also called for every message and connection event, e.g. a capture writer (capture-writer.ts). */
  readonly capture?: Omit<LiveSink, 'tick'>;
  /** Ticks queued before the sockets are paused (default MAX_QUEUED_TICKS). */
  readonly maxQueuedTicks?: number;
}

/** Whether a feed is live (has connection and symbol health to report). */
export function isLiveFeed(feed: Feed): feed is LiveFeed {
  return feed.info.kind === 'live' && 'live' in feed;
}

/** Quote assets whose prices need 8 decimals (crypto-quoted pairs); others show cents until prices say more. */
const CRYPTO_QUOTES = new Set(['BTC', 'ETH', 'BNB', 'XRP', 'TRX', 'DOGE']);

function instrumentOf(venue: Venue, { venue: name, symbol, mapped }: LiveSymbol): Instrument {
  const dash = mapped.lastIndexOf('-');
  const currency = dash > 0 ? mapped.slice(dash + 1) : (BINANCE_QUOTE_ASSETS.find((quote) => mapped.endsWith(quote)) ?? '');
  return { symbol, name: `${name} on ${venue === 'binance' ? 'Binance' : 'Coinbase'}`, assetClass: 'crypto', currency, tickSize: CRYPTO_QUOTES.has(currency) ? 1e-8 : 0.01 };
}

export function openLiveFeed(options: LiveFeedOptions, hooks: LiveFeedHooks = {}): LiveFeed {
  const status = new LiveStatus(options.feeds);
  const instruments = options.feeds.flatMap((feed) => feed.symbols.map((symbol) => instrumentOf(feed.venue, symbol)));
  const description = `live ${options.feeds.map((feed) => `${feed.venue}:${feed.symbols.map((symbol) => symbol.venue).join(',')}`).join(' + ')}`;
  return {
    info: { kind: 'live', description },
    instruments,
    live: status,
    [Symbol.asyncIterator](): AsyncIterator<Tick> {
      const connectors: Connector[] = [];
      const queue = new TickQueue(hooks.maxQueuedTicks ?? MAX_QUEUED_TICKS, {
        pause: () => connectors.forEach((connector) => connector.pause()),
        resume: () => connectors.forEach((connector) => connector.resume()),
      });
      const sink: LiveSink = { ...hooks.capture, tick: (tick) => queue.push(tick) };
      for (const feed of options.feeds) {
        const stream = new VenueStream(feed.venue, feed.symbols, feed.venue === 'binance' ? binancePosition : coinbasePosition, status, sink);
        connectors.push(feed.venue === 'binance' ? new BinanceConnector(feed, options, stream) : new CoinbaseConnector(feed, options, stream));
      }
      for (const connector of connectors) connector.start();
      return {
        next: () => queue.next(),
        return: () => {
          for (const connector of connectors) connector.stop();
          queue.end();
          return Promise.resolve({ value: undefined, done: true });
        },
      };
    },
  };
}
