import type { Redis } from 'ioredis';
import type { ClusterKeys } from './keys.js';
import { LuaScript } from './lua-script.js';

/**
 * Takes the lease if it is free, extends it if `id` holds it; answers 1 when `id` holds it afterwards, 2
 * when it took it from a key of another type (set by hand, say): that key held no lease, and left in place
 * it would refuse every GET here and every publish, so that no ingest could ever publish again.
 */
const HOLD = new LuaScript(`
local holder = redis.pcall('GET', KEYS[1])
if type(holder) == 'table' and holder['err'] ~= nil then
  if string.sub(holder['err'], 1, 9) ~= 'WRONGTYPE' then return holder end
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 2
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`);

/** Gives the lease up if `id` holds it, so a standby takes over at once; a key of another type is left alone (HOLD replaces it). */
const RELEASE = new LuaScript(`
local holder = redis.pcall('GET', KEYS[1])
if holder == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/**
 * The ingest's lease on publishing: one key with an expiry holding the holder's id. Only the holder's
 * writes are accepted (the publish script checks it), so two ingests started by mistake never interleave
 * their markets; the second waits as a standby and takes over when the first stops or vanishes. A lease key
 * of another type holds no lease: the next ingest to try replaces it and takes the lease, and `replaced`
 * is told.
 */
export class IngestLease {
  constructor(
    private readonly client: Redis,
    private readonly keys: ClusterKeys,
    readonly id: string,
    private readonly leaseMs: number,
    /** Told when taking the lease replaced a key of another type. */
    private readonly replaced?: (key: string) => void,
  ) {}

  /** Takes or extends the lease; false when another ingest holds it. */
  async hold(): Promise<boolean> {
    const answer = Number(await HOLD.run(this.client, [this.keys.lease], [this.id, this.leaseMs]));
    if (answer === 2) this.replaced?.(this.keys.lease);
    return answer === 1 || answer === 2;
  }

  /** Who holds the lease now, if anyone. */
  async holder(): Promise<string | null> {
    return this.client.get(this.keys.lease);
  }

  async release(): Promise<void> {
    await RELEASE.run(this.client, [this.keys.lease], [this.id]);
  }
}
