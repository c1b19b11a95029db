import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import type { FeedInfo } from '../../feeds/tick.js';
import { startFlushClock, type FlushClock } from '../hub/flush-clock.js';
import type { Market } from '../market/market.js';
import type { BarRetention } from '../market/symbol-state.js';
import { INGEST_HEARTBEAT_MS, INGEST_LEASE_MS } from './config.js';
import type { ClusterKeys } from './keys.js';
import { IngestLease } from './lease.js';
import type { FeedStatusRelay } from './feed-status-relay.js';
import { isLeaseOfAnotherType, isNotLeader, UnwritableKey } from './publish-script.js';
import { ProblemLog } from './problem-log.js';
import { Publisher, type RecordNews } from './publisher.js';
import { ReplayRelay } from './replay-relay.js';
import { MetaReader } from './meta-reader.js';
import { logLostKey, metaFields, type ClusterMeta } from './records.js';
import type { RedisLink } from './redis-link.js';
import { clearUnreadable, restoreMarket, type Restored } from './restore.js';
import type { ClusterReadiness, ClusterStatus } from './status.js';

/**
 * - connecting: waiting for Redis.
 * - standby: another ingest holds the lease; this one waits to take over, its feed not started.
 * - active: holds the lease, runs the feed, publishes every flush.
 * - lost: another ingest took the lease while this one was cut off; it stopped publishing and must be
 *   restarted (it then stands by).
 */
export type IngestState = 'connecting' | 'standby' | 'active' | 'lost' | 'stopped';

export interface IngestOptions {
  readonly flushIntervalMs: number;
  /** Share of the interval a flush may take before the next is pushed back (hub/flush-clock.ts). */
  readonly maxFlushBusyPercent: number;
  readonly streamMaxEntries: number;
  readonly retention: BarRetention;
  readonly feed: FeedInfo;
  /** Starts the feed, skipping ticks before `resumeFrom` (ms; after the newest trade restored from Redis). */
  readonly startFeed: (resumeFrom: number) => void;
  readonly stopFeed: () => Promise<void>;
  /** Told how long each publish took (s). */
  readonly observePublish?: (seconds: number) => void;
  /**
   * The feed replays files: nothing is restored from Redis (the replay starts over, replacing what Redis
   * holds), and the replay's state and controls go through Redis (replay-relay.ts).
   */
  readonly replaying: boolean;
  /** A live feed's status, carried through Redis (feed-status-relay.ts); undefined for other feeds. */
  readonly feedStatus?: FeedStatusRelay;
}

/**
 * The ingest role (docs/deploy.md): holds the publishing lease, restores the market from Redis when it
 * takes over (so a restarted ingest continues the day's bars instead of starting empty), then closes a
 * market generation every flush interval and publishes it. After Redis comes back it checks what Redis
 * still holds of its market (meta's generation; nothing, after a restart without persistence) and
 * publishes everything changed since, in one go.
 */
export class Ingest implements ClusterStatus {
  state: IngestState = 'connecting';
  readonly id = randomUUID();
  readonly publisher: Publisher;
  /** A replaying ingest's replay state and controls, relayed through Redis; undefined otherwise. */
  readonly replay: ReplayRelay | undefined;
  /** Publish attempts that failed (Redis away or refusing). */
  publishFailures = 0;
  /** Takeovers that failed restoring the market from Redis (each retried). */
  restoreFailures = 0;
  /** Symbols restored from Redis at takeover. */
  restoredSymbols = 0;
  private readonly lease: IngestLease;
  private dataset: string = randomUUID();
  /** The `meta` hash, its problems reported once each; while it is unreadable, writeMeta replaces it whole. */
  private readonly metaReader: MetaReader;
  /** Why taking over and publishing fail, each problem logged once however often it is retried. */
  private readonly restoreProblems: ProblemLog;
  private readonly publishProblems: ProblemLog;
  private flushClock: FlushClock | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private busy = false;
  /** Set when the link came back (or a publish failed): check the lease and what Redis holds before publishing again. */
  private recheck = false;
  private readonly unlisten: () => void;

