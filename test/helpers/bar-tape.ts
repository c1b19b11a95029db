import type { Bar } from '../../client/protocol/messages.js';
import type { BarEvent } from '../../client/bar-ledger.js';

/**
 * What a careful consumer of `bar` events builds: each symbol's series, upserted by time. It also checks the
 * promises a consumer relies on as events arrive (docs/client.md#bars) and records every breach, so a test
 * can assert there were none: a change behind the newest bar is flagged `revision` (so a new bar is always
 * later than every bar before it) and nothing else is, and no bar is told closed twice unless revised.
 */
export class BarTape {
  readonly series = new Map<string, Map<number, Bar>>();
  /** Bar times in the order they first appeared, per symbol. */
  readonly firstSeen = new Map<string, number[]>();
  /** Closed bars in the order told, per symbol (revisions included, flagged). */
  readonly closed = new Map<string, BarEvent[]>();
  readonly breaches: string[] = [];
  events = 0;
  private readonly newest = new Map<string, number>();

  record(event: BarEvent): void {
    this.events++;
    const { symbol, bar } = event;
    const time = bar[0];
    let series = this.series.get(symbol);
    if (series === undefined) this.series.set(symbol, (series = new Map()));
    let seen = this.firstSeen.get(symbol);
    if (seen === undefined) this.firstSeen.set(symbol, (seen = []));
    const newest = this.newest.get(symbol);
    if (!series.has(time)) seen.push(time);
    if (newest === undefined || time > newest) this.newest.set(symbol, time);
    if (newest !== undefined && time < newest && !event.revision) this.breaches.push(`${symbol}: bar ${time} behind the newest ${newest} not flagged revision`);
    if (newest !== undefined && time > newest && event.revision) this.breaches.push(`${symbol}: new bar ${time} flagged revision`);
    series.set(time, [...bar] as Bar);
    if (event.closed) {
      let closed = this.closed.get(symbol);
      if (closed === undefined) this.closed.set(symbol, (closed = []));
      if (!event.revision && closed.some((e) => e.bar[0] === time && !e.revision)) this.breaches.push(`${symbol}: bar ${time} closed twice`);
      closed.push(event);
    }
  }

  /** The series of `symbol`, oldest first. */
  bars(symbol: string): Bar[] {
    return [...(this.series.get(symbol)?.values() ?? [])].sort((a, b) => a[0] - b[0]);
  }

  /** Bars told closed (not revised afterwards: the series holds the latest), oldest first. */
  closedBars(symbol: string): Bar[] {
    const closedTimes = new Set((this.closed.get(symbol) ?? []).map((e) => e.bar[0]));
    return this.bars(symbol).filter((bar) => closedTimes.has(bar[0]));
  }
}
