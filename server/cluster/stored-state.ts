/**
 * Reading back what the ingest keeps in Redis: the stream's position, the meta hash, and every symbol's
 * state and bars, in chunks so a large market is never one huge reply. A gateway resyncs from this and an
 * ingest taking over restores its market from it.
 */
import type { Redis } from 'ioredis';
import type { Bar, SymbolEntry } from '../../client/protocol/messages.js';
import type { Instrument } from '../../feeds/tick.js';
import { RESYNC_SYMBOLS_PER_READ } from './config.js';
import type { ClusterKeys } from './keys.js';
import { MetaError, RecordError, decodeBar, decodeEntry, decodeInstrument, parseMeta, type ClusterMeta, type Unreadable } from './records.js';

/** A place in the update stream: the entry's id and the sequence number the ingest gave it. */
export interface StreamPosition {
  readonly id: string;
  readonly seq: number;
}

/** One stream entry, its record still encoded. */
export interface StreamEntry extends StreamPosition {
  readonly record: Buffer;
}

export interface StoredSymbol {
  readonly symbol: string;
  /** Undefined when Redis holds none, or none readable. */
  readonly entry: SymbolEntry | undefined;
  readonly instrument: Instrument | undefined;
  /** The instrument's bytes as stored (its member of the `instruments` sorted set), for removing it when replaced. */
  readonly instrumentBytes: Buffer | undefined;
  readonly seconds: readonly Bar[];
  readonly minutes: readonly Bar[];
}

function isBuffer(value: unknown): value is Buffer {
  return Buffer.isBuffer(value);
}

/** A stream entry as Redis answers it: `[id, [field, value, ...]]`. */
function parseStreamEntry(raw: unknown): StreamEntry {
  if (!Array.isArray(raw) || !isBuffer(raw[0]) || !Array.isArray(raw[1])) throw new RecordError('unexpected stream entry shape');
  const fields = raw[1] as unknown[];
  let seq: number | undefined;
  let record: Buffer | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i];
    const value = fields[i + 1];
    if (!isBuffer(name) || !isBuffer(value)) continue;
    if (name.toString() === 'seq') seq = Number(value.toString());
    else if (name.toString() === 'r') record = value;
  }
  if (seq === undefined || !Number.isSafeInteger(seq) || record === undefined) throw new RecordError('stream entry lacks seq or r');
  return { id: raw[0].toString(), seq, record };
}

/** Entries of an XREAD answer for one stream (empty on a timeout). */
export function parseXread(reply: unknown): StreamEntry[] {
  if (reply === null) return [];
  if (!Array.isArray(reply) || !Array.isArray(reply[0]) || !Array.isArray(reply[0][1])) throw new RecordError('unexpected XREAD answer');
  return (reply[0][1] as unknown[]).map(parseStreamEntry);
}

/** The newest entry, or undefined when the stream is empty or missing. */
export async function readTail(client: Redis, keys: ClusterKeys): Promise<StreamEntry | undefined> {
  const reply = await client.callBuffer('XREVRANGE', keys.updates, '+', '-', 'COUNT', 1);
  if (!Array.isArray(reply) || reply.length === 0) return undefined;
  return parseStreamEntry(reply[0]);
}

/** The `meta` hash: undefined when absent. Throws MetaError when it is unreadable (a field, or the key's type). */
export async function readMeta(client: Redis, keys: ClusterKeys): Promise<ClusterMeta | undefined> {
  let hash: Record<string, string>;
  try {
    hash = await client.hgetall(keys.meta);
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    throw new MetaError(wrongType(error).message);
  }
  return parseMeta(hash);
}

/** A string key's value (null when absent). Throws RecordError when the key holds another type. */
export async function readValue(client: Redis, key: string): Promise<Buffer | null> {
  try {
    return await client.getBuffer(key);
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    throw wrongType(error);
  }
}

/** A flat HGETALL answer of buffers as [field, value] pairs. */
function pairs(reply: unknown): [string, Buffer][] {
  if (!Array.isArray(reply)) throw new RecordError('unexpected HGETALL answer');
  const out: [string, Buffer][] = [];
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const field: unknown = reply[i];
    const value: unknown = reply[i + 1];
    if (isBuffer(field) && isBuffer(value)) out.push([field.toString(), value]);
  }
  return out;
}

/**
 * Decodes each of `items`; an unreadable one is left out, and reported (once for all of `key`'s, with how
 * many) through `skip`.
 */
