/**
 * A gateway's replay controls (docs/deploy.md#replays): the hub asks it as it would ask a ReplayController,
 * but the replay runs on the ingest. `state` is answered from the latest state the ingest published; every
 * other request is queued in Redis for the ingest, and answered when a flush record names it as carried
 * out (with the state it led to), or, if no ingest does so in time, with the state as it stands. One that
 * cannot be queued (the `replay-controls` key holds another type) is refused at once: INTERNAL, retry.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { ErrorCode, ReplayMessage, ReplayRequest, RequestId } from '../../client/protocol/messages.js';
import type { ReplayControl } from '../hub/hub.js';
import { MAX_REPLAY_CONTROLS_QUEUED, REPLAY_CONTROL_TIMEOUT_MS } from './config.js';
import type { ClusterKeys } from './keys.js';
import { LuaScript } from './lua-script.js';
import { ProblemLog } from './problem-log.js';
import { RecordError, encodeValue } from './records.js';
import type { RedisLink } from './redis-link.js';

/**
 * Queues one control request at the end of the list KEYS[1], keeps the ARGV[2] newest and sets the list to
 * expire after ARGV[3] ms: bounded and expiring, so requests nobody takes (no ingest) neither pile up nor
 * run much later. A key of another type there (set by hand, say) is left as it is, its expiry too (a
 * replaying ingest replaces it at its next flush): answers 0, and 1 when the request was queued. One
 * script, so that the expiry never applies without the push (in a MULTI it did, to a key of another type).
 */
const FORWARD = new LuaScript(`
local held = redis.call('TYPE', KEYS[1])['ok']
if held ~= 'list' and held ~= 'none' then return 0 end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`);

interface Waiting {
  readonly id: RequestId | undefined;
  readonly answer: (message: ReplayMessage) => void;
  readonly timer: NodeJS.Timeout;
}

export class RemoteReplay implements ReplayControl {
  private readonly waiting = new Map<string, Waiting>();
  private forwarded = 0;
  /** A `replay-controls` key of another type: warned of once until a request is queued again. */
  private readonly problems: ProblemLog;

  constructor(
    /** The replay's latest state, as the ingest published it. */
    private latest: ReplayMessage,
    /** Unique among the gateways (names this gateway's requests). */
    private readonly gatewayId: string,
    private readonly link: RedisLink,
    private readonly keys: ClusterKeys,
    private readonly log: FastifyBaseLogger,
  ) {
    this.problems = new ProblemLog(log, 'warn', 'replay control requests are forwarded to the ingest again');
  }

  state(id?: RequestId): ReplayMessage {
    return { ...this.latest, id };
  }

  /**
   * `state` is answered at once; any other request is queued for the ingest (FORWARD), or refused with
   * INTERNAL (retry shortly) when the `replay-controls` key holds another type.
   */
  handle(request: ReplayRequest, answer: (message: ReplayMessage) => void, refuse: (code: ErrorCode, message: string) => void): void {
    if (request.action === 'state') {
      answer(this.state(request.id));
      return;
    }
    const name = `${this.gatewayId}:${++this.forwarded}`;
    const timer = setTimeout(() => {
      this.waiting.delete(name);
      this.log.warn({ action: request.action }, 'no ingest carried out a replay control request in time: answered with the state as it stands');
      answer(this.state(request.id));
    }, REPLAY_CONTROL_TIMEOUT_MS);
    this.waiting.set(name, { id: request.id, answer, timer });
    const { id: _, ...forwarded } = request;
    const encoded = Buffer.from(encodeValue({ c: name, r: forwarded }));
    FORWARD.run(this.link.client, [this.keys.controls], [encoded, MAX_REPLAY_CONTROLS_QUEUED, REPLAY_CONTROL_TIMEOUT_MS]).then(
      (queued) => {
        if (Number(queued) === 1) {
          this.problems.cleared({ key: this.keys.controls });
          return;
        }
        const err = new RecordError('the key held another type of value than tickertape writes there');
        this.problems.report('another type', { err, key: this.keys.controls }, 'a key of another type in Redis: replay control requests are refused until a replaying ingest replaces it');
        // Not queued: answered now, instead of by the timeout.
        if (!this.waiting.has(name)) return;
        clearTimeout(timer);
        this.waiting.delete(name);
        refuse('INTERNAL', 'replay controls could not be forwarded to the ingest (a key of another type in Redis): retry shortly');
      },
      (error: unknown) => this.log.debug({ err: error }, 'forwarding a replay control request failed; the timeout answers it'),
    );
  }

  /** A flush record's news: the replay's new state (to `latest`), and the forwarded requests carried out. */
  published(state: ReplayMessage | undefined, answers: readonly string[] | undefined): void {
    if (state !== undefined) this.latest = state;
    for (const name of answers ?? []) {
      const waiting = this.waiting.get(name);
      if (waiting === undefined) continue;
      clearTimeout(waiting.timer);
      this.waiting.delete(name);
      waiting.answer(this.state(waiting.id));
    }
  }

  /** Answers every request still waiting with the state as it stands (the gateway stops). */
  stop(): void {
    for (const waiting of this.waiting.values()) {
      clearTimeout(waiting.timer);
      waiting.answer(this.state(waiting.id));
    }
    this.waiting.clear();
  }
}
