import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type ScriptArg = string | Buffer | number;

/**
 * A Lua script run with EVALSHA, and loaded with EVAL when Redis does not know it (the first time, and
 * after Redis restarted): one round trip either way, and the script text crosses the network rarely.
 */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script; with `buffers`, bulk strings in the answer come as Buffers (binary values), not strings. */
  async run(client: Redis, keys: readonly string[], args: readonly ScriptArg[], buffers = false): Promise<unknown> {
    const call = (command: 'EVALSHA' | 'EVAL', script: string): Promise<unknown> =>
      buffers ? client.callBuffer(command, script, keys.length, ...keys, ...args) : client.call(command, script, keys.length, ...keys, ...args);
    try {
      return await call('EVALSHA', this.sha);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return call('EVAL', this.source);
    }
  }
}
