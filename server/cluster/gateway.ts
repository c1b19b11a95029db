import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { FeedStatusMessage, ReplayMessage } from '../../client/protocol/messages.js';
import type { FeedInfo } from '../../feeds/tick.js';
import type { ReplayControl } from '../hub/hub.js';
import type { FeedSource, FeedState } from '../market/feed-runner.js';
import type { Market } from '../market/market.js';
import { INGEST_SILENT_AFTER_MS, REDIS_READ_BATCH_ENTRIES, REDIS_READ_BLOCK_MS } from './config.js';
import type { ClusterKeys } from './keys.js';
import { MetaReader } from './meta-reader.js';
import { RecordError, decodeFeedStatus, decodeRecord, decodeReplayState, type ClusterMeta, type FlushRecord } from './records.js';
import type { RedisLink } from './redis-link.js';
import { RemoteReplay } from './remote-replay.js';
import { restoreMarket } from './restore.js';
import { parseXread, readTail, readValue, type StreamEntry, type StreamPosition } from './stored-state.js';
import type { ClusterReadiness, ClusterStatus } from './status.js';

/** Why a gateway reloaded the state keys instead of reading on in the stream. */
export const RESYNC_REASONS = ['start', 'redis', 'gap', 'invalid'] as const;
export type ResyncReason = (typeof RESYNC_REASONS)[number];

export type GatewayState = 'connecting' | 'syncing' | 'following' | 'stopped';

/** Pause before trying again after a failure that is not the link's (a malformed record, nothing published yet). */
const RETRY_PAUSE_MS = 250;
/** A resync waits this long, this many times at most, for a publish split in parts to be complete. */
const PARTS_PAUSE_MS = 20;
const PARTS_WAITS = 50;

const NOT_SYNCED: FeedInfo = { kind: 'live', description: 'waiting for the ingest (Redis)' };

export interface GatewayCounters {
  records: number;
  entries: number;
  resyncs: Record<ResyncReason, number>;
}

/** A flush record that does not follow the last one applied: something was missed. */
class StreamGap extends Error {}

/** Where a gateway sends what it applied: the hub (gateway-plugin.ts). */
export interface GatewayOutlet {
  /** Closes a market generation and fans it out in frames stamped `now` (ms). */
  fanOut(now: number): void;
  /** The market was swapped for a rebuilt one: close a generation and send every connection fresh snapshots. */
  resync(): void;
  /** Tells every connection (a replay's state). */
  broadcast(message: ReplayMessage): void;
  /** The replay controls the hub answers with; undefined when the ingest does not replay. */
  replayControl(control: ReplayControl | undefined): void;
  /**
   * A live feed's new status: every greeting carries it from now on, and every connection is told it.
   * Undefined: the feed has none (it is not live); greetings carry none, nobody is told.
   */
  feedStatus(message: FeedStatusMessage | undefined): void;
}

/**
 * The gateway role (docs/deploy.md): keeps a replica of the ingest's market, fed by the flush records on
 * the Redis stream, and flushes the hub once per record read (a backlog read at once is applied at once
 * and flushed once), so clients get exactly the coalescing, slow-client and maxRate rules of a single
 * process. It catches up from the state keys before serving: at start, after the link to Redis came back,
 * and when the stream skipped records it needed (it fell further behind than the stream keeps).
 */
export class Gateway implements ClusterStatus, FeedSource {
  phase: GatewayState = 'connecting';
  /** Loaded the market from Redis at least once: from then on it serves, even while resyncing. */
  synced = false;
  meta: ClusterMeta | undefined;
  /** The last record applied. */
  position: StreamPosition | undefined;
  /** Local clock when the last record arrived, and how long after its publication (ms). */
  lastRecordAt = 0;
  lagMs = 0;
  /** How long the last resync took, from starting to read the state keys to the flush that sent it (ms). */
  lastResyncMs = 0;
  /** Time of the newest record applied, and of the last frames sent (ms, the ingest's clock). */
  private recordTime = 0;
  private stampedAt = 0;
  /** The market's identity (FlushRecord.dataset) the replica follows. */
  private dataset: string | undefined;
  /** A replica being built off to the side: the market started over, and its publish is not complete yet. */
  private rebuilding: Market | undefined;
  /** The replica was swapped for a rebuilt one since the last flush. */
  private swapped = false;
  private replay: RemoteReplay | undefined;
  private replayNews: { state: ReplayMessage | undefined; answers: string[] } = { state: undefined, answers: [] };
  /** A live feed's status, as the ingest published it, not yet handed to the hub. */
  private feedNews: FeedStatusMessage | undefined;
  private readonly id = randomUUID();
  /** The `meta` hash, its problems reported once each. */
  private readonly metaReader: MetaReader;
  /** The ingest that published the last record applied, and the last one meta was read again for. */
  private lastIngest: string | undefined;
  private metaReadFor: string | undefined;
  readonly counters: GatewayCounters = { records: 0, entries: 0, resyncs: { start: 0, redis: 0, gap: 0, invalid: 0 } };
  private seenDisconnects = 0;
  /**
   * Times Redis was lost: a connection dropping while both were up starts an outage, which lasts until both
   * are ready again. One Redis restart drops both connections, and is one outage (one resync follows).
   */
  private outages = 0;
  private inOutage = false;

