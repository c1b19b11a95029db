/**
 * Market-wide activity regimes: the arrival rate is a Markov-modulated Poisson process that hops between quiet
 * spells and bursts. Each regime lasts an exponential time, then hands over to the next by the table's odds.
 * The multipliers are normalised so that their long-run, time-weighted mean is exactly 1: the regimes shape the
 * rate, they do not change its average.
 */

export interface Regime {
  readonly name: string;
  /** Rate relative to the long-run mean (time-weighted mean over regimes = 1). */
  readonly rateMultiplier: number;
  readonly meanDwellMs: number;
  /** Where the market goes next: regime indexes and their odds (summing to 1). */
  readonly next: readonly (readonly [regime: number, probability: number])[];
}

const QUIET = 0;
const NORMAL = 1;
const BUSY = 2;
const SURGE = 3;

/** The regime a market starts in. */
export const INITIAL_REGIME = NORMAL;
/** The regime a market-wide jump throws the market into. */
export const SURGE_REGIME = SURGE;

type RegimeDraft = Omit<Regime, 'rateMultiplier'> & { readonly relativeRate: number };

const DRAFTS: readonly RegimeDraft[] = [
  { name: 'quiet', relativeRate: 0.3, meanDwellMs: 3000, next: [[NORMAL, 0.8], [BUSY, 0.15], [SURGE, 0.05]] },
  { name: 'normal', relativeRate: 1, meanDwellMs: 4000, next: [[QUIET, 0.5], [BUSY, 0.4], [SURGE, 0.1]] },
  { name: 'busy', relativeRate: 2.2, meanDwellMs: 1500, next: [[NORMAL, 0.7], [QUIET, 0.1], [SURGE, 0.2]] },
  { name: 'surge', relativeRate: 5, meanDwellMs: 300, next: [[BUSY, 0.6], [NORMAL, 0.4]] },
];

/** Long-run share of time spent in each regime: the embedded jump chain's stationary law, weighted by dwell. */
function timeShares(drafts: readonly RegimeDraft[]): number[] {
  let visits = drafts.map(() => 1 / drafts.length);
  for (let round = 0; round < 1000; round++) {
    const following = drafts.map(() => 0);
    drafts.forEach((draft, from) => {
      for (const [to, probability] of draft.next) following[to] = (following[to] ?? 0) + (visits[from] ?? 0) * probability;
    });
    visits = following;
  }
  const time = drafts.map((draft, index) => (visits[index] ?? 0) * draft.meanDwellMs);
  const total = time.reduce((sum, t) => sum + t, 0);
  return time.map((t) => t / total);
}

function normalise(drafts: readonly RegimeDraft[]): readonly Regime[] {
  const shares = timeShares(drafts);
  const mean = drafts.reduce((sum, draft, index) => sum + (shares[index] ?? 0) * draft.relativeRate, 0);
  return drafts.map(({ name, relativeRate, meanDwellMs, next }) => ({
    name,
    rateMultiplier: relativeRate / mean,
    meanDwellMs,
    next,
  }));
}

export const REGIMES: readonly Regime[] = normalise(DRAFTS);

/** Long-run share of time spent in each regime, in `REGIMES` order. */
export const REGIME_TIME_SHARES: readonly number[] = timeShares(DRAFTS);
