import { describe, expect, test } from 'vitest';
import { ConfigError } from '../server/config.js';
import { DEFAULT_INGEST_PORT, DEFAULT_REDIS_PREFIX, DEFAULT_REDIS_URL, REDIS_STREAM_MAX_ENTRIES } from '../server/cluster/config.js';
import { parseClusterArgs } from './cluster.js';

describe('cluster role flags', () => {
  test('defaults: local Redis, the default prefix, the ingest on its own port', () => {
    const { cluster, config } = parseClusterArgs('ingest', [], {}, undefined);
    expect(cluster).toEqual({ role: 'ingest', redisUrl: DEFAULT_REDIS_URL, prefix: DEFAULT_REDIS_PREFIX, streamMaxEntries: REDIS_STREAM_MAX_ENTRIES });
    expect(config.port).toBe(DEFAULT_INGEST_PORT);
  });

  test('flags win over the environment', () => {
    const env = { REDIS_URL: 'redis://env:1', REDIS_PREFIX: 'env:', REDIS_STREAM_MAX_ENTRIES: '50' };
    const { cluster } = parseClusterArgs('gateway', ['--redis', 'rediss://redis.internal:6380', '--redis-stream-max', '500'], env, undefined);
    expect(cluster).toEqual({ role: 'gateway', redisUrl: 'rediss://redis.internal:6380', prefix: 'env:', streamMaxEntries: 500 });
  });

  test.each([
    [['--redis', 'http://localhost:6379'], /Redis URL must look like redis:\/\/host:port/],
    [['--redis', 'not a url'], /Redis URL/],
    [['--redis-prefix', 'has space'], /Redis key prefix/],
    [['--redis-stream-max', '5'], /stream length must be a whole number from 10/],
    [['--redis-stream-max', 'lots'], /stream length .* must be a number/],
    [['--rate', '100'], /--rate is the ingest's option/],
    [['--record', 'x.tape'], /Unknown option '--record'/],
  ])('gateway %j is refused with a clear message', (args, message) => {
    expect(() => parseClusterArgs('gateway', args, {}, undefined)).toThrow(ConfigError);
    expect(() => parseClusterArgs('gateway', args, {}, undefined)).toThrow(message);
  });
});
