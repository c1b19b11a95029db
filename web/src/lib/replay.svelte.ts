import type { ReplayMessage, ReplaySpeed, TickerClient } from '../../../client/index.js';

/** Speeds the dashboard offers (the protocol takes any in its range). */
export const REPLAY_SPEEDS: readonly ReplaySpeed[] = [1, 10, 100, 'max'];
/** How often the replayed clock is redrawn between the server's state messages. */
const CLOCK_TICK_MS = 200;
/**
 * How long the wanted position must stay put before a seek goes out: a held arrow key on the timeline moves
 * it 20-30 times a second, and only where it stops is sought. One seek is in flight at a time.
 */
export const SEEK_SETTLE_MS = 150;

/**
 * The server's replay as the dashboard shows it: the latest `replay` message, a replayed clock that runs on
 * between messages (position + speed × time since it arrived), and the controls, which go to the server
 * as `replay` requests. Inactive (state undefined) unless the server's feed is a replay.
 */
export class ReplayControls {
  state = $state.raw<ReplayMessage | undefined>(undefined);
  /** The replayed clock, event time in ms (NaN when unknown). */
  clock = $state(Number.NaN);
  /** The last control that failed (the request's error), until the next one succeeds. */
  requestError = $state<string | undefined>(undefined);

  private receivedAt = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** The position asked for and not reached yet (the clock shows it meanwhile). */
  private seekWanted: number | undefined;
  private seekTimer: ReturnType<typeof setTimeout> | undefined;
  private seekInFlight = false;
  private readonly rewindListeners = new Set<() => void>();
  private readonly unlisten: readonly (() => void)[];

  constructor(private readonly client: TickerClient) {
    this.unlisten = [
      client.on('hello', (hello) => {
        if (hello.feed.kind !== 'replay') this.set(undefined);
      }),
      client.on('message', (message) => {
        if (message.type === 'replay') this.set(message);
      }),
    ];
  }

  get active(): boolean {
    return this.state !== undefined;
  }

  /** Calls `listener` when the replay goes back in time (state from before is void). */
  onRewind(listener: () => void): () => void {
    this.rewindListeners.add(listener);
    return () => this.rewindListeners.delete(listener);
  }

  pause(): void {
    void this.send('pause');
  }

  resume(): void {
    void this.send('resume');
  }

  setSpeed(speed: ReplaySpeed): void {
    void this.send('speed', { speed });
  }

  /** Moves the replay to `time`; seeks asked for in quick succession become one seek to the last. */
  seek(time: number): void {
    this.seekWanted = Math.round(time);
    this.clock = time;
    clearTimeout(this.seekTimer);
    this.seekTimer = setTimeout(() => this.flushSeek(), SEEK_SETTLE_MS);
  }

  dispose(): void {
    for (const off of this.unlisten) off();
    clearInterval(this.timer);
    clearTimeout(this.seekTimer);
  }

  private flushSeek(): void {
    this.seekTimer = undefined;
    const time = this.seekWanted;
    // In flight: the newest wanted position goes out when the answer is in.
    if (time === undefined || this.seekInFlight) return;
    this.seekInFlight = true;
    void this.send('seek', { time }).finally(() => {
      this.seekInFlight = false;
      if (this.seekWanted === time) this.seekWanted = undefined;
      else if (this.seekTimer === undefined) this.flushSeek();
      this.tick();
    });
  }

  private send(action: 'pause' | 'resume' | 'speed' | 'seek', options: { speed?: ReplaySpeed; time?: number } = {}): Promise<void> {
    return this.client.replay(action, options).then(
      () => void (this.requestError = undefined),
      (error: unknown) => void (this.requestError = error instanceof Error ? error.message : String(error)),
    );
  }

  private set(message: ReplayMessage | undefined): void {
    const before = this.state;
    this.state = message;
    this.receivedAt = performance.now();
    this.tick();
    const running = message?.state === 'playing' && message.speed !== 'max';
    if (running && this.timer === undefined) this.timer = setInterval(() => this.tick(), CLOCK_TICK_MS);
    if (!running && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    if (before !== undefined && message !== undefined && message.rewinds !== before.rewinds) {
      for (const listener of this.rewindListeners) listener();
    }
  }

  private tick(): void {
    if (this.seekWanted !== undefined) {
      this.clock = this.seekWanted;
      return;
    }
    const state = this.state;
    if (state?.position === undefined) {
      this.clock = Number.NaN;
      return;
    }
    let clock = state.position;
    if (state.state === 'playing' && state.speed !== 'max') clock += (performance.now() - this.receivedAt) * state.speed;
    if (state.end !== undefined) clock = Math.min(clock, state.end);
    this.clock = clock;
  }
}

/** Event time for the replay bar: `2024-08-09 00:02:11 UTC`. */
export function formatReplayTime(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const iso = new Date(Math.floor(ms)).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/**
 * The timeline's start and end labels. A replay within one UTC day: the time of day, `14:30:00` (the clock
 * beside them has the date). One over more days: the date as well, `2021-04-17 16:41`, so a replay that
 * crosses midnight, or waits out years between two merged files, does not look like a few hours. An end not
 * known yet (the scan is still reading): `…`.
 */
export function timelineLabels(start: number, end: number | undefined): readonly [string, string] {
  if (!Number.isFinite(start)) return ['—', '—'];
  const from = new Date(Math.floor(start)).toISOString();
  if (end === undefined || !Number.isFinite(end)) return [from.slice(11, 19), '…'];
  const to = new Date(Math.floor(end)).toISOString();
  if (from.slice(0, 10) === to.slice(0, 10)) return [from.slice(11, 19), to.slice(11, 19)];
  return [`${from.slice(0, 10)} ${from.slice(11, 16)}`, `${to.slice(0, 10)} ${to.slice(11, 16)}`];
}

export function speedLabel(speed: ReplaySpeed): string {
  return speed === 'max' ? 'max' : `${speed}×`;
}
