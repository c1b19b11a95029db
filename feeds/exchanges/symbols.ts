/**
 * The one place exchange symbols become tickertape symbols. tickertape writes crypto pairs `BASE-QUOTE`
 * (`BTC-USD`, `ETH-USDT`), as Coinbase does; other venues' names are mapped here and nowhere else, so a
 * replayed capture and the live connector for the same venue show the same symbol (docs/feeds.md#symbols).
 */

/**
 * Quote assets Binance lists pairs against, longest first so `FDUSD` wins over `USD`-like suffixes. A
 * pair is split at the longest of these that leaves a base; one ending in none is kept as written.
 */
export const BINANCE_QUOTE_ASSETS: readonly string[] = [
  'FDUSD', 'USDT', 'USDC', 'BUSD', 'TUSD', 'USDP', 'EURI', 'AEUR', 'IDRT', 'BIDR', 'BKRW', 'BVND',
  'DAI', 'USD', 'BTC', 'ETH', 'BNB', 'XRP', 'TRX', 'DOGE', 'EUR', 'GBP', 'TRY', 'BRL', 'AUD', 'ARS',
  'JPY', 'MXN', 'PLN', 'RON', 'UAH', 'ZAR', 'NGN', 'RUB', 'COP', 'CZK',
].sort((a, b) => b.length - a.length);

const PLAIN_PAIR = /^[A-Z0-9]+$/;
const cache = new Map<string, string>();
/** Distinct pairs remembered; beyond this, mapping still works, uncached. */
const MAX_CACHED_PAIRS = 10_000;

/** `ETHUSDT` → `ETH-USDT`, `ethusdt` → `ETH-USDT`; `BTCUSD_PERP` and unknown quotes stay as written (upper case). */
export function binanceSymbol(pair: string): string {
  const cached = cache.get(pair);
  if (cached !== undefined) return cached;
  const upper = pair.toUpperCase();
  let symbol = upper;
  if (PLAIN_PAIR.test(upper)) {
    for (const quote of BINANCE_QUOTE_ASSETS) {
      if (upper.length > quote.length && upper.endsWith(quote)) {
        symbol = `${upper.slice(0, -quote.length)}-${quote}`;
        break;
      }
    }
  }
  if (cache.size < MAX_CACHED_PAIRS) cache.set(pair, symbol);
  return symbol;
}

/** Coinbase products are already `BASE-QUOTE`. */
export function coinbaseSymbol(productId: string): string {
  return productId;
}

/**
 * A symbol as a Tardis.dev CSV writes it, for the exchange named in the same row: Binance venues
 * (`binance`, `binance-futures`, ...) map like Binance, everything else is kept as written.
 */
export function tardisSymbol(exchange: string, symbol: string): string {
  if (exchange.startsWith('binance')) return binanceSymbol(symbol);
  if (exchange.startsWith('coinbase')) return coinbaseSymbol(symbol);
  return symbol;
}
