/**
 * The hub's connections in slices, and when to send them one slice at a time (a rolling flush).
 *
 * Every connection gets one update frame per flush interval. When the writes of a round are quick, every
 * slice is served on the same flush, as one round. When a round's writes take a large share of the
 * interval (thousands of connections), the connection written last would carry data closed that long
 * before its frame; the hub then rolls: it flushes `slices` times an interval and serves one slice per
 * flush, each with what changed since that slice's previous turn, so a connection's data is closed at most
 * one slice's writes before its frame. Rolling costs CPU (each changed symbol is encoded once per slice,
 * and the writes come in smaller, colder batches: 8 % more per update on 5,000 connections, 24 % on 1,000
 * before packEntry), so the hub rolls only when the round's writes are long enough for that to pay: the
 * Rollout below.
 */
import type { Group } from './group.js';

/**
 * Services of a slice remembered: a tier-k subscription (maxRate) needs the generation of the k-th previous
 * one. Beyond this (maxRate under 1000 / (1,024 × flush-ms) per second) the oldest kept is used, which
 * covers more than what changed since the last update: values are absolute, so the client's state is the same.
 */
export const SERVICE_HISTORY = 1_024;

/** A round's writes above this share of the interval start rolling (smoothed over rounds). */
export const ROLL_ABOVE_PERCENT = 50;
/** A rolling round's writes below this share of the interval go back to one round per flush. */
export const COLLAPSE_BELOW_PERCENT = 40;
/** Weight of the latest round in the smoothed round time. */
const SMOOTHING = 0.2;

/** One slice of the hub's connections (a connection's slice is its id mod the count) and where it stands. */
export class Slice {
  /** Groups of identically subscribed connections in this slice. */
  readonly groups = new Map<string, Group>();
  /** Times this slice was served; a tier-k subscription is due every k-th. */
  step = 0;
  /** The flush clock's time at the last service. */
  servedAt = Number.NEGATIVE_INFINITY;
  /** The generation each of the last SERVICE_HISTORY services closed, by step. */
  private readonly gens = new Float64Array(SERVICE_HISTORY);

  constructor(initialGen: number) {
    this.gens[0] = initialGen;
  }

  /** The generation service number `step` closed (the initial one before any); older ones: the oldest kept. */
  genAt(step: number): number {
    return this.gens[Math.max(step, this.step - SERVICE_HISTORY + 1, 0) % SERVICE_HISTORY]!;
  }

  served(gen: number, now: number): void {
    this.step++;
    this.gens[this.step % SERVICE_HISTORY] = gen;
    this.servedAt = now;
  }
}

/** Whether the hub rolls, decided from how long its rounds of writes take. */
export class Rollout {
  rolling = false;
  /** While rolling: the slice whose turn is next; the first when rolling starts. */
  turn = 0;
  /** Smoothed time a round of writes takes, ms. */
  private roundMs = 0;
  /** Flushes and time so far of the rolling round being measured. */
  private ticks = 0;
  private busyMs = 0;
  /** A mode fixed by pin(), whatever the rounds take. */
  private pinned: boolean | undefined;

  constructor(
    private readonly slices: number,
    private readonly intervalMs: number,
  ) {}

  /** Time to the next flush wanted: the interval, or a slice's share of it while rolling. */
  get periodMs(): number {
    return this.rolling ? this.intervalMs / this.slices : this.intervalMs;
  }

  /** Fixes the mode (true: roll), or with undefined lets the rounds' times decide again. */
  pin(rolling: boolean | undefined): void {
    this.pinned = rolling;
    if (rolling !== undefined && this.slices > 1) this.roll(rolling);
    this.ticks = 0;
    this.busyMs = 0;
  }

  /** A flush that served a slice (or, not rolling, every slice) took `busyMs`; returns whether the hub rolls now. */
  flushed(busyMs: number): boolean {
    if (this.slices === 1) return false;
    if (this.pinned !== undefined) return this.rolling;
    this.busyMs += busyMs;
    this.ticks++;
    if (this.rolling && this.ticks < this.slices) return true;
    this.roundMs = this.roundMs === 0 ? this.busyMs : this.roundMs + SMOOTHING * (this.busyMs - this.roundMs);
    this.busyMs = 0;
    this.ticks = 0;
    const percent = (this.roundMs * 100) / this.intervalMs;
    this.roll(this.rolling ? percent >= COLLAPSE_BELOW_PERCENT : percent > ROLL_ABOVE_PERCENT);
    return this.rolling;
  }

  /** The slice whose turn it was was served: the next one's turn. */
  next(): void {
    this.turn = (this.turn + 1) % this.slices;
  }

  private roll(rolling: boolean): void {
    if (rolling && !this.rolling) this.turn = 0;
    this.rolling = rolling;
  }
}