  constructor(
    private readonly link: RedisLink,
    private readonly keys: ClusterKeys,
    private readonly market: Market,
    private readonly options: IngestOptions,
    private readonly log: FastifyBaseLogger,
  ) {
    this.lease = new IngestLease(link.client, keys, this.id, INGEST_LEASE_MS, (key) => logLostKey(this.log, key, 'another type', 'this ingest took the publishing lease'));
    this.metaReader = new MetaReader(link.client, keys, log, { level: 'warn', message: 'unreadable meta in Redis: not restoring from it, publishing the whole market again' });
    this.publisher = new Publisher(link.client, keys, market, {
      ingestId: this.id,
      streamMaxEntries: options.streamMaxEntries,
      retention: options.retention,
      replaced: (key, lost) => logLostKey(this.log, key, lost, 'what it held is published again whole'),
    });
    this.restoreProblems = new ProblemLog(log, 'warn', 'restoring the market from Redis succeeded');
    this.publishProblems = new ProblemLog(log, 'warn', 'publishing to Redis again');
    this.replay = options.replaying ? new ReplayRelay(link.client, keys, () => this.startOver(), log) : undefined;
    let first = true;
    this.unlisten = link.onReady(() => {
      if (!first) this.recheck = true;
      first = false;
    });
  }

  readiness(): ClusterReadiness {
    const detail = {
      role: 'ingest',
      ingest: this.state,
      redis: this.link.connected ? 'connected' : 'disconnected',
      publishedGeneration: this.publisher.through,
    };
    if (!this.link.connected) return { ready: false, status: 'redis disconnected', detail };
    if (this.state !== 'active') return { ready: false, status: `ingest ${this.state}`, detail };
    return { ready: true, status: 'ready', detail };
  }

  get redisConnected(): boolean {
    return this.link.connected;
  }

  get redisDisconnects(): number {
    return this.link.disconnects;
  }

  /** A method rather than a comparison so TypeScript does not carry a narrowed state across awaits. */
  private get stopped(): boolean {
    return this.state === 'stopped';
  }

  start(): void {
    void this.takeOver();
  }

  /** Waits for the lease, restores the market from Redis, starts the feed and the flush clock. */
  private async takeOver(): Promise<void> {
    let waitingLogged = false;
    for (;;) {
      if (this.stopped) return;
      try {
        await this.link.ready();
        if (this.stopped) return;
        if (await this.lease.hold()) break;
        if (this.state !== 'standby') this.state = 'standby';
        if (!waitingLogged) this.log.info({ holder: await this.lease.holder() }, 'another ingest holds the publishing lease: standing by');
        waitingLogged = true;
      } catch (error) {
        this.log.debug({ err: error }, 'taking the lease failed; retrying');
      }
      await sleep(INGEST_LEASE_MS / 5);
    }
    let resumeFrom = Number.NEGATIVE_INFINITY;
    try {
      resumeFrom = await this.restore();
    } catch (error) {
      // Taking over is retried from the start: nothing has been published or started yet.
      this.restoreFailures++;
      this.restoreProblems.report(String(error), { err: error }, 'restoring the market from Redis failed; retrying');
      await sleep(INGEST_LEASE_MS / 5);
      return this.takeOver();
    }
    this.restoreProblems.cleared();
    if (this.stopped) return;
    this.state = 'active';
    this.recheck = false;
    this.leaseTimer = setInterval(() => void this.renew(), INGEST_LEASE_MS / 5);
    // The hub's clock (flushes at least an interval apart by the wall clock): a record carries its flush's
    // time, and gateways stamp their frames with it, so maxRate spacing holds on every gateway as here.
    const clock = { intervalMs: this.options.flushIntervalMs, maxBusyPercent: this.options.maxFlushBusyPercent };
    this.flushClock = startFlushClock(clock, (now) => this.flush(now));
    this.options.startFeed(resumeFrom);
    this.announce();
    this.log.info({ ingest: this.id, dataset: this.dataset, restoredSymbols: this.restoredSymbols }, 'publishing to Redis');
  }

