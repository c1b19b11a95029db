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
import { RecordError, decodeBar, decodeEntry, decodeInstrument, parseMeta, type ClusterMeta } from './records.js';

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
  readonly entry: SymbolEntry;
  readonly instrument: Instrument | undefined;
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

export async function readMeta(client: Redis, keys: ClusterKeys): Promise<ClusterMeta | undefined> {
  return parseMeta(await client.hgetall(keys.meta));
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

function bars(result: [Error | null, unknown] | undefined): Bar[] {
  if (result === undefined) throw new RecordError('missing bars answer');
  const [error, reply] = result;
  if (error !== null) throw error;
  if (!Array.isArray(reply)) throw new RecordError('unexpected ZRANGE answer');
  return reply.filter(isBuffer).map(decodeBar);
}

/**
 * Every stored symbol with its bars, oldest first, `RESYNC_SYMBOLS_PER_READ` symbols per round trip.
 * Not one atomic read: a record published meanwhile may or may not be in it, which the caller settles by
 * replaying the stream from a position read before (records are absolute: the newest value wins).
 */
export async function* readSymbols(client: Redis, keys: ClusterKeys): AsyncGenerator<StoredSymbol[]> {
  const [entries, instruments] = await Promise.all([client.callBuffer('HGETALL', keys.symbols), client.callBuffer('ZRANGE', keys.instruments, 0, -1)]);
  if (!Array.isArray(instruments)) throw new RecordError('unexpected ZRANGE answer');
  // In the ingest's order, so a gateway's wildcard frames list symbols as every other gateway's do.
  const described = new Map(instruments.filter(isBuffer).map((bytes) => decodeInstrument(bytes)).map((instrument) => [instrument.symbol, instrument]));
  const latest = new Map(pairs(entries).map(([symbol, bytes]) => [symbol, decodeEntry(bytes)]));
  // Instruments the feed described before their first trade have no entry yet, and are symbols all the same.
  const stored = [...new Set([...described.keys(), ...latest.keys()])];
  for (let start = 0; start < stored.length; start += RESYNC_SYMBOLS_PER_READ) {
    const chunk = stored.slice(start, start + RESYNC_SYMBOLS_PER_READ);
    const pipeline = client.pipeline();
    for (const symbol of chunk) {
      pipeline.callBuffer('ZRANGE', keys.secondBars(symbol), 0, -1);
      pipeline.callBuffer('ZRANGE', keys.minuteBars(symbol), 0, -1);
    }
    const results = (await pipeline.exec()) ?? [];
    yield chunk.map((symbol, i) => ({
      entry: latest.get(symbol) ?? { s: symbol },
      instrument: described.get(symbol),
      seconds: bars(results[2 * i]),
      minutes: bars(results[2 * i + 1]),
    }));
  }
}