function decodeEach<T>(items: readonly Buffer[], decode: (bytes: Buffer) => T, skip: (unreadable: Unreadable) => void, key: string, symbol?: string): T[] {
  const out: T[] = [];
  let first: RecordError | undefined;
  const failed: Buffer[] = [];
  for (const bytes of items) {
    try {
      out.push(decode(bytes));
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      first ??= error;
      failed.push(bytes);
    }
  }
  if (first !== undefined) {
    const error = failed.length === 1 ? first : new RecordError(`${failed.length} of ${items.length} values are unreadable, the first: ${first.message}`);
    skip({ key, symbol, error, values: failed });
  }
  return out;
}

/** A reply's error: a key of another type than tickertape writes there is unreadable (RecordError), any other error is thrown. */
function wrongType(error: Error): RecordError {
  if (!error.message.startsWith('WRONGTYPE')) throw error;
  return new RecordError(`the key holds another type of value than tickertape writes there (${error.message})`);
}

/** `reply`, or, for a key of the wrong type, nothing (reported through `skip`). */
async function readable(reply: Promise<unknown>, skip: (unreadable: Unreadable) => void, key: string): Promise<unknown> {
  try {
    return await reply;
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    skip({ key, error: wrongType(error) });
    return [];
  }
}

function bars(result: [Error | null, unknown] | undefined, skip: (unreadable: Unreadable) => void, key: string, symbol: string): Bar[] {
  if (result === undefined) throw new RecordError('missing bars answer');
  const [error, reply] = result;
  if (error !== null) {
    skip({ key, symbol, error: wrongType(error) });
    return [];
  }
  if (!Array.isArray(reply)) throw new RecordError('unexpected ZRANGE answer');
  return decodeEach(reply.filter(isBuffer), decodeBar, skip, key, symbol);
}

/**
 * Every stored symbol with its bars, oldest first, `RESYNC_SYMBOLS_PER_READ` symbols per round trip.
 * Not one atomic read: a record published meanwhile may or may not be in it, which the caller settles by
 * replaying the stream from a position read before (records are absolute: the newest value wins).
 *
 * A stored value that cannot be read (not MessagePack, the wrong shape, a key of the wrong type) is left
 * out and reported through `skip`: the rest is read all the same. A symbol whose entry is unreadable is
 * still read with its instrument and bars (as one described before its first trade).
 */
export async function* readSymbols(client: Redis, keys: ClusterKeys, skip: (unreadable: Unreadable) => void): AsyncGenerator<StoredSymbol[]> {
  const [entries, instruments] = await Promise.all([
    readable(client.callBuffer('HGETALL', keys.symbols), skip, keys.symbols),
    readable(client.callBuffer('ZRANGE', keys.instruments, 0, -1), skip, keys.instruments),
  ]);
  if (!Array.isArray(instruments)) throw new RecordError('unexpected ZRANGE answer');
  // In the ingest's order, so a gateway's wildcard frames list symbols as every other gateway's do.
  const decoded = decodeEach(instruments.filter(isBuffer), (bytes) => ({ instrument: decodeInstrument(bytes), bytes }), skip, keys.instruments);
  const described = new Map(decoded.map((stored) => [stored.instrument.symbol, stored]));
  const fields = pairs(entries);
  const latest = new Map<string, SymbolEntry>();
  for (const [symbol, bytes] of fields) {
    const [entry] = decodeEach([bytes], decodeEntry, skip, keys.symbols, symbol);
    if (entry !== undefined) latest.set(symbol, entry);
  }
  // Instruments the feed described before their first trade have no entry yet, and are symbols all the same.
  const stored = [...new Set([...described.keys(), ...fields.map(([symbol]) => symbol)])];
  for (let start = 0; start < stored.length; start += RESYNC_SYMBOLS_PER_READ) {
    const chunk = stored.slice(start, start + RESYNC_SYMBOLS_PER_READ);
    const pipeline = client.pipeline();
    for (const symbol of chunk) {
      pipeline.callBuffer('ZRANGE', keys.secondBars(symbol), 0, -1);
      pipeline.callBuffer('ZRANGE', keys.minuteBars(symbol), 0, -1);
    }
    const results = (await pipeline.exec()) ?? [];
    yield chunk.map((symbol, i) => ({
      symbol,
      entry: latest.get(symbol),
      instrument: described.get(symbol)?.instrument,
      instrumentBytes: described.get(symbol)?.bytes,
      seconds: bars(results[2 * i], skip, keys.secondBars(symbol), symbol),
      minutes: bars(results[2 * i + 1], skip, keys.minuteBars(symbol), symbol),
    }));
  }
}
