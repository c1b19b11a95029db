/**
 * What the ingest writes to Redis and gateways read back, as MessagePack (the protocol's codec). Entries are
 * the protocol's symbol entries (docs/protocol.md#symbol-entries): absolute values, bars complete, so a
 * record applied twice is harmless and a record applied after a newer state is overtaken by the records
 * that follow it.
 */
import type { FastifyBaseLogger } from 'fastify';
import { decodeBinary, packPrepared } from '../../client/protocol/codec.js';
import {
  REPLAY_ACTIONS,
  type Bar,
  type FeedStatusMessage,
  type ReplayMessage,
  type ReplayRequest,
  type SymbolEntry,
  type VenueLinkState,
} from '../../client/protocol/messages.js';
import type { FeedInfo, Instrument } from '../../feeds/tick.js';

/** Bumped on any incompatible change; a gateway refuses records of another version (and says so). */
export const RECORD_VERSION = 2;

/** One symbol's change: its entry with the changed 1 s bars, and the 1 min bars that changed with them. */
export interface PublishedEntry {
  readonly e: SymbolEntry;
  readonly m?: readonly Bar[];
}

/** One ingest flush, as one stream entry (`seq` beside it is the stream's own sequence number). */
export interface FlushRecord {
  readonly v: typeof RECORD_VERSION;
  /** The publishing ingest's id. */
  readonly ingest: string;
  /**
   * The market's identity: it changes when the market starts over (an ingest with nothing to restore, a
   * replay going back in time). A gateway seeing another one rebuilds its replica from scratch.
   */
  readonly dataset: string;
  /** One part of a publish too large for one record; the part completing it lacks this. */
  readonly more?: true;
  /** The ingest generation through which this record (with those before it) completes the state. */
  readonly gen: number;
  /**
   * The ingest's clock at the flush (ms): gateways stamp the frames they send for it with this time (so
   * maxRate spacing is the ingest's, whatever the delivery jitter) and measure their lag from it.
   */
  readonly time: number;
  readonly entries: readonly PublishedEntry[];
  /** Instruments of symbols first published in this record. */
  readonly instruments?: readonly Instrument[];
  /** A replaying ingest's replay state, when it changed (as the protocol's `replay` message, no id). */
  readonly replay?: ReplayMessage;
  /** Replay control requests (their ids, given by the gateways that forwarded them) carried out since the last record. */
  readonly answers?: readonly string[];
  /** A live feed's status, when it changed (the protocol's `feed` message, stamped with the ingest's clock). */
  readonly feed?: FeedStatusMessage;
}

/** The `meta` hash, as read: who publishes, how far the state keys go, and what the feed is. */
export interface ClusterMeta {
  readonly ingest: string;
  /** The ingest generation through which the state keys are complete. */
  readonly gen: number;
  /** Changes whenever an ingest starts over with nothing to restore: replicas from before do not apply. */
  readonly dataset: string;
  readonly feed: FeedInfo;
  readonly flushMs: number;
}

/** A replay control request a gateway forwards to the ingest: `c` names it for the answer (FlushRecord.answers). */
export interface ForwardedControl {
  readonly c: string;
  readonly r: ReplayRequest;
}

export class RecordError extends Error {
  readonly code = 'CLUSTER_RECORD_INVALID';
}

/** How a key's content was found lost by a script that writes it: held another type (replaced), or gone. */
export type LostKey = 'another type' | 'missing';

/**
 * Logs, once per key found, that a script found `key`'s content lost and what is done about it
 * (`remedy`): the ingest's publish (Publisher) and the replaying ingest's control pop (ReplayRelay).
 */
export function logLostKey(log: FastifyBaseLogger, key: string, lost: LostKey, remedy: string): void {
  const missing = lost === 'missing';
  const err = new RecordError(missing ? 'the key was missing though this ingest had written it (deleted?)' : 'the key held another type of value than tickertape writes there');
  log.warn({ err, key }, `${missing ? 'found a key missing' : 'replaced a key of another type'} in Redis: ${remedy}`);
}

/** A stored value that could not be read, as a reader reports it before going on without it. */
export interface Unreadable {
  /** The Redis key holding it. */
  readonly key: string;
  /** The symbol it belongs to, when known (a `symbols` field, a bar key's symbol). */
  readonly symbol?: string;
  readonly error: RecordError;
  /** The unreadable values as stored (sorted-set members, or a hash field's value); absent when the key itself is (another type). */
  readonly values?: readonly Buffer[];
}