  /**
   * Loads what Redis holds into the market (when anything) and claims the meta hash. Symbols Redis holds
   * unreadably (or not at all) are published again whole with the first publish, what could not be read
   * cleared first. Returns the newest restored event time.
   */
  private async restore(): Promise<number> {
    const meta = await this.readOwnMeta();
    let resumeFrom = Number.NEGATIVE_INFINITY;
    if (meta !== undefined && this.options.replaying) {
      // A replay plays from its start: Redis's market is replaced, and meta keeps its dataset until the
      // first publish switches it (with the state it names: gateways resyncing meanwhile load the old one).
      this.dataset = meta.dataset;
      this.market.flush();
      this.publisher.forget();
      await this.writeMeta(meta.gen);
      this.startOver();
      return resumeFrom;
    }
    let restored: Restored | undefined;
    if (meta !== undefined) {
      this.dataset = meta.dataset;
      // The feed describes its symbols; Redis only those first seen in ticks.
      restored = await restoreMarket(this.link.client, this.keys, this.market, this.log, { keepInstruments: true });
      this.restoredSymbols = restored.symbols;
      resumeFrom = restored.resumeFrom;
    }
    const { gen } = this.market.flush();
    // What was restored is what Redis holds; an empty start publishes every instrument first.
    if (restored === undefined) {
      this.publisher.forget();
    } else {
      const complete = restored.complete;
      const missing = new Set([...this.market.all()].map((state) => state.symbol).filter((symbol) => !complete.has(symbol)));
      this.publisher.markPublished(gen, missing);
      if (missing.size > 0) {
        const { unreadable, redescribed } = restored;
        this.log.info({ symbols: missing.size, unreadable: unreadable.length, redescribed: redescribed.length }, 'publishing again whole the symbols Redis holds unreadably, not at all, or described otherwise than the feed does');
      }
    }
    await this.writeMeta(this.publisher.through);
    // Last, so that a takeover failing before reads the same values again.
    if (restored !== undefined) await clearUnreadable(this.link.client, this.keys, restored.unreadable, restored.redescribed);
    return resumeFrom;
  }

  /** The market starts over (a replay rewound, or began again): the next publish replaces all of it under a new dataset. */
  private startOver(): void {
    this.dataset = randomUUID();
    this.publisher.startOver(this.dataset);
  }

  /**
   * The `meta` hash, or undefined when Redis holds no usable market: none published, or a meta that cannot
   * be read (logged with CLUSTER_RECORD_INVALID, its key and field, once however often a failed takeover
   * reads it again). The state keys it would describe are not trusted then: the caller publishes everything
   * again, and writeMeta replaces the unreadable hash.
   */
  private async readOwnMeta(): Promise<ClusterMeta | undefined> {
    return (await this.metaReader.read()) ?? undefined;
  }

  private async writeMeta(gen: number): Promise<void> {
    const meta: ClusterMeta = { ingest: this.id, gen, dataset: this.dataset, feed: this.options.feed, flushMs: this.options.flushIntervalMs };
    if (this.metaReader.fault !== undefined) {
      // Not a hash, or one with fields of its own: replaced whole.
      await this.link.client.multi().del(this.keys.meta).hset(this.keys.meta, metaFields(meta)).exec();
      this.metaReader.cleared();
    } else {
      await this.link.client.hset(this.keys.meta, metaFields(meta));
    }
  }

  /** After a reconnection or a failed publish: is the lease still ours, and what does Redis hold of our market? */
  private async check(): Promise<boolean> {
    if (!(await this.lease.hold())) {
      this.lose();
      return false;
    }
    const meta = await this.metaReader.read();
    if (meta === null || meta === undefined || meta.ingest !== this.id) {
      // An unreadable meta (null) was reported by the reader, with its key and what is done about it.
      if (meta !== null) this.log.warn('Redis no longer holds this market (restarted without its data, or its keys deleted?): publishing all of it');
      this.publisher.forget();
      await this.writeMeta(-1);
      this.announce();
    } else if (meta.gen < this.publisher.through) {
      // Redis came back from a snapshot older than what we had written: publish again from there.
      this.publisher.through = meta.gen;
    }
    this.recheck = false;
    return true;
  }

