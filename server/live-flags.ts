/**
 * `serve`'s live-feed flags: `--feed VENUE:SYMBOLS` (repeatable; several venues merge into one feed), the
 * endpoints (`--binance-url`, `--coinbase-url`, or BINANCE_WS_URL / COINBASE_WS_URL, for tests and relays)
 * and Binance's connection replacement time. Parsed into a validated LiveFeedConfig (docs/feeds.md#live).
 */
import {
  DEFAULT_ENDPOINTS,
  DEFAULT_LIVE_OPTIONS,
  ENDPOINT_ENV,
  FeedSpecError,
  VENUES,
  checkEndpoint,
  checkFeeds,
  parseFeedSpec,
  type Venue,
} from '../feeds/live/options.js';
import type { LiveFeedConfig } from '../feeds/index.js';
import { numberIn, numberMessage, type NumberRule } from '../feeds/number-text.js';

/** Shortest Binance replacement time accepted: the switch itself takes a subscription and an overlap. */
export const MIN_REPLACE_AFTER_S = 2;
/** Binance cuts connections at 24 hours: replacing later than that is no replacement. */
export const MAX_REPLACE_AFTER_S = 86_400;
const REPLACE_AFTER_RULE: NumberRule = {
  name: 'Binance replacement time',
  where: '--binance-replace-after-s, BINANCE_REPLACE_AFTER_S',
  min: MIN_REPLACE_AFTER_S,
  max: MAX_REPLACE_AFTER_S,
  whole: false,
  unit: 's',
};

export const LIVE_FLAG_OPTIONS = {
  feed: { type: 'string', multiple: true },
  'binance-url': { type: 'string' },
  'coinbase-url': { type: 'string' },
  'binance-replace-after-s': { type: 'string' },
} as const;

/** Flags that only make sense for live feeds (other commands leave them out). */
export const LIVE_FLAGS = Object.keys(LIVE_FLAG_OPTIONS);

export const LIVE_USAGE = `  --feed VENUE:SYMBOLS  a live exchange feed instead of the simulator, e.g. binance:BTCUSDT,ETHUSDT or
                    coinbase:BTC-USD,ETH-USD (FEED; repeat for several venues: they merge). SYMBOL=NAME
                    shows a symbol under another name (default: BTCUSDT → BTC-USDT, docs/feeds.md#symbols)
  --binance-url URL   Binance stream endpoint (BINANCE_WS_URL, default ${DEFAULT_ENDPOINTS.binance})
  --coinbase-url URL  Coinbase endpoint (COINBASE_WS_URL, default ${DEFAULT_ENDPOINTS.coinbase})
  --binance-replace-after-s N  open a replacement Binance connection N s after one opened, before Binance's
                    24-hour cut (BINANCE_REPLACE_AFTER_S, ${MIN_REPLACE_AFTER_S} to ${MAX_REPLACE_AFTER_S}, default ${DEFAULT_LIVE_OPTIONS.replaceAfterMs / 1000})
`;

/**
 * The live feed the flags (over the environment) describe, or undefined when they name none. `FEED` holds
 * one spec or several separated by spaces.
 */
export function liveFeedFromFlags(values: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv): LiveFeedConfig | undefined {
  const flagged = values['feed'];
  const specs = Array.isArray(flagged) && flagged.length > 0 ? flagged.map(String) : (env['FEED'] ?? '').split(/\s+/).filter((spec) => spec !== '');
  if (specs.length === 0) return undefined;
  const feeds = specs.map(parseFeedSpec);
  checkFeeds(feeds);
  const endpoints = {} as Record<Venue, string>;
  for (const venue of VENUES) {
    const flag = values[`${venue}-url`];
    const url = typeof flag === 'string' ? flag : env[ENDPOINT_ENV[venue]];
    // Given but empty never gets here: config.ts refuses it (refuseEmpty).
    endpoints[venue] = url === undefined ? DEFAULT_ENDPOINTS[venue] : checkEndpoint(url, `--${venue}-url / ${ENDPOINT_ENV[venue]}`);
  }
  const replaceFlag = values['binance-replace-after-s'];
  const replaceText = typeof replaceFlag === 'string' ? replaceFlag : env['BINANCE_REPLACE_AFTER_S'];
  let replaceAfterMs = DEFAULT_LIVE_OPTIONS.replaceAfterMs;
  if (replaceText !== undefined) {
    const seconds = numberIn(replaceText, REPLACE_AFTER_RULE);
    if (seconds === undefined) throw new FeedSpecError(numberMessage(REPLACE_AFTER_RULE, `"${replaceText}"`));
    replaceAfterMs = Math.round(seconds * 1000);
  }
  return { ...DEFAULT_LIVE_OPTIONS, kind: 'live', feeds, endpoints, replaceAfterMs, switchOverlapMs: Math.min(DEFAULT_LIVE_OPTIONS.switchOverlapMs, replaceAfterMs / 4) };
}