  constructor(
    private readonly link: RedisLink,
    /** A second connection for the blocking stream reads. */
    private readonly reader: RedisLink,
    private readonly keys: ClusterKeys,
    private readonly market: Market,
    private readonly outlet: GatewayOutlet,
    private readonly log: FastifyBaseLogger,
  ) {
    for (const connection of [link, reader]) {
      connection.onLost(() => {
        if (!this.inOutage) this.outages++;
        this.inOutage = true;
      });
      connection.onReady(() => {
        if (link.connected && reader.connected) this.inOutage = false;
      });
    }
    this.metaReader = new MetaReader(link.client, keys, log, { level: 'error', message: 'unreadable meta in Redis: not serving until the ingest writes it again (retrying)' });
  }

  get state(): FeedState {
    if (this.phase === 'stopped') return 'stopped';
    return this.synced ? 'running' : 'idle';
  }

  get info(): FeedInfo {
    return this.meta?.feed ?? NOT_SYNCED;
  }

  get redisConnected(): boolean {
    return this.link.connected && this.reader.connected;
  }

  /** Outages of Redis (not of each connection: the gateway has two). */
  get redisDisconnects(): number {
    return this.outages;
  }

  /** Whether the ingest has been silent longer than INGEST_SILENT_AFTER_MS (it publishes at least every second). */
  get ingestSilent(): boolean {
    return Date.now() - this.lastRecordAt > INGEST_SILENT_AFTER_MS;
  }

  readiness(): ClusterReadiness {
    const detail = {
      role: 'gateway',
      gateway: this.phase,
      redis: this.redisConnected ? 'connected' : 'disconnected',
      seq: this.position?.seq,
      lagMs: this.lagMs,
      ingest: this.lastRecordAt === 0 ? 'unheard' : this.ingestSilent ? `silent for ${Math.round((Date.now() - this.lastRecordAt) / 1000)} s` : 'live',
    };
    if (!this.redisConnected) return { ready: false, status: 'redis disconnected', detail };
    const fault = this.metaReader.fault;
    if (fault !== undefined) return { ready: false, status: 'unreadable meta in Redis', detail: { ...detail, meta: fault.message, metaField: fault.field } };
    if (this.phase !== 'following') return { ready: false, status: this.synced ? 'resyncing' : 'loading the market from Redis', detail };
    return { ready: true, status: 'ready', detail };
  }

  start(): void {
    void this.run();
  }

  stop(): void {
    this.phase = 'stopped';
    this.replay?.stop();
  }

  private get stopped(): boolean {
    return this.phase === 'stopped';
  }

  private async run(): Promise<void> {
    let resync: ResyncReason | undefined = 'start';
    while (!this.stopped) {
      try {
        await this.link.ready();
        await this.reader.ready();
        if (this.stopped) return;
        if (this.redisDisconnects !== this.seenDisconnects) resync ??= 'redis';
        if (resync !== undefined) {
          const reason: ResyncReason = resync;
          if (!(await this.resync(reason))) {
            await sleep(RETRY_PAUSE_MS);
            continue;
          }
          resync = undefined;
        }
        resync = await this.followIngest();
        if (resync !== undefined) continue;
        const reply = await this.reader.client.callBuffer('XREAD', 'COUNT', REDIS_READ_BATCH_ENTRIES, 'BLOCK', REDIS_READ_BLOCK_MS, 'STREAMS', this.keys.updates, this.position?.id ?? '0-0');
        const entries = parseXread(reply);
        if (entries.length === 0) continue;
        try {
          this.applyAll(entries);
        } finally {
          // Whatever was applied goes out, even when a gap follows it: it is newer than what clients hold.
          this.flush();
        }
      } catch (error) {
        if (this.stopped) return;
        if (error instanceof StreamGap) {
          this.log.warn({ reason: error.message }, 'the update stream skipped records: reloading the market from Redis');
          resync = 'gap';
        } else if (error instanceof RecordError) {
          this.log.error({ err: error }, 'unreadable record on the update stream: reloading the market from Redis');
          resync = 'invalid';
          await sleep(RETRY_PAUSE_MS);
        } else {
          // The link failed (it reconnects by itself); reload once it is back.
          this.log.debug({ err: error }, 'reading the update stream failed');
          resync = 'redis';
          if (this.redisConnected) await sleep(RETRY_PAUSE_MS);
        }
      }
    }
  }

