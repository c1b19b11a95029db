/**
 * Jumps: sudden moves of the efficient price, in one symbol or in all at once. Their sizes are measured in
 * one-minute sigmas of the symbol's total volatility, and the diffusion is turned down by exactly the variance the
 * jumps add, so each symbol's realised annualised volatility stays the one its universe row declares.
 */

export interface JumpLaw {
  /** Mean time between jumps, ms: per symbol for one-symbol jumps, for the whole market otherwise. */
  readonly meanIntervalMs: number;
  /** Jump magnitude is `minSigmas + exponential(1) x extraSigmas` one-minute sigmas, up or down alike. */
  readonly minSigmas: number;
  readonly extraSigmas: number;
}

const MS_PER_MINUTE = 60_000;

/** A 4-6 sigma move in one symbol, every three hours per symbol (every three minutes somewhere, for 60 symbols). */
export const SYMBOL_JUMP: JumpLaw = { meanIntervalMs: 180 * MS_PER_MINUTE, minSigmas: 4, extraSigmas: 2 };

/** A 3-4.5 sigma move of the whole market, every ninety minutes. */
export const MARKET_JUMP: JumpLaw = { meanIntervalMs: 90 * MS_PER_MINUTE, minSigmas: 3, extraSigmas: 1.5 };
/** In a market jump each symbol takes a share of the shock uniform in [MIN, MIN + 1). */
export const MARKET_JUMP_MIN_SHARE = 0.5;

/** E[(a + bE)^2] for E ~ exponential(1): a^2 + 2ab + 2b^2. */
function meanSquaredSigmas(law: JumpLaw): number {
  return law.minSigmas ** 2 + 2 * law.minSigmas * law.extraSigmas + 2 * law.extraSigmas ** 2;
}

/** E[S^2] for S ~ uniform[MIN, MIN + 1). */
const MEAN_SQUARED_SHARE = ((MARKET_JUMP_MIN_SHARE + 1) ** 3 - MARKET_JUMP_MIN_SHARE ** 3) / 3;

/** Share of each symbol's price variance that comes from jumps; the diffusion carries the rest. */
export const JUMP_VARIANCE_SHARE =
  meanSquaredSigmas(SYMBOL_JUMP) * (MS_PER_MINUTE / SYMBOL_JUMP.meanIntervalMs) +
  meanSquaredSigmas(MARKET_JUMP) * MEAN_SQUARED_SHARE * (MS_PER_MINUTE / MARKET_JUMP.meanIntervalMs);

if (!(JUMP_VARIANCE_SHARE > 0 && JUMP_VARIANCE_SHARE < 0.9)) {
  throw new Error(`jump laws leave too little for the diffusion: jumps carry ${JUMP_VARIANCE_SHARE} of the variance`);
}
