import type { Redis } from 'ioredis';
import type { ClusterKeys } from './keys.js';
import { LuaScript, type ScriptArg } from './lua-script.js';

/**
 * One ingest flush, written atomically in one round trip: each changed symbol's latest entry (and
 * instrument, the first time), its changed bars put in place by time in bounded sorted sets, the meta
 * hash's generation, and the flush record appended to the stream with the next sequence number. Readers
 * therefore never see a record without the state it describes. Only the lease holder may write.
 *
 * A live feed's status, when the record carries one, is kept in the `feed-status` key in the same call, so
 * a gateway loading the state reads the status the records before its position left.
 *
 * KEYS: updates, seq, meta, symbols, instruments, lease, feed-status, then per symbol its 1 s and 1 min
 * bar keys.
 * ARGV: ingest id, gen ('' leaves meta alone: a part of a larger publish), stream length, 1 s bars kept,
 * 1 min bars kept, record, symbol count, dataset ('' leaves meta's alone), replace ('1': each symbol's
 * bars are replaced, not merged: the market started over), feed status ('' leaves the key alone), then
 * per symbol: symbol, entry, instrument's place in the market ('' for none) and instrument, and for each
 * of its two bar keys a count followed by (time, bar) pairs.
 */
const PUBLISH = new LuaScript(`
if redis.call('GET', KEYS[6]) ~= ARGV[1] then
  return redis.error_reply('NOTLEADER this ingest does not hold the publishing lease')
end
local keep = { tonumber(ARGV[4]), tonumber(ARGV[5]) }
local replace = ARGV[9] == '1'
if ARGV[8] ~= '' then redis.call('HSET', KEYS[3], 'dataset', ARGV[8]) end
if ARGV[10] ~= '' then redis.call('SET', KEYS[7], ARGV[10]) end
local a = 11
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
      redis.call('ZREMRANGEBYSCORE', key, ARGV[a], ARGV[a])
      redis.call('ZADD', key, ARGV[a], ARGV[a + 1])
      a = a + 2
    end
    if n > 0 then redis.call('ZREMRANGEBYRANK', key, 0, -(keep[s] + 1)) end
  end
end
local seq = redis.call('INCR', KEYS[2])
if ARGV[2] ~= '' then redis.call('HSET', KEYS[3], 'gen', ARGV[2]) end
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'seq', seq, 'r', ARGV[6])
return seq
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
  /** Set meta's dataset to this (the first part of a publish that starts the market over). */
  readonly dataset: string | undefined;
  /** Replace each symbol's bars instead of merging into them. */
  readonly replace: boolean;
  /** A live feed's status to keep in the `feed-status` key (encoded), when the record carries one. */
  readonly feedStatus: Uint8Array | undefined;
}

/** Runs the publish script (EVALSHA, loading it when Redis does not know it: after a restart). Resolves with the record's seq. */
export async function publishRecord(client: Redis, keys: ClusterKeys, call: PublishCall): Promise<number> {
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
  return Number(await PUBLISH.run(client, keyList, args));
}

/** Whether a publish failed because another ingest holds the lease. */
export function isNotLeader(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOTLEADER');
}
