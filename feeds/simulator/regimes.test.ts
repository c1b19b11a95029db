import { describe, expect, it } from 'vitest';
import { REGIME_TIME_SHARES, REGIMES } from './regimes.js';
import { JUMP_VARIANCE_SHARE } from './jumps.js';

describe('activity regimes and jump laws', () => {
  it('weight the regimes so the long-run mean rate multiplier is exactly one', () => {
    const mean = REGIMES.reduce((sum, regime, i) => sum + regime.rateMultiplier * (REGIME_TIME_SHARES[i] ?? NaN), 0);
    expect(mean).toBeCloseTo(1, 12);
    expect(REGIME_TIME_SHARES.reduce((sum, share) => sum + share, 0)).toBeCloseTo(1, 12);
  });

  it('have quiet spells below and bursts well above the mean rate, with odds that sum to one', () => {
    const multipliers = REGIMES.map((regime) => regime.rateMultiplier);
    expect(Math.min(...multipliers)).toBeLessThan(0.5);
    expect(Math.max(...multipliers)).toBeGreaterThan(3);
    for (const regime of REGIMES) {
      expect(regime.next.reduce((sum, [, probability]) => sum + probability, 0), regime.name).toBeCloseTo(1, 12);
    }
  });

  it('leave the diffusion a real share of each symbol’s variance', () => {
    expect(JUMP_VARIANCE_SHARE).toBeGreaterThan(0.1);
    expect(JUMP_VARIANCE_SHARE).toBeLessThan(0.7);
  });
});