  /**
   * Reloads the replica from the state keys, then applies the records published meanwhile, then flushes
   * once: clients see one update with what changed while this gateway was away. The stream position is
   * read before the state, so the records after it overlap the state rather than leave a hole (records
   * are absolute; applied in order, the newest value wins). Returns false when there is nothing to load
   * yet (no ingest has published to this Redis).
   */
  private async resync(reason: ResyncReason): Promise<boolean> {
    this.phase = 'syncing';
    this.seenDisconnects = this.redisDisconnects;
    const started = performance.now();
    const tail = await this.completeTail();
    const meta = await this.metaReader.read();
    if (meta === null) return false;
    if (meta === undefined) {
      if (reason === 'start' || this.counters.resyncs[reason] === 0) this.log.info('nothing published to Redis yet: waiting for the ingest');
      return false;
    }
    // Another market than the replica's (a replay went back in time meanwhile, an ingest started over):
    // load it off to the side and swap it in whole, so nothing of the old one stays.
    const fresh = this.rebuilding !== undefined || (this.dataset !== undefined && meta.dataset !== this.dataset);
    if (fresh) this.log.info({ from: this.dataset, to: meta.dataset }, 'the market started over: rebuilding the replica');
    const target = fresh ? this.market.emptyLike() : this.market;
    this.rebuilding = undefined;
    const restored = await restoreMarket(this.link.client, this.keys, target, this.log);
    if (fresh) {
      this.market.adopt(target);
      this.swapped = true;
    }
    this.dataset = meta.dataset;
    const replayState = meta.feed.kind === 'replay' ? await this.readKey(this.keys.replay, decodeReplayState, 'unreadable replay state in Redis: replay controls wait for the ingest to publish the next') : null;
    const feedStatus = meta.feed.kind === 'live' ? await this.readKey(this.keys.feedStatus, decodeFeedStatus, 'unreadable feed status in Redis: clients get none until the ingest publishes the next') : null;
    this.position = tail === undefined ? { id: '0-0', seq: 0 } : { id: tail.id, seq: tail.seq };
    this.followReplay(replayState);
    this.followFeedStatus(feedStatus);
    for (;;) {
      const reply = await this.link.client.callBuffer('XREAD', 'COUNT', REDIS_READ_BATCH_ENTRIES, 'STREAMS', this.keys.updates, this.position.id);
      const entries = parseXread(reply);
      this.applyAll(entries);
      if (entries.length < REDIS_READ_BATCH_ENTRIES) break;
    }
    this.meta = meta;
    this.flush();
    this.counters.resyncs[reason]++;
    this.synced = true;
    this.phase = 'following';
    this.lastResyncMs = performance.now() - started;
    this.log.info({ reason, symbols: restored.symbols, unreadable: restored.unreadable.length, seq: this.position.seq, ms: Math.round(this.lastResyncMs) }, 'market loaded from Redis');
    return true;
  }

  /**
   * After records from another ingest than meta names (one took over): meta read again, as that ingest wrote
   * it before publishing. A feed of another kind takes effect at once: a live feed's status stops being told
   * (greetings carry none) when the feed is no longer live, as do the replay controls when it no longer
   * replays. Returns 'invalid' when meta is unreadable: the resync reports it and retries.
   */
  private async followIngest(): Promise<ResyncReason | undefined> {
    const ingest = this.lastIngest;
    if (this.meta === undefined || ingest === undefined || ingest === this.meta.ingest || ingest === this.metaReadFor) return undefined;
    this.metaReadFor = ingest;
    const meta = await this.metaReader.read();
    if (meta === null) return 'invalid';
    if (meta === undefined) return undefined;
    const was = this.meta.feed.kind;
    this.meta = meta;
    if (meta.feed.kind === was) return undefined;
    this.log.info({ from: was, to: meta.feed.kind, ingest: meta.ingest }, 'the feed changed kind');
    if (meta.feed.kind !== 'live') this.followFeedStatus(null);
    if (meta.feed.kind !== 'replay') this.followReplay(null);
    return undefined;
  }

  /**
   * The stream's newest entry, once it completes a publish: the state keys are then in step with it (a
   * publish split in parts changes them part by part). Waits a little for the last part if need be.
   */
  private async completeTail(): Promise<StreamPosition | undefined> {
    for (let waits = 0; ; waits++) {
      const tail = await readTail(this.link.client, this.keys);
      if (tail === undefined || waits >= PARTS_WAITS || decodeRecord(tail.record).more !== true) return tail;
      await sleep(PARTS_PAUSE_MS);
    }
  }

