import type { Redis } from 'ioredis';
import type { ClusterKeys } from './keys.js';
import { LuaScript, type ScriptArg } from './lua-script.js';
import { RecordError } from './records.js';

/**
 * One ingest flush, written atomically in one round trip: each changed symbol's latest entry (and
 * instrument, the first time), its changed bars put in place by time in bounded sorted sets, the meta
 * hash's generation, and the flush record appended to the stream with the next sequence number. Readers
 * therefore never see a record without the state it describes. Only the lease holder may write (a lease
 * key of another type: nobody holds it, refused as NOTLEADER WRONGTYPE, for the ingest's check to replace).
 *
 * Redis keeps what a script wrote before an error, so nothing may fail half-way: a key written here that
 * holds another type (set by hand, say) is replaced instead, deleted and written anew, and named in the
 * answer, so that the ingest writes again whole what it held (Publisher). `symbols`, `instruments` and
 * `updates` are checked every call (a gateway loads them whole, whether or not this flush writes them), a
 * bar key at its first write, and a `seq` that is no counter goes on from the stream's last record. `meta`,
 * whose other fields are the ingest's to write, is written first and refused instead (UNWRITABLE, nothing
 * written): the ingest's check then replaces it whole. `symbols` or `instruments` found missing (deleted by
 * hand) when earlier publishes wrote them are named in the answer too, so that they are written again whole
 * as well, instead of only the entries and instruments later flushes happen to write.
 *
 * A live feed's status, when the record carries one, is kept in the `feed-status` key in the same call, so
 * a gateway loading the state reads the status the records before its position left.
 *
 * KEYS: updates, seq, meta, symbols, instruments, lease, feed-status, then per symbol its 1 s and 1 min
 * bar keys.
 * ARGV: ingest id, gen ('' leaves meta alone: a part of a larger publish), stream length, 1 s bars kept,
 * 1 min bars kept, record, symbol count, dataset ('' leaves meta's alone), replace ('1': each symbol's
 * bars are replaced, not merged: the market started over), feed status ('' leaves the key alone), held
 * ('1': earlier publishes wrote `symbols` and `instruments`, so either missing was deleted), then per symbol: symbol, entry, instrument's place in the market ('' for none) and instrument, and for each
 * of its two bar keys a count followed by (time, bar) pairs.
 * Answer: the record's seq, the keys replaced, and the keys found missing though `held`.
 */
const PUBLISH = new LuaScript(`
local holder = redis.pcall('GET', KEYS[6])
if type(holder) == 'table' and holder['err'] ~= nil then
  if string.sub(holder['err'], 1, 9) ~= 'WRONGTYPE' then return holder end
  return redis.error_reply('NOTLEADER WRONGTYPE the lease key holds another type of value: no ingest holds the lease')
end
if holder ~= ARGV[1] then
  return redis.error_reply('NOTLEADER this ingest does not hold the publishing lease')
end
local meta = {}
if ARGV[8] ~= '' then meta[#meta + 1] = 'dataset'; meta[#meta + 1] = ARGV[8] end
if ARGV[2] ~= '' then meta[#meta + 1] = 'gen'; meta[#meta + 1] = ARGV[2] end
if #meta > 0 then
  local reply = redis.pcall('HSET', KEYS[3], unpack(meta))
  if type(reply) == 'table' and reply['err'] ~= nil then
    if string.sub(reply['err'], 1, 9) == 'WRONGTYPE' then return redis.error_reply('UNWRITABLE ' .. KEYS[3]) end
    return reply
  end
end
local replaced = {}
local function discard(key)
  redis.call('DEL', key)
  replaced[#replaced + 1] = key
end
local missing = {}
-- A key that should hold what earlier publishes wrote ('1'), found missing (deleted): named too.
local function claim(key, kind, expected)
  local held = redis.call('TYPE', key)['ok']
  if held == kind then return end
  if held ~= 'none' then discard(key) elseif expected == '1' then missing[#missing + 1] = key end
end
local function write(command, key, ...)
  local reply = redis.pcall(command, key, ...)
  if type(reply) == 'table' and reply['err'] ~= nil then
    if string.sub(reply['err'], 1, 9) ~= 'WRONGTYPE' then return error(reply) end
    discard(key)
    reply = redis.call(command, key, ...)
  end
  return reply
end
claim(KEYS[1], 'stream', '')
claim(KEYS[4], 'hash', ARGV[11])
claim(KEYS[5], 'zset', ARGV[11])
local keep = { tonumber(ARGV[4]), tonumber(ARGV[5]) }
local replace = ARGV[9] == '1'
if ARGV[10] ~= '' then redis.call('SET', KEYS[7], ARGV[10]) end
local a = 12
for i = 1, tonumber(ARGV[7]) do
  local symbol = ARGV[a]
  redis.call('HSET', KEYS[4], symbol, ARGV[a + 1])
  if ARGV[a + 2] ~= '' then redis.call('ZADD', KEYS[5], ARGV[a + 2], ARGV[a + 3]) end
  a = a + 4
  for s = 1, 2 do
    local key = KEYS[7 + 2 * (i - 1) + s]
    if replace then redis.call('DEL', key) end
    local n = tonumber(ARGV[a])
    a = a + 1
    for j = 1, n do
      write('ZREMRANGEBYSCORE', key, ARGV[a], ARGV[a])
      redis.call('ZADD', key, ARGV[a], ARGV[a + 1])
      a = a + 2
    end
    if n > 0 then redis.call('ZREMRANGEBYRANK', key, 0, -(keep[s] + 1)) end
  end
end
local seq = redis.pcall('INCR', KEYS[2])
if type(seq) == 'table' then
  local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
  seq = 1
  if last[1] ~= nil then seq = (tonumber(last[1][2][2]) or 0) + 1 end
  redis.call('SET', KEYS[2], seq)
  replaced[#replaced + 1] = KEYS[2]
end
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'seq', seq, 'r', ARGV[6])
return { seq, replaced, missing }
`);

