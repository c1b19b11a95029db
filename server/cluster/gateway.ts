import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import type { FeedInfo } from '../../feeds/tick.js';
import type { FeedSource, FeedState } from '../market/feed-runner.js';
import type { Market } from '../market/market.js';
import { INGEST_SILENT_AFTER_MS, REDIS_READ_BATCH_ENTRIES, REDIS_READ_BLOCK_MS } from './config.js';
import type { ClusterKeys } from './keys.js';
import { RecordError, decodeRecord, type ClusterMeta, type FlushRecord } from './records.js';
import type { RedisLink } from './redis-link.js';
import { restoreMarket } from './restore.js';
import { parseXread, readMeta, readTail, type StreamEntry, type StreamPosition } from './stored-state.js';
import type { ClusterReadiness, ClusterStatus } from './status.js';

/** Why a gateway reloaded the state keys instead of reading on in the stream. */
export const RESYNC_REASONS = ['start', 'redis', 'gap', 'invalid'] as const;
export type ResyncReason = (typeof RESYNC_REASONS)[number];

export type GatewayState = 'connecting' | 'syncing' | 'following' | 'stopped';

/** Pause before trying again after a failure that is not the link's (a malformed record, nothing published yet). */
const RETRY_PAUSE_MS = 250;

const NOT_SYNCED: FeedInfo = { kind: 'live', description: 'waiting for the ingest (Redis)' };

export interface GatewayCounters {
  records: number;
  entries: number;
  resyncs: Record<ResyncReason, number>;
}

/** A flush record that does not follow the last one applied: something was missed. */
class StreamGap extends Error {}

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
  readonly counters: GatewayCounters = { records: 0, entries: 0, resyncs: { start: 0, redis: 0, gap: 0, invalid: 0 } };
  private seenDisconnects = 0;

  constructor(
    private readonly link: RedisLink,
    /** A second connection for the blocking stream reads. */
    private readonly reader: RedisLink,
    private readonly keys: ClusterKeys,
    private readonly market: Market,
    /** Closes a market generation and fans it out in frames stamped `now` (ms). */
    private readonly fanOut: (now: number) => void,
    private readonly log: FastifyBaseLogger,
  ) {}

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

  get redisDisconnects(): number {
    return this.link.disconnects + this.reader.disconnects;
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
    if (this.phase !== 'following') return { ready: false, status: this.synced ? 'resyncing' : 'loading the market from Redis', detail };
    return { ready: true, status: 'ready', detail };
  }

  start(): void {
    void this.run();
  }

  stop(): void {
    this.phase = 'stopped';
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
    const tail = await readTail(this.link.client, this.keys);
    const meta = await readMeta(this.link.client, this.keys);
    if (meta === undefined) {
      if (reason === 'start' || this.counters.resyncs[reason] === 0) this.log.info('nothing published to Redis yet: waiting for the ingest');
      return false;
    }
    if (this.meta !== undefined && meta.dataset !== this.meta.dataset) {
      this.log.warn({ from: this.meta.dataset, to: meta.dataset }, 'the ingest started over with a new market: symbols it no longer has keep their last state');
    }
    const restored = await restoreMarket(this.link.client, this.keys, this.market);
    this.position = tail ?? { id: '0-0', seq: 0 };
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
    this.log.info({ reason, symbols: restored.symbols, seq: this.position.seq, ms: Math.round(this.lastResyncMs) }, 'market loaded from Redis');
    return true;
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
    this.fanOut(this.stampedAt);
  }

  private apply(record: FlushRecord): void {
    for (const instrument of record.instruments ?? []) this.market.applyEntry({ s: instrument.symbol }, undefined, instrument);
    for (const { e, m } of record.entries) this.market.applyEntry(e, m);
    const now = Date.now();
    this.lastRecordAt = now;
    this.lagMs = Math.max(0, now - record.time);
    this.recordTime = Math.max(this.recordTime, record.time);
    this.counters.records++;
    this.counters.entries += record.entries.length;
  }
}