export function encodeRecord(record: FlushRecord): Uint8Array {
  return packPrepared(record);
}

export function encodeValue(value: SymbolEntry | Instrument | Bar | ReplayMessage | ForwardedControl | FeedStatusMessage): Uint8Array {
  return packPrepared(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEntry(value: unknown): value is SymbolEntry {
  return isObject(value) && typeof value['s'] === 'string';
}

function isBar(value: unknown): value is Bar {
  return Array.isArray(value) && value.length === 6 && value.every((item) => typeof item === 'number');
}

function isBars(value: unknown): value is Bar[] {
  return Array.isArray(value) && value.every(isBar);
}

/** MessagePack bytes from Redis, decoded; throws RecordError naming `what` when they are not MessagePack. */
function decodeStored(bytes: Uint8Array, what: string): unknown {
  try {
    return decodeBinary(bytes);
  } catch (error) {
    throw new RecordError(`${what} is not MessagePack: ${(error as Error).message}`);
  }
}

/** Decodes one flush record, checking the shape a gateway relies on. Throws RecordError. */
export function decodeRecord(bytes: Uint8Array): FlushRecord {
  const value = decodeStored(bytes, 'flush record');
  if (!isObject(value)) throw new RecordError('flush record is not a map');
  if (value['v'] !== RECORD_VERSION) throw new RecordError(`flush record version ${String(value['v'])}, this gateway reads ${RECORD_VERSION}: run the same tickertape version everywhere`);
  const { entries, instruments } = value;
  if (typeof value['ingest'] !== 'string' || typeof value['dataset'] !== 'string' || typeof value['gen'] !== 'number' || typeof value['time'] !== 'number' || !Array.isArray(entries)) {
    throw new RecordError('flush record lacks ingest, dataset, gen, time or entries');
  }
  const { replay, answers } = value;
  if (replay !== undefined && !isReplayState(replay)) throw new RecordError('flush record holds a malformed replay state');
  if (answers !== undefined && !(Array.isArray(answers) && answers.every((id) => typeof id === 'string'))) throw new RecordError('flush record holds malformed answers');
  if (value['feed'] !== undefined && !isFeedStatus(value['feed'])) throw new RecordError('flush record holds a malformed feed status');
  for (const item of entries) {
    if (!isObject(item) || !isEntry(item['e']) || (item['e'].k !== undefined && !isBars(item['e'].k)) || (item['m'] !== undefined && !isBars(item['m']))) {
      throw new RecordError('flush record holds a malformed entry');
    }
  }
  if (instruments !== undefined && !(Array.isArray(instruments) && instruments.every((item) => isObject(item) && typeof item['symbol'] === 'string'))) {
    throw new RecordError('flush record holds malformed instruments');
  }
  return value as unknown as FlushRecord;
}

function isReplayState(value: unknown): value is ReplayMessage {
  return isObject(value) && value['type'] === 'replay' && typeof value['state'] === 'string';
}

/** A stored replay state (the `replay` key). Throws RecordError. */
export function decodeReplayState(bytes: Uint8Array): ReplayMessage {
  const value = decodeStored(bytes, 'stored replay state');
  if (!isReplayState(value)) throw new RecordError('stored replay state is malformed');
  return value;
}

/** What each field of a map must be; a field that may be absent checks `undefined` too. */
type Fields = Readonly<Record<string, (value: unknown) => boolean>>;

function hasFields(value: unknown, fields: Fields): boolean {
  return isObject(value) && Object.entries(fields).every(([name, check]) => check(value[name]));
}

const isString = (value: unknown): boolean => typeof value === 'string';
const isNumber = (value: unknown): boolean => typeof value === 'number';
const optional =
  (check: (value: unknown) => boolean) =>
  (value: unknown): boolean =>
    value === undefined || check(value);
const listOf =
  (fields: Fields) =>
  (value: unknown): boolean =>
    Array.isArray(value) && value.every((item) => hasFields(item, fields));

/** Every state a venue's connection can be in (a record, so a new state in the protocol fails to compile here). */
const VENUE_LINK_STATES: Readonly<Record<VenueLinkState, true>> = { connecting: true, subscribing: true, live: true, waiting: true, stopped: true };

/** All of a `feed` message: a gateway sends it to its clients as it is. */
const FEED_STATUS: Fields = {
  type: (value) => value === 'feed',
  time: isNumber,
  venues: listOf({
    venue: isString,
    state: (value) => typeof value === 'string' && Object.hasOwn(VENUE_LINK_STATES, value),
    since: isNumber,
    reconnects: isNumber,
    replacements: isNumber,
    error: optional(isString),
  }),
  symbols: listOf({ s: isString, stale: (value) => typeof value === 'boolean', gaps: isNumber, missed: isNumber, gapAt: optional(isNumber) }),
};

function isFeedStatus(value: unknown): value is FeedStatusMessage {
  return hasFields(value, FEED_STATUS);
}

/** A stored feed status (the `feed-status` key). Throws RecordError. */
export function decodeFeedStatus(bytes: Uint8Array): FeedStatusMessage {
  const value = decodeStored(bytes, 'stored feed status');
  if (!isFeedStatus(value)) throw new RecordError('stored feed status is malformed');
  return value;
}

/** A forwarded control request, as the ingest pops it. Throws RecordError. */
export function decodeControl(bytes: Uint8Array): ForwardedControl {
  const value = decodeStored(bytes, 'replay control');
  const request = isObject(value) ? value['r'] : undefined;
  if (!isObject(value) || typeof value['c'] !== 'string' || !isObject(request) || request['type'] !== 'replay' || !(REPLAY_ACTIONS as readonly unknown[]).includes(request['action'])) {
    throw new RecordError('replay control is malformed');
  }
  return value as unknown as ForwardedControl;
}

/** A stored symbol entry (a `symbols` field). Throws RecordError, as do the decoders below. */
export function decodeEntry(bytes: Uint8Array): SymbolEntry {
  const value = decodeStored(bytes, 'stored symbol entry');
  if (!isEntry(value)) throw new RecordError('stored symbol entry is malformed');
  return value;
}

export function decodeInstrument(bytes: Uint8Array): Instrument {
  const value = decodeStored(bytes, 'stored instrument');
  if (!isObject(value) || typeof value['symbol'] !== 'string' || typeof value['name'] !== 'string') throw new RecordError('stored instrument is malformed');
  return value as unknown as Instrument;
}

export function decodeBar(bytes: Uint8Array): Bar {
  const value = decodeStored(bytes, 'stored bar');
  if (!isBar(value)) throw new RecordError('stored bar is malformed');
  return value;
}

/** A `meta` hash that is there but cannot be read: `field` names the field at fault (undefined: the key itself). */
export class MetaError extends RecordError {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const FEED_KINDS: Readonly<Record<FeedInfo['kind'], true>> = { simulated: true, replay: true, live: true };

/**
 * Reads the `meta` hash (HGETALL): undefined when it is missing (nothing was published yet). Throws
 * MetaError, naming the field, when it is there but not as an ingest writes it (all fields in one HSET).
 */
export function parseMeta(hash: Readonly<Record<string, string>>): ClusterMeta | undefined {
  if (Object.keys(hash).length === 0) return undefined;
  const { ingest, gen, dataset, feedKind, feedDescription, flushMs } = hash;
  const text = (name: string, value: string | undefined): string => {
    if (value === undefined || value === '') throw new MetaError(`meta lacks ${name}`, name);
    return value;
  };
  const number = (name: string, value: string | undefined, valid: (number: number) => boolean, what: string): number => {
    const parsed = Number(text(name, value));
    if (!valid(parsed)) throw new MetaError(`meta's ${name} is not ${what}: ${JSON.stringify(value)}`, name);
    return parsed;
  };
  const kind = text('feedKind', feedKind);
  if (!Object.hasOwn(FEED_KINDS, kind)) throw new MetaError(`meta's feedKind is not a feed kind: ${JSON.stringify(kind)}`, 'feedKind');
  return {
    ingest: text('ingest', ingest),
    gen: number('gen', gen, Number.isSafeInteger, 'an integer'),
    dataset: text('dataset', dataset),
    feed: { kind: kind as FeedInfo['kind'], description: feedDescription ?? '' },
    flushMs: number('flushMs', flushMs, (parsed) => parsed > 0 && Number.isFinite(parsed), 'a positive number'),
  };
}

/** The `meta` hash's fields, for HSET. */
export function metaFields(meta: ClusterMeta): Record<string, string> {
  return {
    ingest: meta.ingest,
    gen: String(meta.gen),
    dataset: meta.dataset,
    feedKind: meta.feed.kind,
    feedDescription: meta.feed.description,
    flushMs: String(meta.flushMs),
  };
}