/** The bars of one symbol for one of its two sorted sets: times and encoded bars. */
export interface BarWrites {
  readonly times: readonly number[];
  readonly encoded: readonly Uint8Array[];
}

export interface SymbolWrite {
  readonly symbol: string;
  readonly entry: Uint8Array;
  /** The instrument, the first time the symbol is published, with its place in the market's order. */
  readonly instrument: { readonly index: number; readonly encoded: Uint8Array } | undefined;
  readonly seconds: BarWrites;
  readonly minutes: BarWrites;
}

export interface PublishCall {
  readonly ingestId: string;
  /** Advance meta's generation to this; undefined for a part that does not complete a publish. */
  readonly gen: number | undefined;
  readonly streamMaxEntries: number;
  readonly secondBarsKept: number;
  readonly minuteBarsKept: number;
  readonly record: Uint8Array;
  readonly symbols: readonly SymbolWrite[];
  /** Earlier publishes wrote `symbols` and `instruments`: either missing was deleted, and is named in the answer. */
  readonly held: boolean;
  /** Set meta's dataset to this (the first part of a publish that starts the market over). */
  readonly dataset: string | undefined;
  /** Replace each symbol's bars instead of merging into them. */
  readonly replace: boolean;
  /** A live feed's status to keep in the `feed-status` key (encoded), when the record carries one. */
  readonly feedStatus: Uint8Array | undefined;
}

/** What a publish wrote: the record's seq, and the keys whose content was lost. */
export interface Published {
  readonly seq: number;
  /** Keys that held another type and were replaced. */
  readonly replaced: readonly string[];
  /** `symbols` or `instruments`, found missing though `held`. */
  readonly missing: readonly string[];
}

/** A publish refused, nothing written, because `key` (meta) holds another type of value than tickertape writes there. */
export class UnwritableKey extends RecordError {
  constructor(readonly key: string) {
    super(`${key} holds another type of value than tickertape writes there`);
  }
}

/**
 * Runs the publish script (EVALSHA, loading it when Redis does not know it: after a restart). Throws
 * UnwritableKey when meta holds another type.
 */
export async function publishRecord(client: Redis, keys: ClusterKeys, call: PublishCall): Promise<Published> {
  const bytes = (data: Uint8Array): Buffer => Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const keyList: string[] = [keys.updates, keys.seq, keys.meta, keys.symbols, keys.instruments, keys.lease, keys.feedStatus];
  const args: ScriptArg[] = [
    call.ingestId,
    call.gen === undefined ? '' : String(call.gen),
    call.streamMaxEntries,
    call.secondBarsKept,
    call.minuteBarsKept,
    bytes(call.record),
    call.symbols.length,
    call.dataset ?? '',
    call.replace ? '1' : '',
    call.feedStatus === undefined ? '' : bytes(call.feedStatus),
    call.held ? '1' : '',
  ];
  for (const write of call.symbols) {
    keyList.push(keys.secondBars(write.symbol), keys.minuteBars(write.symbol));
    const { instrument } = write;
    args.push(write.symbol, bytes(write.entry), instrument === undefined ? '' : instrument.index, instrument === undefined ? '' : bytes(instrument.encoded));
    for (const bars of [write.seconds, write.minutes]) {
      args.push(bars.times.length);
      for (let i = 0; i < bars.times.length; i++) args.push(bars.times[i]!, bytes(bars.encoded[i]!));
    }
  }
  let answer: unknown;
  try {
    answer = await PUBLISH.run(client, keyList, args);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('UNWRITABLE ')) throw new UnwritableKey(error.message.slice('UNWRITABLE '.length));
    throw error;
  }
  if (!Array.isArray(answer) || !Array.isArray(answer[1]) || !Array.isArray(answer[2])) throw new Error('unexpected publish script answer');
  return { seq: Number(answer[0]), replaced: (answer[1] as unknown[]).map(String), missing: (answer[2] as unknown[]).map(String) };
}

/** Whether a publish failed because another ingest holds the lease (or none does). */
export function isNotLeader(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOTLEADER');
}

/** Whether a publish failed because the lease key holds another type: the ingest's check replaces it (IngestLease.hold) and says so. */
export function isLeaseOfAnotherType(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOTLEADER WRONGTYPE');
}
