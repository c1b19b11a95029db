/**
 * What an exchange normalizer makes of one parsed message: ticks, or a reason it carries none. Shared by the
 * replay readers (feeds/replay/) and the live connectors, so a capture replays exactly as it streamed.
 */
import { decimal } from '../replay/decimal.js';
import type { Tick } from '../tick.js';

/** The message became these ticks (possibly none, e.g. a trade outside the normalizer's interest). */
export interface TicksFound {
  readonly kind: 'ticks';
  readonly ticks: readonly Tick[];
}

/**
 * An expected message with nothing a tick can hold: order-book depth, subscription acknowledgements,
 * heartbeats, channels tickertape does not read. Counted by `reason`, never an error.
 */
export interface Ignored {
  readonly kind: 'ignored';
  /** A short stable key for counting. */
  readonly reason: IgnoredReason;
}

/** The message claims to be something it is not (a trade with no price, a time that is not one). */
export interface Invalid {
  readonly kind: 'invalid';
  /** Short and stable, for counting (`bad price`); `detail` adds the offending value. */
  readonly reason: string;
  readonly detail?: string;
}

/**
 * `depth`: order-book levels; `control`: subscription answers, heartbeats, requests the capture recorded;
 * `unsupported`: messages of channels tickertape does not read; `header` and `comment`: file format lines.
 */
export type IgnoredReason = 'depth' | 'control' | 'unsupported' | 'header' | 'comment';

export type Normalized = TicksFound | Ignored | Invalid;

const IGNORED: Readonly<Record<IgnoredReason, Ignored>> = {
  depth: Object.freeze({ kind: 'ignored', reason: 'depth' }),
  control: Object.freeze({ kind: 'ignored', reason: 'control' }),
  unsupported: Object.freeze({ kind: 'ignored', reason: 'unsupported' }),
  header: Object.freeze({ kind: 'ignored', reason: 'header' }),
  comment: Object.freeze({ kind: 'ignored', reason: 'comment' }),
};

export function ignored(reason: IgnoredReason): Ignored {
  return IGNORED[reason];
}

export function invalid(reason: string, detail?: unknown): Invalid {
  return detail === undefined ? { kind: 'invalid', reason } : { kind: 'invalid', reason, detail: describe(detail) };
}

export function ticks(...found: Tick[]): TicksFound {
  return { kind: 'ticks', ticks: found };
}

/** A value quoted for an error message, cut short. */
export function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : value === undefined ? 'nothing' : JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

export type Fields = Readonly<Record<string, unknown>>;

export function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A decimal the exchanges send as a string (`"2683.80000000"`) or, rarely, a number. NaN when it is neither
 * (a string must be a decimal number, as the replay formats read them: not `"0x10"` or `"Infinity"`) or is
 * not finite and positive (every price and size is > 0).
 */
export function positiveDecimal(value: unknown): number {
  const number = typeof value === 'string' ? (decimal(value) ?? Number.NaN) : typeof value === 'number' ? value : Number.NaN;
  return number > 0 && Number.isFinite(number) ? number : Number.NaN;
}

/** A time in ms since the epoch, as exchanges send it (an integer). NaN when it is not one. */
export function epochMs(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : Number.NaN;
}

/**
 * Where a live message stands in its stream, for gap and duplicate checks: a trade id (consecutive per
 * symbol, so a jump is trades missed) or a quote's update id (increasing, not consecutive).
 */
export interface StreamPosition {
  readonly kind: 'trade' | 'book';
  /** The venue's name of the symbol, e.g. `ETHUSDT`, `BTC-USD`. */
  readonly pair: string;
  readonly id: number;
}
