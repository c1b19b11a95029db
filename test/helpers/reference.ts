/**
 * An independent model of what the server must compute, written differently on purpose: bars in a Map keyed
 * by bucket, volumes as exact decimals (BigInt units of 1e-8), no code shared with server/market. Tests
 * compare the server's numbers with these.
 */
import type { Tick } from '../../feeds/tick.js';
import type { Bar } from '../../client/protocol/messages.js';

const UNITS = 100_000_000n;

function units(size: number): bigint {
  const scaled = size * 1e8;
  const rounded = Math.round(scaled);
  if (Math.abs(scaled - rounded) > 1e-6 * Math.max(1, Math.abs(scaled))) {
    throw new Error(`size ${size} has more than 8 decimals; the reference cannot hold it exactly`);
  }
  return BigInt(rounded);
}

/** Exact decimal amount → 15 significant digits (at most 8 decimals) → the nearest double. */
function toNumber(amount: bigint): number {
  const negative = amount < 0n;
  let abs = negative ? -amount : amount;
  const integerDigits = (abs / UNITS).toString().length;
  const dropDigits = Math.max(0, integerDigits - 7);
  if (dropDigits > 0) {
    const step = 10n ** BigInt(dropDigits);
    abs = ((abs + step / 2n) / step) * step;
  }
  const text = `${abs / UNITS}.${(abs % UNITS).toString().padStart(8, '0')}`;
  return (negative ? -1 : 1) * Number(text);
}

interface RefBar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: bigint;
  openTs: number;
  closeTs: number;
}

export class ReferenceBars {
  private readonly bars = new Map<string, Map<number, RefBar>>();

  constructor(private readonly intervalMs = 1_000) {}

  /** Open is the trade with the earliest event time, close the latest (ties: arrival order). */
  add(tick: Tick): void {
    if (tick.price === undefined || tick.size === undefined) return;
    const time = Math.floor(tick.ts / this.intervalMs) * this.intervalMs;
    let bySymbol = this.bars.get(tick.symbol);
    if (bySymbol === undefined) {
      bySymbol = new Map();
      this.bars.set(tick.symbol, bySymbol);
    }
    const bar = bySymbol.get(time);
    if (bar === undefined) {
      const { price, ts } = tick;
      bySymbol.set(time, { time, open: price, high: price, low: price, close: price, volume: units(tick.size), openTs: ts, closeTs: ts });
      return;
    }
    bar.high = Math.max(bar.high, tick.price);
    bar.low = Math.min(bar.low, tick.price);
    if (tick.ts < bar.openTs) [bar.open, bar.openTs] = [tick.price, tick.ts];
    if (tick.ts >= bar.closeTs) [bar.close, bar.closeTs] = [tick.price, tick.ts];
    bar.volume += units(tick.size);
  }

  symbols(): string[] {
    return [...this.bars.keys()];
  }

  /** Bars of `symbol`, oldest first, folded to `intervalMs` if given (exact decimal volumes). */
  get(symbol: string, intervalMs = this.intervalMs): Bar[] {
    const source = [...(this.bars.get(symbol)?.values() ?? [])].sort((a, b) => a.time - b.time);
    const folded: RefBar[] = [];
    for (const bar of source) {
      const time = Math.floor(bar.time / intervalMs) * intervalMs;
      const last = folded[folded.length - 1];
      if (last !== undefined && last.time === time) {
        last.high = Math.max(last.high, bar.high);
        last.low = Math.min(last.low, bar.low);
        last.close = bar.close;
        last.volume += bar.volume;
        last.closeTs = bar.closeTs;
      } else {
        folded.push({ ...bar, time });
      }
    }
    return folded.map((bar) => [bar.time, bar.open, bar.high, bar.low, bar.close, toNumber(bar.volume)]);
  }
}

export interface ReferenceSession {
  open: number;
  high: number;
  low: number;
  volume: number;
  last: number;
  lastTime: number;
}

/** Session stats per symbol for the UTC day of the newest trade, in arrival order. */
export function referenceSession(ticks: readonly Tick[], symbol: string): ReferenceSession | undefined {
  const trades = ticks.filter((tick) => tick.symbol === symbol && tick.price !== undefined);
  if (trades.length === 0) return undefined;
  const dayOf = (ts: number): number => Math.floor(ts / 86_400_000);
  const day = Math.max(...trades.map((tick) => dayOf(tick.ts)));
  let session: ReferenceSession | undefined;
  let volume = 0n;
  let lastTime = -Infinity;
  let last = Number.NaN;
  for (const tick of trades) {
    if (tick.ts >= lastTime) {
      lastTime = tick.ts;
      last = tick.price!;
    }
    if (dayOf(tick.ts) !== day) continue;
    volume += units(tick.size!);
    if (session === undefined) session = { open: tick.price!, high: tick.price!, low: tick.price!, volume: 0, last: 0, lastTime: 0 };
    session.high = Math.max(session.high, tick.price!);
    session.low = Math.min(session.low, tick.price!);
  }
  if (session === undefined) return undefined;
  return { ...session, volume: toNumber(volume), last, lastTime };
}
