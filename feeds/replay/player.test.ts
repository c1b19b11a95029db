/**
 * The player's behaviour against a clock the test moves: pacing, pause, speed, seeks, loops, the end and
 * failures. No wall-clock timing is asserted; time moves only when the test says.
 */
import { describe, expect, test } from 'vitest';
import { ManualClock, settle, settleUntil } from '../../test/helpers/manual-clock.js';
import { scratchFolder } from '../../test/helpers/scratch.js';
import type { Tick } from '../tick.js';
import { openReplay, type ReplayFeed } from './feed.js';
import { MIN_LOOP_PASS_MS, type ReplayHost } from './player.js';

const files = scratchFolder('tickertape-player-');
const T = Date.UTC(2024, 0, 2, 14, 30);

/** A CSV with one trade of symbol A at each offset (ms from T), priced by its position. */
function tape(name: string, offsets: number[], tail = ''): string {
  return files.write(name, `time,symbol,price,size\n${offsets.map((offset, i) => `${T + offset},A,${i + 1},1\n`).join('')}${tail}`);
}

/** Pulls ticks as a consumer does, recording each with the clock time it was handed over. */
function consume(feed: ReplayFeed, clock: ManualClock): { got: { price: number; at: number }[]; done: Promise<unknown> } {
  const got: { price: number; at: number }[] = [];
  const done = (async () => {
    for await (const tick of feed) got.push({ price: tick.price!, at: clock.now() });
  })();
  return { got, done };
}

class RecordingHost implements ReplayHost {
  rebuilt: Tick[][] = [];
  beginRewind(): (tick: Tick) => void {
    const ticks: Tick[] = [];
    this.rebuilt.push(ticks);
    return (tick) => ticks.push(tick);
  }
  endRewind(): void {}
}

