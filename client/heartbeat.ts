/**
 * Tells a silent server from a quiet one. After `idleMs` with nothing received, `ping()` is called (the
 * client sends a protocol `ping`, which any live server answers); if `idleMs` more pass and still nothing has
 * arrived, `dead(silentMs)` is called. So a dead server, or a network path that silently drops everything,
 * is noticed at most 2 × idleMs after its last message (plus timer latency).
 *
 * One timer, re-armed only when it fires: noting a message (`heard()`) is an assignment, not a timer reset,
 * so it costs nothing per frame. A timer that fires much later than planned means this process was stalled
 * (a busy event loop, a suspended laptop, a background tab), not that the server is gone: the check is then
 * deferred by one turn of the event loop, so messages that arrived meanwhile are read before judging.
 */
export class Heartbeat {
  private lastHeardAt = 0;
  private pingedAt: number | undefined;
  private dueAt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly idleMs: number,
    private readonly ping: () => void,
    private readonly dead: (silentMs: number) => void,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.heard();
    this.arm(this.idleMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Something arrived from the server. */
  heard(): void {
    this.lastHeardAt = this.now();
    this.pingedAt = undefined;
  }

  private arm(delayMs: number): void {
    clearTimeout(this.timer);
    this.dueAt = this.now() + delayMs;
    this.timer = setTimeout(this.check, delayMs);
  }

  private readonly check = (): void => {
    this.timer = undefined;
    const now = this.now();
    if (now - this.dueAt > this.idleMs / 2) {
      // Stalled: let pending socket events run first (timers come before I/O in an event-loop turn).
      this.arm(0);
      return;
    }
    const silentMs = now - this.lastHeardAt;
    if (silentMs < this.idleMs) {
      this.arm(this.idleMs - silentMs);
    } else if (this.pingedAt === undefined) {
      this.pingedAt = now;
      this.ping();
      this.arm(this.idleMs);
    } else if (now - this.pingedAt >= this.idleMs) {
      this.dead(silentMs);
    } else {
      this.arm(this.idleMs - (now - this.pingedAt));
    }
  };
}
