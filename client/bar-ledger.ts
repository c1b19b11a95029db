import { sameBar } from './bars.js';
import type { Bar } from './protocol/messages.js';

/**
 * One change in a symbol's bar series, as consumers see it (docs/client.md#bars). Upsert by `bar[0]`:
 *
 * - a bar time appears for the first time in increasing order: a new bar is always later than every bar
 *   told before (else it is a `revision`), so appending new bars never leaves a gap or a duplicate;
 * - the newest bar is told again each time it changes while it forms (`closed: false`), and once more
 *   with `closed: true` when a later bar starts (its last values; a consumer of closed bars sees each
 *   bar once, in order);
 * - `revision: true` marks a change behind the newest bar: a late trade, or a bar that recovery found
 *   different or missing. Replace the bar with that time, or insert it.
 */
export interface BarEvent {
  readonly symbol: string;
  /** `[time, open, high, low, close, volume]`, complete as the server has it now. */
  readonly bar: Readonly<Bar>;
  /** A later bar has started: this bar's interval is over (only a late trade can still change it). */
  readonly closed: boolean;
  /** This changes a bar behind the newest one; see above. */
  readonly revision: boolean;
}

/**
 * Turns "these bars changed" into the events above, for one symbol at one interval. It remembers only the
 * newest bar told and whether it was told closed; the bars themselves live with the caller.
 */
export class BarLedger {
  private last: Readonly<Bar> | undefined;
  private lastClosed = false;

  constructor(readonly symbol: string) {}

  /** Start of the newest bar told so far; undefined before the first. */
  get newestTime(): number | undefined {
    return this.last?.[0];
  }

  /**
   * `changed`: bars that changed, sorted by time; `newestTime`: start of the newest bar that exists now (a
   * bar is closed once a later one exists, even if that one is not among `changed`). Returns the events.
   */
  apply(changed: Iterable<Readonly<Bar>>, newestTime: number): BarEvent[] {
    const events: BarEvent[] = [];
    for (const bar of changed) {
      const time = bar[0];
      const last = this.last;
      if (last === undefined || time > last[0]) {
        if (last !== undefined && !this.lastClosed) events.push(this.event(last, true, false));
        this.last = bar;
        this.lastClosed = time < newestTime;
        events.push(this.event(bar, this.lastClosed, false));
      } else if (time === last[0]) {
        const closed = time < newestTime;
        if (this.lastClosed) {
          if (!sameBar(bar, last)) events.push(this.event(bar, true, true));
        } else if (closed || !sameBar(bar, last)) {
          events.push(this.event(bar, closed, false));
        }
        this.last = bar;
        this.lastClosed ||= closed;
      } else {
        events.push(this.event(bar, true, true));
      }
    }
    const last = this.last;
    if (last !== undefined && !this.lastClosed && last[0] < newestTime) {
      this.lastClosed = true;
      events.push(this.event(last, true, false));
    }
    return events;
  }

  private event(bar: Readonly<Bar>, closed: boolean, revision: boolean): BarEvent {
    return { symbol: this.symbol, bar, closed, revision };
  }
}