  /** The next record carries the replay's state and the feed's status as they stand: Redis has neither (yet). */
  private announce(): void {
    this.replay?.announce();
    this.options.feedStatus?.announce();
  }

  /** What the next record carries besides the market; handed back with `unpublished()` if publishing fails. */
  private takeNews(): RecordNews {
    return { replay: this.replay?.take(), feed: this.options.feedStatus?.take() };
  }

  private unpublished(news: RecordNews): void {
    if (news.replay !== undefined) this.replay?.unpublished(news.replay);
    if (news.feed !== undefined) this.options.feedStatus?.unpublished(news.feed);
  }

  private lose(): void {
    if (this.state !== 'active') return;
    this.state = 'lost';
    this.flushClock?.stop();
    clearInterval(this.leaseTimer);
    this.log.error('another ingest took over the publishing lease: this one stopped publishing (restart it to stand by)');
    void this.options.stopFeed();
  }

  private async renew(): Promise<void> {
    if (this.state !== 'active' || !this.link.connected) return;
    try {
      if (!(await this.lease.hold())) this.lose();
    } catch {
      // Connection trouble: the link reconnects and the next flush checks again.
    }
  }

  /** Every flush interval: close a generation and publish it, unless a publish is still under way (the next one then carries both). */
  private flush(now: number): void {
    const { gen } = this.market.flush();
    if (this.busy || !this.link.connected || this.state !== 'active') return;
    // A replaying ingest checks its controls every flush all the same.
    if (!this.recheck && this.replay === undefined && !this.worthPublishing()) return;
    this.busy = true;
    void this.publish(gen, now).finally(() => {
      this.busy = false;
    });
  }

  /** Something for a record to carry: changes, a replay's news, a live feed's status, or a heartbeat due. */
  private worthPublishing(): boolean {
    return (
      this.publisher.behind ||
      this.replay?.pending === true ||
      this.options.feedStatus?.pending === true ||
      Date.now() - this.publisher.lastPublishedAt >= INGEST_HEARTBEAT_MS
    );
  }

  private async publish(gen: number, time: number): Promise<void> {
    const started = performance.now();
    const replay = this.replay;
    let news: RecordNews | undefined;
    try {
      if (this.recheck && !(await this.check())) return;
      await replay?.takeControls();
      if (!this.worthPublishing()) return;
      news = this.takeNews();
      await this.publisher.publish(gen, this.dataset, time, news);
      this.publishProblems.cleared();
      if (news.replay !== undefined) await replay?.stored(news.replay);
      this.options.observePublish?.((performance.now() - started) / 1000);
    } catch (error) {
      if (news !== undefined) this.unpublished(news);
      this.publishFailures++;
      this.recheck = true;
      // A lease key of another type: the check at the next flush replaces it and says so (IngestLease).
      if (isLeaseOfAnotherType(error)) this.log.debug({ key: this.keys.lease }, 'publish refused: the lease key holds another type; checking');
      else if (isNotLeader(error)) this.log.warn('publish refused: the lease is not ours; checking');
      // A meta of another type (nothing written): the check at the next flush reads it, warns once naming the
      // key and what is done (MetaReader), replaces it and publishes everything again.
      else if (error instanceof UnwritableKey) this.log.debug({ err: error, key: error.key }, 'publish refused: meta holds another type; checking');
      else this.publishProblems.report(String(error), { err: error }, 'publishing to Redis failed; the next flush publishes everything since');
    }
  }

  /** Publishes what is left, gives the lease up (a standby takes over at once) and stops. */
  async stop(): Promise<void> {
    const wasActive = this.state === 'active';
    this.state = 'stopped';
    this.flushClock?.stop();
    clearInterval(this.leaseTimer);
    this.unlisten();
    await this.options.stopFeed();
    if (!wasActive || !this.link.connected) return;
    while (this.busy) await sleep(5);
    try {
      if (this.recheck) await this.check();
      await this.publisher.publish(this.market.flush().gen, this.dataset, Date.now(), this.takeNews());
      await this.lease.release();
    } catch (error) {
      this.log.warn({ err: error }, 'final publish to Redis failed');
    }
  }
}
