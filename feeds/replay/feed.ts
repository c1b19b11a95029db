/**
 * `openReplay(options)`: recorded files as a Feed (kind `replay`), the same seam as the simulator and the
 * live connectors. The returned feed's iterator is its ReplayPlayer (controls: pause, resume, speed, seek).
 *
 * Opening reads only the start of each file (format, first ticks); a background scan then reads the files
 * once more, unpaced, to find where they end (the span a timeline shows). Both stream: memory stays a batch
 * per file whatever the files' sizes.
 */
import { basename } from 'node:path';
import type { Feed, FeedInfo, Instrument, Tick } from '../tick.js';
import { FileTicks } from './file-ticks.js';
import { TickCursor } from './merge.js';
import { resolveReplayOptions, type ReplayOptions, type ResolvedReplayOptions } from './options.js';
import { ReplayPlayer } from './player.js';
import { startScan } from './scan.js';
import { replayStats, type ReplayStats } from './summary.js';

export interface ReplayFeed extends Feed {
  readonly info: FeedInfo & { readonly kind: 'replay' };
  readonly options: ResolvedReplayOptions;
  readonly player: ReplayPlayer;
  /** What the current pass through the files has read so far. */
  stats(): ReplayStats;
  /** Bytes read over the files' size, 0..1, for the current pass. */
  progress(): number;
  /** Settles once the background scan has found the replay's end (it never rejects). */
  readonly scanned: Promise<void>;
  /** The replay is played once: this returns its one player. */
  [Symbol.asyncIterator](): ReplayPlayer;
}

/** Opens the files (a ReplayError names the first that cannot be read or recognised). */
export async function openReplay(options: ReplayOptions): Promise<ReplayFeed> {
  const resolved = resolveReplayOptions(options);
  // What checking a gzip file's whole stream found, kept for the later passes (a seek back reads again).
  const gzipChecks = new Map<string, Promise<string | undefined>>();
  const openCursor = async (): Promise<TickCursor> => {
    const sources = resolved.files.map(
      (file) =>
        new FileTicks(file, {
          format: resolved.format,
          symbol: resolved.symbol,
          skipBad: resolved.skipBad,
          from: resolved.from,
          to: resolved.to,
          maxOutOfOrderMs: resolved.maxOutOfOrderMs,
          reader: resolved.reader,
          gzipChecks,
        }),
    );
    const opened = await Promise.allSettled(sources.map((source) => source.open()));
    const failed = opened.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed !== undefined) {
      await Promise.all(sources.map((source) => source.close()));
      throw failed.reason;
    }
    return new TickCursor(sources);
  };
  const player = new ReplayPlayer(openCursor, { speed: resolved.speed, loop: resolved.loop, paused: resolved.paused, clock: resolved.clock });
  await player.open();
  const first = player.current!;
  const formats = first.sources.map((source) => `${basename(source.file)} (${source.formatName ?? '?'})`);
  const info = { kind: 'replay', description: `replay of ${formats.join(', ')}` } as const;
  const instruments = instrumentsFrom(first.buffered());
  const scanned = findEnd(resolved, player);
  return {
    info,
    instruments,
    options: resolved,
    player,
    scanned,
    stats: () => replayStats(player.current?.sources ?? []),
    progress: () => player.current?.progress() ?? 0,
    [Symbol.asyncIterator]: () => player,
  };
}

/** Finds where the replay ends in the background, and tells the player. */
async function findEnd(options: ResolvedReplayOptions, player: ReplayPlayer): Promise<void> {
  const scan = startScan(options);
  const stop = player.onChange(() => {
    if (player.isClosed) scan.stop();
  });
  const end = await scan.end;
  stop();
  if (!player.isClosed) player.setEnd(Number.isNaN(end) ? player.start : end);
}

const PAIR = /^([A-Z0-9]+)-([A-Z]{3,5})$/;

/**
 * Instruments for the symbols among a replay's first ticks, with a tick size guessed from the most
 * decimals their prices show (BTC-quoted pairs trade at 0.00001305, and a 0.01 tick size would print 0.00).
 */
export function instrumentsFrom(ticks: Iterable<Tick>): Instrument[] {
  const decimals = new Map<string, number>();
  for (const tick of ticks) {
    let most = decimals.get(tick.symbol) ?? 0;
    for (const value of [tick.price, tick.bid, tick.ask]) if (value !== undefined) most = Math.max(most, decimalsOf(value));
    decimals.set(tick.symbol, most);
  }
  return Array.from(decimals, ([symbol, places]) => {
    const pair = PAIR.exec(symbol);
    return {
      symbol,
      name: symbol,
      assetClass: pair === null ? 'other' : 'crypto',
      currency: pair?.[2] ?? 'USD',
      tickSize: Number(`1e-${Math.max(2, places)}`),
    };
  });
}

/** Decimal places a price is written with (up to 12). */
function decimalsOf(value: number): number {
  const text = String(value);
  const exponent = text.indexOf('e-');
  if (exponent >= 0) return Math.min(12, Number(text.slice(exponent + 2)) + (text.slice(0, exponent).split('.')[1]?.length ?? 0));
  const point = text.indexOf('.');
  return point < 0 ? 0 : Math.min(12, text.length - point - 1);
}
