import { describe, expect, it } from 'vitest';
import { UNIVERSE } from './index.js';

describe('simulated universe', () => {
  it('has at least 50 symbols: about 30 US equities and 20 crypto pairs', () => {
    expect(UNIVERSE.length).toBeGreaterThanOrEqual(50);
    expect(UNIVERSE.filter((instrument) => instrument.assetClass === 'equity').length).toBeGreaterThanOrEqual(30);
    expect(UNIVERSE.filter((instrument) => instrument.assetClass === 'crypto').length).toBeGreaterThanOrEqual(20);
  });

  it('names each symbol once, with a name and a USD quote currency', () => {
    expect(new Set(UNIVERSE.map((instrument) => instrument.symbol)).size).toBe(UNIVERSE.length);
    for (const instrument of UNIVERSE) {
      expect(instrument.name.length, instrument.symbol).toBeGreaterThan(0);
      expect(instrument.currency).toBe('USD');
    }
    expect(UNIVERSE.map((instrument) => instrument.symbol)).toEqual(
      expect.arrayContaining(['AAPL', 'MSFT', 'NVDA', 'TSLA', 'BTC-USD', 'ETH-USD', 'SOL-USD', 'DOGE-USD']),
    );
  });

  it('gives every tick size as a power of ten that keeps several significant digits in the price', () => {
    for (const instrument of UNIVERSE) {
      expect(instrument.tickSize, instrument.symbol).toBe(Number(`1e-${instrument.priceDecimals}`));
      if (instrument.assetClass === 'equity') expect(instrument.tickSize).toBe(0.01);
      const ticks = instrument.initialPrice / instrument.tickSize;
      expect(ticks, instrument.symbol).toBeGreaterThanOrEqual(1000);
      expect(ticks, instrument.symbol).toBeLessThan(1e9);
    }
  });

  it('starts every price on its tick grid', () => {
    for (const { symbol, initialPrice, priceDecimals } of UNIVERSE) {
      expect(Math.round(initialPrice * 10 ** priceDecimals) / 10 ** priceDecimals, symbol).toBe(initialPrice);
    }
  });

  it('declares sensible volatilities, spreads, sizes and activity', () => {
    for (const instrument of UNIVERSE) {
      const { symbol, annualVolatility, typicalSpreadTicks, activity, size } = instrument;
      expect(annualVolatility, symbol).toBeGreaterThan(0.05);
      expect(annualVolatility, symbol).toBeLessThan(2);
      expect(Number.isInteger(typicalSpreadTicks) && typicalSpreadTicks >= 1, symbol).toBe(true);
      expect(activity, symbol).toBeGreaterThan(0);
      if (size.kind === 'shares') {
        expect(instrument.assetClass).toBe('equity');
        expect(size.oddLotShare).toBeGreaterThanOrEqual(0);
        expect(size.oddLotShare).toBeLessThanOrEqual(1);
        expect(size.meanRoundLots).toBeGreaterThanOrEqual(1);
      } else {
        expect(instrument.assetClass).toBe('crypto');
        expect(Number.isInteger(size.decimals) && size.decimals >= 0 && size.decimals <= 8, symbol).toBe(true);
        // A median trade worth tens to thousands of dollars, and many size increments big.
        const notional = size.median * instrument.initialPrice;
        expect(notional, symbol).toBeGreaterThan(50);
        expect(notional, symbol).toBeLessThan(5000);
        expect(size.median * 10 ** size.decimals, symbol).toBeGreaterThanOrEqual(100);
      }
    }
  });

  it('makes the headline names busier than the tail', () => {
    const activity = (symbol: string): number => UNIVERSE.find((i) => i.symbol === symbol)?.activity ?? NaN;
    const sorted = UNIVERSE.map((instrument) => instrument.activity).sort((x, y) => x - y);
    const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
    for (const busy of ['NVDA', 'TSLA', 'BTC-USD']) expect(activity(busy), busy).toBeGreaterThan(3 * median);
  });
});
