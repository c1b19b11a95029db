/**
 * The server's side of a replay: answers `replay` requests, tells every connection where the replay stands,
 * and, when the replay goes back in time, rebuilds the market off to the side and swaps it in.
 *
 * A rewind (seek back, loop) replays the files from the start into an empty market (`Market.emptyLike`)
 * while the live one keeps serving the old state, so clients never see a half-built market; the rebuilt
 * state is then adopted in place (the hub's groups keep their references), the generation closes, and
 * every connection hears the new replay state and then gets a fresh snapshot of each subscription.
 */
import { basename } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { ReplayMessage, ReplayRequest, RequestId } from '../../client/protocol/messages.js';
import { ReplayError, type ReplayFeed, type ReplayHost } from '../../feeds/replay/index.js';
import type { Tick } from '../../feeds/tick.js';
import type { Hub, ReplayControl } from '../hub/hub.js';
import type { Market } from '../market/market.js';
import { LatestSender } from '../latest-sender.js';

/**
 * Where a controller tells its replay's state and rewinds: the hub in a single process; in a scaled-out
 * ingest, the publisher, which carries them through Redis to the gateways' hubs (server/cluster/).
 */
export type ReplayOutlet = Pick<Hub, 'replay' | 'broadcast' | 'resync'>;

/** While a replay plays, its state is sent this often (besides every change), so clocks stay in step. */
export const REPLAY_STATE_INTERVAL_MS = 1_000;
/**
 * Least time between two `replay` broadcasts of a change, as for the live feed's `feed` messages
 * (FEED_STATUS_MIN_INTERVAL_MS): changes in between go out together, as the latest state. A rewind's own
 * message, which must reach clients before the snapshots it brings, is sent at once.
 */
export const REPLAY_STATUS_MIN_INTERVAL_MS = 250;

export interface ReplayControllerOptions {
  /**
   * Whoever runs the server tells the user of a failure caused by the replay's input (a ReplayError: a bad
   * line, a corrupt gzip) itself, as `tickertape replay` does on stderr with its summary: the log then has it
   * at debug only, so it is said once. Other failures, faults of the server's own, are logged at error with
   * their stack whatever this says.
   */
  readonly inputErrorsReported?: boolean;
}

export class ReplayController implements ReplayControl, ReplayHost {
  private rebuilt: Market | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Broadcasts the state at most once per REPLAY_STATUS_MIN_INTERVAL_MS for changes, at once for rewinds. */
  private readonly sender = new LatestSender(REPLAY_STATUS_MIN_INTERVAL_MS, () => this.hub.broadcast(this.state()));
  private readonly unlisten: () => void;
  private lastError: Error | undefined;

  constructor(
    private readonly feed: ReplayFeed,
    private readonly market: Market,
    private readonly hub: ReplayOutlet,
    private readonly log: FastifyBaseLogger,
    private readonly options: ReplayControllerOptions = {},
  ) {
    const { player } = feed;
    player.attach(this);
    hub.replay = this;
    this.unlisten = player.onChange(() => this.changed());
    this.timer = setInterval(() => {
      const { phase } = this.feed.player;
      if (phase === 'playing' || phase === 'seeking') this.sender.sendNow();
    }, REPLAY_STATE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.sender.stop();
    this.unlisten();
    if (this.hub.replay === this) this.hub.replay = undefined;
  }

  state(id?: RequestId): ReplayMessage {
    const { player } = this.feed;
    const position = player.currentPosition();
    const error = player.error;
    return {
      type: 'replay',
      id,
      state: player.phase,
      position: wholeMs(position),
      time: Date.now(),
      speed: player.speed,
      paused: player.paused,
      loop: player.loop,
      start: wholeMs(player.start),
      end: wholeMs(player.end),
      progress: Math.round(this.feed.progress() * 10_000) / 10_000,
      rewinds: player.rewinds,
      files: (player.current?.sources ?? []).map((source) => ({ name: basename(source.file), format: source.formatName ?? 'unknown' })),
      error: error === undefined ? undefined : { code: error instanceof ReplayError ? error.code : 'INTERNAL', message: error.message },
    };
  }

  handle(request: ReplayRequest, answer: (message: ReplayMessage) => void): void {
    const { player } = this.feed;
    const done = (): void => answer(this.state(request.id));
    switch (request.action) {
      case 'state':
        done();
        return;
      case 'pause':
        player.pause();
        done();
        return;
      case 'resume':
        player.resume().then(done, done);
        return;
      case 'speed':
        player.setSpeed(request.speed!);
        done();
        return;
      case 'seek': {
        const started = performance.now();
        player.seek(request.time!).then(() => {
          this.log.info({ time: request.time, ms: Math.round(performance.now() - started) }, 'replay seek');
          done();
        }, done);
        return;
      }
    }
  }

  beginRewind(): (tick: Tick) => void {
    const rebuilt = this.market.emptyLike();
    this.rebuilt = rebuilt;
    return (tick) => rebuilt.apply(tick);
  }

  endRewind(): void {
    const rebuilt = this.rebuilt;
    this.rebuilt = undefined;
    if (rebuilt === undefined) return;
    this.market.adopt(rebuilt);
    const { gen } = this.market.flush();
    // The new state first, so clients know snapshots that follow replace what they hold: at once, whatever
    // the interval between broadcasts (the player starts a loop's passes at most every MIN_LOOP_PASS_MS).
    this.sender.sendNow();
    this.hub.resync(gen);
  }

  /**
   * Announces a change: after the current turn of the event loop, and at most once per
   * REPLAY_STATUS_MIN_INTERVAL_MS, however many changes came meanwhile; the message carries the latest state.
   */
  private changed(): void {
    const { error } = this.feed.player;
    if (error !== undefined && error !== this.lastError) this.logFailure(error);
    this.lastError = error;
    this.sender.changed();
  }

  /**
   * A failure of the replay's input is the user's to fix, not the server's: it is logged as where and why
   * (code, file, line and the FILE:LINE: reason message), without a stack, which would only point into the
   * parser. Anything else is a bug, logged with its stack.
   */
  private logFailure(error: Error): void {
    if (!(error instanceof ReplayError)) {
      this.log.error({ err: error }, 'replay failed');
      return;
    }
    const fields = { code: error.code, file: error.file, line: error.line };
    const message = `replay failed: ${error.message}`;
    if (this.options.inputErrorsReported === true) this.log.debug(fields, message);
    else this.log.error(fields, message);
  }
}

function wholeMs(time: number): number | undefined {
  return Number.isFinite(time) ? Math.floor(time) : undefined;
}
