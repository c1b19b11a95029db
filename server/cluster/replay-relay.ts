/**
 * A replaying ingest's side of the replay controls (docs/deploy.md#replays): the ReplayController runs
 * here as in a single process, but tells its state and rewinds to this relay instead of a hub. The relay
 * carries them through Redis: the state rides on the next flush record (and in the `replay` key, for
 * gateways that start later), a rewind makes the next publish start the market over, and control
 * requests the gateways queue are popped and carried out each flush, their answers named in a record.
 */
import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import type { ReplayMessage, ServerMessage } from '../../client/protocol/messages.js';
import type { ReplayControl } from '../hub/hub.js';
import type { ReplayOutlet } from '../replay/controller.js';
import { REPLAY_CONTROLS_PER_FLUSH } from './config.js';
import type { ClusterKeys } from './keys.js';
import { LuaScript } from './lua-script.js';
import { RecordError, decodeControl, encodeValue, logLostKey } from './records.js';

/**
 * Pops up to ARGV[1] control requests from the list KEYS[1]. A key of another type there (set by hand, say)
 * would refuse every pop, and with it every publish: it is deleted instead (gateways queue into a new list),
 * in the same call. Answer: the requests popped, and the keys replaced.
 */
const TAKE_CONTROLS = new LuaScript(`
local held = redis.call('TYPE', KEYS[1])['ok']
if held ~= 'list' and held ~= 'none' then
  redis.call('DEL', KEYS[1])
  return { {}, { KEYS[1] } }
end
return { redis.call('LPOP', KEYS[1], ARGV[1]) or {}, {} }
`);

/** What one record carries of the replay. */
export interface ReplayNews {
  readonly state: ReplayMessage | undefined;
  readonly answers: readonly string[];
}

export class ReplayRelay implements ReplayOutlet {
  /** Set by the ReplayController. */
  replay: ReplayControl | undefined;
  private state: ReplayMessage | undefined;
  private answers: string[] = [];

  constructor(
    private readonly client: Redis,
    private readonly keys: ClusterKeys,
    /** The market was rebuilt (a seek back, a loop): publish all of it again, replacing what Redis holds. */
    private readonly startOver: () => void,
    private readonly log: FastifyBaseLogger,
  ) {}

  broadcast(message: ServerMessage): void {
    if (message.type === 'replay') this.state = { ...message, id: undefined };
  }

  resync(): void {
    this.startOver();
  }

  /** Publishes the state as it stands with the next record (on taking over, and after Redis lost it). */
  announce(): void {
    if (this.replay !== undefined) this.state = { ...this.replay.state(), id: undefined };
  }

  /** Whether the next flush has something of the replay to publish. */
  get pending(): boolean {
    return this.state !== undefined || this.answers.length > 0;
  }

  /** Pops the control requests gateways queued and carries them out; their answers go out with a later record. */
  async takeControls(): Promise<void> {
    const control = this.replay;
    if (control === undefined) return;
    const answer = await TAKE_CONTROLS.run(this.client, [this.keys.controls], [REPLAY_CONTROLS_PER_FLUSH], true);
    if (!Array.isArray(answer) || !Array.isArray(answer[0]) || !Array.isArray(answer[1])) throw new Error('unexpected replay controls script answer');
    for (const key of answer[1] as unknown[]) logLostKey(this.log, String(key), 'another type', 'replay control requests are queued anew');
    for (const bytes of answer[0] as unknown[]) {
      if (!Buffer.isBuffer(bytes)) continue;
      let forwarded;
      try {
        forwarded = decodeControl(bytes);
      } catch (error) {
        if (!(error instanceof RecordError)) throw error;
        this.log.warn({ err: error }, 'dropped an unreadable replay control request');
        continue;
      }
      const { c, r } = forwarded;
      const carriedOut = (answer: ReplayMessage): void => {
        this.state = { ...answer, id: undefined };
        this.answers.push(c);
      };
      // A refusal cannot travel in a record (answers are names): told with the state as it stands, as the
      // gateway's timeout would. The replay's own controller never refuses.
      control.handle(r, carriedOut, () => carriedOut(control.state()));
    }
  }

  /** What the next record carries; hand it back with `unpublished()` if publishing fails. */
  take(): ReplayNews {
    const news = { state: this.state, answers: this.answers };
    this.state = undefined;
    this.answers = [];
    return news;
  }

  /** A publish failed: what it carried goes with the next one (a newer state wins). */
  unpublished(news: ReplayNews): void {
    this.state ??= news.state;
    this.answers = [...news.answers, ...this.answers];
  }

  /** After a record carried `state`: keep it in the `replay` key for gateways that load the market later. */
  async stored(news: ReplayNews): Promise<void> {
    if (news.state !== undefined) await this.client.set(this.keys.replay, Buffer.from(encodeValue(news.state)));
  }
}
