/**
 * A gateway's replay controls (docs/deploy.md#replays): the hub asks it as it would ask a ReplayController,
 * but the replay runs on the ingest. `state` is answered from the latest state the ingest published; every
 * other request is queued in Redis for the ingest, and answered when a flush record names it as carried
 * out (with the state it led to), or, if no ingest does so in time, with the state as it stands.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { ReplayMessage, ReplayRequest, RequestId } from '../../client/protocol/messages.js';
import type { ReplayControl } from '../hub/hub.js';
import { MAX_REPLAY_CONTROLS_QUEUED, REPLAY_CONTROL_TIMEOUT_MS } from './config.js';
import type { ClusterKeys } from './keys.js';
import { encodeValue } from './records.js';
import type { RedisLink } from './redis-link.js';

interface Waiting {
  readonly id: RequestId | undefined;
  readonly answer: (message: ReplayMessage) => void;
  readonly timer: NodeJS.Timeout;
}

export class RemoteReplay implements ReplayControl {
  private readonly waiting = new Map<string, Waiting>();
  private forwarded = 0;

  constructor(
    /** The replay's latest state, as the ingest published it. */
    private latest: ReplayMessage,
    /** Unique among the gateways (names this gateway's requests). */
    private readonly gatewayId: string,
    private readonly link: RedisLink,
    private readonly keys: ClusterKeys,
    private readonly log: FastifyBaseLogger,
  ) {}

  state(id?: RequestId): ReplayMessage {
    return { ...this.latest, id };
  }

  handle(request: ReplayRequest, answer: (message: ReplayMessage) => void): void {
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
    // Bounded and expiring: requests nobody takes (no ingest) neither pile up nor run much later.
    this.link.client
      .multi()
      .rpush(this.keys.controls, Buffer.from(encodeValue({ c: name, r: forwarded })))
      .ltrim(this.keys.controls, -MAX_REPLAY_CONTROLS_QUEUED, -1)
      .pexpire(this.keys.controls, REPLAY_CONTROL_TIMEOUT_MS)
      .exec()
      .catch((error: unknown) => this.log.debug({ err: error }, 'forwarding a replay control request failed; the timeout answers it'));
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