describe('ReplayPlayer', () => {
  test('hands each tick over once the clock reaches it at the chosen speed', async () => {
    const clock = new ManualClock();
    const feed = await openReplay({ files: [tape('paced.csv', [0, 1_000, 5_000])], speed: 10, clock });
    const start = clock.now();
    const { got, done } = consume(feed, clock);
    await settle();
    expect(got).toEqual([{ price: 1, at: start }]);
    await clock.advance(90);
    expect(got).toHaveLength(1);
    await clock.advance(10);
    expect(got.at(-1)).toEqual({ price: 2, at: start + 100 });
    expect(feed.player.currentPosition()).toBe(T + 1_000);
    await clock.advance(399);
    expect(got).toHaveLength(2);
    await clock.advance(1);
    expect(got.at(-1)).toEqual({ price: 3, at: start + 500 });
    await done;
    expect(feed.player.phase).toBe('ended');
  });

  test('pause holds the clock and the ticks; resume goes on from where it paused; speed re-anchors', async () => {
    const clock = new ManualClock();
    const feed = await openReplay({ files: [tape('pause.csv', [0, 1_000, 2_000])], speed: 10, clock });
    const { got, done } = consume(feed, clock);
    await settleUntil(() => got.length === 1, 'the first tick');
    await clock.advance(50);
    feed.player.pause();
    expect(feed.player.phase).toBe('paused');
    expect(feed.player.currentPosition()).toBe(T + 500);
    await clock.advance(10_000);
    expect(got).toHaveLength(1);
    expect(feed.player.currentPosition()).toBe(T + 500);
    await feed.player.resume();
    feed.player.setSpeed(1);
    await clock.advance(499);
    expect(got).toHaveLength(1);
    await clock.advance(1);
    expect(got).toHaveLength(2);
    feed.player.setSpeed('max');
    await done;
    expect(got.map((tick) => tick.price)).toEqual([1, 2, 3]);
  });

  test('a gap longer than the longest timer is slept in pieces: no timer over 2^31-1 ms, and controls still work during it', async () => {
    const timers: number[] = [];
    const clock = new (class extends ManualClock {
      override setTimer(callback: () => void, ms: number): unknown {
        timers.push(ms);
        return super.setTimer(callback, ms);
      }
    })();
    const DAY = 86_400_000;
    // 60 days between the second and the third tick: 5,184,000,000 ms, over twice what a timer holds.
    const feed = await openReplay({ files: [tape('gap.csv', [0, 1_000, 1_000 + 60 * DAY, 2_000 + 60 * DAY])], speed: 1, clock });
    const { got, done } = consume(feed, clock);
    await clock.advance(1_000);
    expect(got).toHaveLength(2);
    await clock.advance(30 * DAY);
    expect(got).toHaveLength(2);
    expect(Math.max(...timers)).toBeLessThanOrEqual(2 ** 31 - 1);
    // Paused in the middle of the wait: the clock holds, and no tick comes however long the pause.
    feed.player.pause();
    const held = feed.player.currentPosition();
    expect(held).toBe(T + 1_000 + 30 * DAY);
    await clock.advance(60 * DAY);
    expect(got).toHaveLength(2);
    await feed.player.resume();
    // A speed change re-anchors: the 30 days left go by in 3 days at 10x.
    feed.player.setSpeed(10);
    await clock.advance(3 * DAY - 1);
    expect(got).toHaveLength(2);
    await clock.advance(1);
    expect(got.map((tick) => tick.at - got[0]!.at)).toEqual([0, 1_000, 1_000 + 30 * DAY + 60 * DAY + 3 * DAY]);
    // A seek in a long wait goes there at once.
    await feed.player.seek(T + 2_000 + 60 * DAY);
    await done;
    expect(got).toHaveLength(4);
    expect(Math.max(...timers)).toBeLessThanOrEqual(2 ** 31 - 1);
  });

  test('takeDue() hands over without a promise what next() would: at max every tick in hand, paced only the due ones, paused none', async () => {
    const clock = new ManualClock();
    const offsets = Array.from({ length: 50 }, (_, i) => i * 100);
    const feed = await openReplay({ files: [tape('due.csv', offsets)], speed: 10, clock });
    const player = feed[Symbol.asyncIterator]();
    const prices: number[] = [];
    const takeDue = (): void => {
      for (let tick = player.takeDue(); tick !== undefined; tick = player.takeDue()) prices.push(tick.price!);
    };
    takeDue();
    // Paced at 10x: at the start only the tick at 0 is due; 100 ms of wall time later, those up to 1 s.
    expect(prices).toEqual([1]);
    await clock.advance(100);
    takeDue();
    expect(prices).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    player.pause();
    await clock.advance(1_000);
    takeDue();
    expect(prices).toHaveLength(11);
    await player.resume();
    player.setSpeed('max');
    // At max: everything in hand, but next() comes in between now and then (the clock check, reading more).
    while (prices.length < offsets.length) {
      takeDue();
      const next = await player.next();
      if (next.done === true) break;
      prices.push(next.value.price!);
    }
    expect(prices).toEqual(offsets.map((_, i) => i + 1));
    expect(player.takeDue()).toBeUndefined();
    await player.return();
  });

  test('a forward seek hands over the ticks up to the target at once, then plays on from it', async () => {
    const clock = new ManualClock();
    const feed = await openReplay({ files: [tape('forward.csv', [0, 1_000, 2_000, 10_000])], speed: 1, clock });
    const { got, done } = consume(feed, clock);
    await settle();
    await feed.player.seek(T + 5_000);
    expect(got.map((tick) => tick.price)).toEqual([1, 2, 3]);
    expect(feed.player.currentPosition()).toBe(T + 5_000);
    expect(feed.player.rewinds).toBe(0);
    await clock.advance(4_999);
    expect(got).toHaveLength(3);
    await clock.advance(1);
    await done;
    expect(got).toHaveLength(4);
  });

  test('a seek back rebuilds through the host: it gets every tick up to the target, then play resumes after it', async () => {
    const clock = new ManualClock();
    const feed = await openReplay({ files: [tape('back.csv', [0, 1_000, 2_000, 3_000])], speed: 1, paused: true, clock });
    const host = new RecordingHost();
    feed.player.attach(host);
    const { got } = consume(feed, clock);
    await feed.player.seek(T + 2_500);
    expect(got.map((tick) => tick.price)).toEqual([1, 2, 3]);
    await feed.player.seek(T + 1_000);
    expect(feed.player.rewinds).toBe(1);
    expect(host.rebuilt.map((ticks) => ticks.map((tick) => tick.price))).toEqual([[1, 2]]);
    expect(feed.player.phase).toBe('paused');
    expect(feed.player.currentPosition()).toBe(T + 1_000);
    await feed.player.resume();
    await clock.advance(1_000);
    expect(got.map((tick) => tick.price)).toEqual([1, 2, 3, 3]);
    // A seek before the start goes to the start; after the end, to the end.
    await feed.player.seek(0);
    expect(feed.player.currentPosition()).toBe(T);
    await feed.scanned;
    expect(feed.player.end).toBe(T + 3_000);
    await feed.player.return();
  });

  test('seeks asked for while one waits collapse into one: the last target wins, nothing queues up', async () => {
    const clock = new ManualClock();
    const feed = await openReplay({ files: [tape('collapse.csv', [0, 1_000, 2_000, 3_000])], speed: 1, paused: true, clock });
    const host = new RecordingHost();
    feed.player.attach(host);
    const { got } = consume(feed, clock);
    await feed.player.seek(T + 2_500);
    expect(got).toHaveLength(3);
    const asked = [500, 1_000, 1_500].map((offset) => feed.player.seek(T + offset));
    await Promise.all(asked);
    expect(feed.player.rewinds).toBe(1);
    expect(host.rebuilt.map((ticks) => ticks.map((tick) => tick.price))).toEqual([[1, 2]]);
    expect(feed.player.currentPosition()).toBe(T + 1_500);
    await feed.player.return();
  });

  test('with a host, the end holds (a seek back replays again); --loop starts over by itself', async () => {
    const clock = new ManualClock();
    const feed = await openReplay({ files: [tape('hold.csv', [0, 1_000])], speed: 'max', clock });
    feed.player.attach(new RecordingHost());
    const { got } = consume(feed, clock);
    await settleUntil(() => feed.player.phase === 'ended', 'the end');
    expect(got).toHaveLength(2);
    await feed.player.resume();
    await settleUntil(() => got.length === 3, 'the replay after the end');
    expect(feed.player.rewinds).toBe(1);
    expect(got.map((tick) => tick.price)).toEqual([1, 2, 2]);
    await feed.player.return();

    const looping = await openReplay({ files: [tape('loop.csv', [0, 1_000])], speed: 'max', loop: true, clock });
    const host = new RecordingHost();
    looping.player.attach(host);
    const loop = consume(looping, clock);
    for (let pass = 1; pass <= 3; pass++) {
      await clock.advance(MIN_LOOP_PASS_MS);
      await settleUntil(() => looping.player.rewinds === pass, `loop ${pass}`);
    }
    expect(host.rebuilt[0]!.map((tick) => tick.price)).toEqual([1]);
    expect(loop.got.slice(0, 4).map((tick) => tick.price)).toEqual([1, 2, 2, 2]);
    await looping.player.return();
  });

  test('after the end, a seek to the end or past it is no rewind and the replay stays ended; a seek back replays', async () => {
    const clock = new ManualClock();
    const feed = await openReplay({ files: [tape('end-seek.csv', [0, 1_000, 2_000])], speed: 'max', clock });
    feed.player.attach(new RecordingHost());
    const { got } = consume(feed, clock);
    await settleUntil(() => feed.player.phase === 'ended', 'the end');
    await feed.scanned;
    const changes: string[] = [];
    feed.player.onChange(() => changes.push(feed.player.phase));
    // The end itself, and past it (clamped to the end): nothing after it to play, nothing to rebuild.
    for (const time of [T + 2_000, T + 60_000]) {
      await feed.player.seek(time);
      expect(feed.player.phase, `seek to ${time - T}`).toBe('ended');
      expect(feed.player.rewinds).toBe(0);
      expect(feed.player.currentPosition()).toBe(T + 2_000);
    }
    expect(changes).toEqual([]);
    expect(got).toHaveLength(3);
    // A seek back from the end is a rewind, and plays on from the target as resume after the end does.
    await feed.player.seek(T + 1_000);
    expect(feed.player.rewinds).toBe(1);
    await settleUntil(() => got.length === 4, 'the replay after the seek back');
    expect(got.map((tick) => tick.price)).toEqual([1, 2, 3, 3]);
    await feed.player.return();
  });

  test('resume after the end plays again even when the whole replay is one instant (start = end)', async () => {
    const clock = new ManualClock();
    const feed = await openReplay({ files: [tape('instant.csv', [0, 0])], speed: 'max', clock });
    const host = new RecordingHost();
    feed.player.attach(host);
    const { got } = consume(feed, clock);
    await settleUntil(() => feed.player.phase === 'ended', 'the end');
    // A seek to the one instant is a seek to the end: nothing happens.
    await feed.player.seek(T);
    expect(feed.player.rewinds).toBe(0);
    // Resume starts over: the start is the end, so every tick is rebuilt and the replay is at its end again.
    await feed.player.resume();
    expect(feed.player.rewinds).toBe(1);
    expect(host.rebuilt.map((ticks) => ticks.map((tick) => tick.price))).toEqual([[1, 2]]);
    await settleUntil(() => feed.player.phase === 'ended', 'the end again');
    expect(got.map((tick) => tick.price)).toEqual([1, 2]);
    await feed.player.return();
  });

  test('a looping pass shorter than MIN_LOOP_PASS_MS waits at its end: a tiny file at max loops 4 times a second, not thousands', async () => {
    const clock = new ManualClock();
    const looping = await openReplay({ files: [tape('tiny-loop.csv', [0, 1, 2])], speed: 'max', loop: true, clock });
    looping.player.attach(new RecordingHost());
    const { got } = consume(looping, clock);
    await settleUntil(() => got.length === 3, 'the first pass');
    // However long the event loop runs, the wall clock has not moved: no second pass.
    await settle();
    await settle();
    expect(looping.player.rewinds).toBe(0);
    expect(looping.player.phase).toBe('playing');
    await clock.advance(MIN_LOOP_PASS_MS - 1);
    expect(looping.player.rewinds).toBe(0);
    await clock.advance(1);
    await settleUntil(() => looping.player.rewinds === 1 && got.length === 5, 'the second pass');
    // Paused while a pass waits out its time: no pass comes, however long the pause.
    looping.player.pause();
    await clock.advance(10 * MIN_LOOP_PASS_MS);
    expect(looping.player.rewinds).toBe(1);
    await looping.player.resume();
    await settleUntil(() => looping.player.rewinds === 2, 'the pass after the pause');
    // Each pass after it waits its turn too.
    for (let pass = 3; pass <= 5; pass++) {
      await clock.advance(MIN_LOOP_PASS_MS - 1);
      expect(looping.player.rewinds).toBe(pass - 1);
      await clock.advance(1);
      await settleUntil(() => looping.player.rewinds === pass, `pass ${pass}`);
    }
    await looping.player.return();
  });

  test('a looping replay whose ticks share one instant starts over with a rewind, then holds at its end instead of spinning', async () => {
    const clock = new ManualClock();
    const looping = await openReplay({ files: [tape('instant-loop.csv', [0, 0])], speed: 'max', loop: true, clock });
    const host = new RecordingHost();
    looping.player.attach(host);
    // A player that spins goes through changes without end and never lets a timer run: stop it after plenty.
    let changes = 0;
    looping.player.onChange(() => {
      if (++changes === 1_000) void looping.player.return();
    });
    const { got } = consume(looping, clock);
    await settleUntil(() => got.length === 2, 'the first pass');
    await clock.advance(MIN_LOOP_PASS_MS);
    await settleUntil(() => looping.player.phase === 'ended' || looping.player.isClosed, 'the second pass');
    expect(changes).toBeLessThan(1_000);
    // The pass after the first rebuilt every tick (none is after the start) and so hands none over: a loop
    // over nothing, which holds at the end as a replay without --loop does.
    expect(looping.player.rewinds).toBe(1);
    expect(host.rebuilt.map((ticks) => ticks.map((tick) => tick.price))).toEqual([[1, 2]]);
    expect(looping.player.phase).toBe('ended');
    await looping.player.return();
  });

  test('a bad line fails the replay: alone it throws from the iterator, with a host it holds for a seek back', async () => {
    const clock = new ManualClock();
    const path = tape('fail.csv', [0, 1_000], `${T + 2_000},A,oops,1\n`);
    const alone = await openReplay({ files: [path], speed: 'max', clock });
    const ticks: Tick[] = [];
    await expect(
      (async () => {
        for await (const tick of alone) ticks.push(tick);
      })(),
    ).rejects.toThrow(`${path}:4: bad price: "oops"`);
    expect(ticks).toHaveLength(2);

    const hosted = await openReplay({ files: [path], speed: 'max', clock });
    hosted.player.attach(new RecordingHost());
    const { got } = consume(hosted, clock);
    await settleUntil(() => hosted.player.phase === 'failed', 'the failure');
    expect(hosted.player.error?.message).toBe(`${path}:4: bad price: "oops"`);
    expect(got).toHaveLength(2);
    await hosted.player.seek(T);
    expect(hosted.player.phase).toBe('playing');
    expect(hosted.player.error).toBeUndefined();
    await hosted.player.return();
  });
});