  /**
   * Takes the replay state read at a resync: the hub answers replay requests from now on (or stops, if
   * none). An unreadable one (undefined, reported by readKey) changes nothing: the market is served all
   * the same, the replay controls stay as they were (none, at a gateway's start), and the ingest's next
   * replay state sets them.
   */
  private followReplay(state: ReplayMessage | null | undefined): void {
    if (state === null) {
      this.replay?.stop();
      this.replay = undefined;
      this.outlet.replayControl(undefined);
    } else if (state !== undefined) {
      this.replayStarts(state);
    }
  }

  /** A replay state read or received: controls for the hub if this gateway had none, and news for its clients. */
  private replayStarts(state: ReplayMessage): void {
    if (this.replay === undefined) {
      this.replay = new RemoteReplay(state, this.id, this.link, this.keys, this.log);
      this.outlet.replayControl(this.replay);
    }
    this.replayNews.state = state;
  }

  /**
   * Takes the feed status read at a resync (the records after it, applied next, carry any newer one). An
   * unreadable one (undefined, reported by readKey) is skipped: the market is served all the same, and the
   * ingest's next status replaces it.
   */
  private followFeedStatus(status: FeedStatusMessage | null | undefined): void {
    if (status === null) this.outlet.feedStatus(undefined);
    this.feedNews = status ?? undefined;
  }

  /**
   * A state key's value, decoded: null when the key is absent, undefined when it is unreadable (not what
   * `decode` reads, or a key of another type), which is logged at error level (CLUSTER_RECORD_INVALID) as
   * `message`.
   */
  private async readKey<T>(key: string, decode: (bytes: Uint8Array) => T, message: string): Promise<T | null | undefined> {
    try {
      const stored = await readValue(this.link.client, key);
      return stored === null ? null : decode(stored);
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      this.log.error({ err: error, key }, message);
      return undefined;
    }
  }

  /** Applies stream entries in order; throws StreamGap at the first that does not follow the last applied. */
  private applyAll(entries: readonly StreamEntry[]): void {
    for (const entry of entries) {
      const expected = (this.position?.seq ?? 0) + 1;
      if (this.position !== undefined && this.position.seq !== 0 && entry.seq !== expected) {
        throw new StreamGap(`expected record ${expected}, read ${entry.seq}`);
      }
      this.apply(decodeRecord(entry.record));
      this.position = { id: entry.id, seq: entry.seq };
    }
  }

  /**
   * Fans out what was applied, stamped with the newest applied record's time (the ingest's flush clock),
   * never earlier than the frames before: the ingest spaces its flushes, so frames are spaced as its own.
   */
  private flush(): void {
    this.stampedAt = Math.max(this.stampedAt, this.recordTime > 0 ? this.recordTime : Date.now());
    const { state, answers } = this.replayNews;
    this.replayNews = { state: undefined, answers: [] };
    const feed = this.feedNews;
    this.feedNews = undefined;
    if (this.swapped) {
      // As a single process rewinds: the new replay state first, so the snapshots that follow replace.
      this.swapped = false;
      if (state !== undefined) this.outlet.broadcast(state);
      this.outlet.resync();
    } else {
      this.outlet.fanOut(this.stampedAt);
      if (state !== undefined) this.outlet.broadcast(state);
    }
    this.replay?.published(state, answers);
    // Told as it arrives, with no least interval of its own: the ingest's FeedStatusBroadcaster already
    // publishes at most one per FEED_STATUS_MIN_INTERVAL_MS, and a backlog read at once yields only its
    // newest; a second limit here would only hold the news back.
    if (feed !== undefined) this.outlet.feedStatus(feed);
  }

  private apply(record: FlushRecord): void {
    if (this.dataset !== undefined && record.dataset !== this.dataset) {
      // The market started over: its whole state follows, in this record and the parts after it.
      this.log.info({ from: this.dataset, to: record.dataset }, 'the market started over: rebuilding the replica');
      this.rebuilding = this.market.emptyLike();
    }
    this.dataset = record.dataset;
    this.lastIngest = record.ingest;
    const target = this.rebuilding ?? this.market;
    for (const instrument of record.instruments ?? []) target.applyEntry({ s: instrument.symbol }, undefined, instrument);
    for (const { e, m } of record.entries) target.applyEntry(e, m);
    if (this.rebuilding !== undefined && record.more !== true) {
      this.market.adopt(this.rebuilding);
      this.rebuilding = undefined;
      this.swapped = true;
    }
    if (record.replay !== undefined) this.replayStarts(record.replay);
    if (record.answers !== undefined) this.replayNews.answers.push(...record.answers);
    if (record.feed !== undefined) this.feedNews = record.feed;
    const now = Date.now();
    this.lastRecordAt = now;
    this.lagMs = Math.max(0, now - record.time);
    this.recordTime = Math.max(this.recordTime, record.time);
    this.counters.records++;
    this.counters.entries += record.entries.length;
  }
}
