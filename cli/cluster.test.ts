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

  test('REDIS_STREAM_MAX_ENTRIES takes plain decimal numbers only; set but empty is refused', () => {
    for (const text of ['1e3', '']) {
      expect(() => parseClusterArgs('gateway', [], { REDIS_STREAM_MAX_ENTRIES: text }, undefined)).toThrow(
        `stream length must be a whole number from 10 to 1000000 (--redis-stream-max, REDIS_STREAM_MAX_ENTRIES), got "${text}"`,
      );
    }
  });

  test('an ingest given files replays them, with the replay\'s flags', () => {
    const { replay, config } = parseClusterArgs('ingest', ['a.tape', 'b.csv.gz', '--speed', '10', '--loop'], {}, undefined);
    expect(replay).toMatchObject({ files: ['a.tape', 'b.csv.gz'], speed: 10, loop: true, paused: false });
    expect(config.feed.kind).toBe('replay');
  });

  test('an ingest runs live feeds, as many --feed as given', () => {
    const { config } = parseClusterArgs('ingest', ['--feed', 'binance:BTCUSDT', '--feed', 'coinbase:ETH-USD'], {}, undefined);
    expect(config.feed).toMatchObject({ kind: 'live' });
    expect(JSON.stringify(config.feed)).toMatch(/BTCUSDT[\s\S]*ETH-USD/);
  });

  test.each([
    [['--speed', '10'], /--speed applies to replayed files/],
    [['a.tape', '--rate', '100'], /--rate sets the simulated or live feed/],
    [['a.tape', '--feed', 'binance:BTCUSDT'], /--feed sets the simulated or live feed/],
    [['a.tape', '--format', 'xml'], /--format must be one of/],
  ])('ingest %j is refused with a clear message', (args, message) => {
    expect(() => parseClusterArgs('ingest', args, {}, undefined)).toThrow(message);
  });

  test.each([
    [['--redis', 'http://localhost:6379'], /Redis URL must look like redis:\/\/host:port/],
    [['--redis', 'not a url'], /Redis URL/],
    [['--redis-prefix', 'has space'], /Redis key prefix/],
    [['--redis-stream-max', '5'], /stream length must be a whole number from 10/],
    [['--redis-stream-max', 'lots'], /stream length must be a whole number from 10 to 1000000 \(--redis-stream-max, REDIS_STREAM_MAX_ENTRIES\), got "lots"/],
    [['--redis-stream-max', '0x100'], /stream length must be a whole number from 10 to 1000000 \(--redis-stream-max, REDIS_STREAM_MAX_ENTRIES\), got "0x100"/],
    [['--rate', '100'], /--rate is the ingest's option/],
    [['--feed', 'binance:BTCUSDT'], /--feed is the ingest's option/],
    [['--record', 'x.tape'], /Unknown option '--record'/],
  ])('gateway %j is refused with a clear message', (args, message) => {
    expect(() => parseClusterArgs('gateway', args, {}, undefined)).toThrow(ConfigError);
    expect(() => parseClusterArgs('gateway', args, {}, undefined)).toThrow(message);
  });
});
