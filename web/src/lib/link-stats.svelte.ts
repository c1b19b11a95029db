import type { UpdateMessage } from '../../../client/index.js';

/** How often the shown figures refresh; the counting itself is per frame. */
export const STATS_REFRESH_MS = 500;
/** Updates/s is counted over this trailing window. */
export const RATE_WINDOW_MS = 2_000;
/** Weight of each new latency sample in the exponential moving average. */
const LATENCY_SMOOTHING = 0.1;

/**
 * Updates per second (symbol entries, not frames) and latency (now − the frame's server send time, smoothed),
 * refreshed a few times a second so the badge never re-renders per frame. Latency assumes the browser and
 * the server clocks agree; over a network it includes their offset.
 */
export class LinkStats {
  updatesPerSecond = $state(0);
  latencyMs = $state(Number.NaN);

  /** Entries counted per refresh slot, newest last. */
  private readonly slots: number[] = [];
  private counting = 0;
  private smoothedLatency = Number.NaN;
  private timer: ReturnType<typeof setInterval> | undefined;

  start(): void {
    this.timer ??= setInterval(() => this.refresh(), STATS_REFRESH_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  onFrame(frame: UpdateMessage, receivedAt: number = Date.now()): void {
    this.counting += frame.updates.length;
    const sample = receivedAt - frame.time;
    this.smoothedLatency = Number.isNaN(this.smoothedLatency)
      ? sample
      : this.smoothedLatency + LATENCY_SMOOTHING * (sample - this.smoothedLatency);
  }

  /** The connection went away: figures go blank until frames flow again. */
  reset(): void {
    this.slots.length = 0;
    this.counting = 0;
    this.smoothedLatency = Number.NaN;
    this.updatesPerSecond = 0;
    this.latencyMs = Number.NaN;
  }

  private refresh(): void {
    this.slots.push(this.counting);
    this.counting = 0;
    const keep = RATE_WINDOW_MS / STATS_REFRESH_MS;
    if (this.slots.length > keep) this.slots.splice(0, this.slots.length - keep);
    let sum = 0;
    for (const count of this.slots) sum += count;
    this.updatesPerSecond = Math.round((sum * 1000) / (this.slots.length * STATS_REFRESH_MS));
    this.latencyMs = this.smoothedLatency;
  }
}
