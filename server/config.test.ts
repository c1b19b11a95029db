import { describe, expect, test } from 'vitest';
import { ConfigError, MAX_LIMITS, parseServeArgs } from './config.js';
import { LIMIT_FLAGS } from './limit-flags.js';

/** Every numeric flag of `serve` with its variable (undefined: a flag only), and the flags it needs beside it. */
const NUMERIC: readonly (readonly [flag: string, env: string | undefined, beside: readonly string[]])[] = [
  ['port', 'PORT', []],
  ['rate', 'TICK_RATE', []],
  ['seed', 'SEED', []],
  ['warmup-s', 'WARMUP_S', []],
  ['flush-ms', 'FLUSH_INTERVAL_MS', []],
  ...LIMIT_FLAGS.map((row) => [row.flag, row.env, []] as const),
  ['binance-replace-after-s', 'BINANCE_REPLACE_AFTER_S', ['--feed', 'binance:BTCUSDT']],
  ['record-rotate-mb', undefined, ['--record', 'never.tape']],
  ['record-gzip-level', undefined, ['--record', 'never.tape']],
];

/**
 * Numbers to JavaScript's Number() (the empty one: 0, or before, the default), none of them plain decimal
 * without a sign. A negative one, a word of its own after the flag, reaches the flag's rule too, not parseArgs'
 * "ambiguous" refusal.
 */
const NOT_PLAIN = ['0x10', '0b1', '0o7', '1e1', ' 8', '8 ', '+8', '-8', '-0.5', '8.', '.5', 'Infinity', ''];

describe('numeric flags and variables of serve', () => {
  test.each(NUMERIC)('--%s and %s take plain decimal numbers only, and say where and what is allowed', (flag, env, beside) => {
    for (const text of NOT_PLAIN) {
      const parses = [() => parseServeArgs([...beside, `--${flag}`, text], {}, undefined)];
      if (env !== undefined) parses.push(() => parseServeArgs([...beside], { [env]: text }, undefined));
      for (const parse of parses) {
        expect(parse, `${flag} ${JSON.stringify(text)}`).toThrow(ConfigError);
        expect(parse, `${flag} ${JSON.stringify(text)}`).toThrow(new RegExp(` must be an? (whole )?number from .*got "${text.replace(/[.+]/g, '\\$&')}"$`));
        expect(parse, `${flag} ${JSON.stringify(text)}`).toThrow(env === undefined ? `--${flag}` : `--${flag}, ${env}`);
      }
    }
  });

  test.each(LIMIT_FLAGS.map((row) => [row.flag, row] as const))('--%s has an upper bound: its maximum is taken, one more is refused with the range', (_flag, row) => {
    const max = MAX_LIMITS[row.key];
    expect(max).toBeLessThanOrEqual(1_000_000_000);
    // The per-address limit may not exceed the one in all, which is raised beside it.
    const beside = row.key === 'maxConnectionsPerIp' ? ['--max-connections', String(max)] : [];
    expect(parseServeArgs([...beside, `--${row.flag}`, String(max)], {}, undefined).config.limits[row.key]).toBe(max);
    for (const parse of [() => parseServeArgs([`--${row.flag}`, String(max + 1)], {}, undefined), () => parseServeArgs([], { [row.env]: String(max + 1) }, undefined)]) {
      expect(parse).toThrow(ConfigError);
      expect(parse).toThrow(`${row.key} must be a whole number from 1 to ${max}${row.unit === undefined ? '' : ` ${row.unit}`} (--${row.flag}, ${row.env}), got "${max + 1}"`);
    }
  });

  test('--max-connections below the per-address default caps that default; both given and at odds, both are named', () => {
    expect(parseServeArgs(['--max-connections', '50'], {}, undefined).config.limits).toMatchObject({ maxConnections: 50, maxConnectionsPerIp: 50 });
    expect(parseServeArgs([], { MAX_CONNECTIONS: '7' }, undefined).config.limits).toMatchObject({ maxConnections: 7, maxConnectionsPerIp: 7 });
    expect(parseServeArgs(['--max-connections', '5000'], {}, undefined).config.limits.maxConnectionsPerIp).toBe(100);
    expect(parseServeArgs(['--max-connections', '50', '--max-connections-per-ip', '20'], {}, undefined).config.limits.maxConnectionsPerIp).toBe(20);
    const message =
      'maxConnectionsPerIp (--max-connections-per-ip, MAX_CONNECTIONS_PER_IP) is 60, more than maxConnections (--max-connections, MAX_CONNECTIONS), 50: one address cannot have more connections than the server';
    expect(() => parseServeArgs(['--max-connections', '50', '--max-connections-per-ip', '60'], {}, undefined)).toThrow(message);
    expect(() => parseServeArgs(['--max-connections', '50'], { MAX_CONNECTIONS_PER_IP: '60' }, undefined)).toThrow(message);
  });

  test('the bounds QA hit: a 1e12-byte message limit, and a heartbeat past what a Node timer holds', () => {
    expect(() => parseServeArgs(['--max-frame-bytes', '1000000000000'], {}, undefined)).toThrow('from 1 to 1048576 bytes (--max-frame-bytes, MAX_INBOUND_FRAME_BYTES)');
    expect(() => parseServeArgs([], { HEARTBEAT_INTERVAL_MS: '10000000000' }, undefined)).toThrow('from 1 to 86400000 ms (--heartbeat-ms, HEARTBEAT_INTERVAL_MS)');
  });

  test('serve --record-rotate-mb takes what record --rotate-mb does: down to the recorder\'s 64 KiB', () => {
    const rotateBytes = (mb: string): number | undefined => parseServeArgs(['--record', 'x.tape', '--record-rotate-mb', mb], {}, undefined).record?.rotateBytes;
    expect(rotateBytes('0.5')).toBe(524_288);
    expect(rotateBytes('0.0625')).toBe(65_536);
    expect(rotateBytes('1048576')).toBe(1024 ** 4);
    for (const mb of ['0.06', '1048577']) {
      expect(() => rotateBytes(mb)).toThrow(`--record-rotate-mb must be a number from 0.0625 to 1048576 MiB (64 KiB to 1 TiB), got "${mb}"`);
    }
  });

  test('an empty PORT or --port is refused, as an empty HOST is, rather than taken as the default', () => {
    expect(() => parseServeArgs(['--port', ''], {}, undefined)).toThrow('port must be a whole number from 0 to 65535 (--port, PORT), got ""');
    expect(() => parseServeArgs([], { PORT: '' }, undefined)).toThrow('port must be a whole number from 0 to 65535 (--port, PORT), got ""');
    expect(() => parseServeArgs([], { HOST: '' }, undefined)).toThrow('HOST is set but empty: give it a value, or unset it for the default');
  });

  test('plain decimal numbers are taken, flag over variable', () => {
    const { config, record } = parseServeArgs(['--rate', '16', '--record', 'x.tape', '--record-rotate-mb', '1.5'], { PORT: '0', TICK_RATE: '10', SEED: '007' }, undefined);
    expect([config.port, config.feed.kind === 'simulated' && config.feed.ticksPerSecond, config.feed.kind === 'simulated' && config.feed.seed]).toEqual([0, 16, 7]);
    expect(record?.rotateBytes).toBe(1.5 * 1_048_576);
  });
});

describe('text settings given but empty', () => {
  test.each([
    [{ AUTH_TOKEN: '' }, 'AUTH_TOKEN is set but empty: give it a value, or unset it for the default'],
    [{ AUTH_JWT_SECRET: '' }, 'AUTH_JWT_SECRET is set but empty: give it a value, or unset it for the default'],
    [{ FEED: '' }, 'FEED is set but empty: give it a value, or unset it for the default'],
    [{ TRUST_PROXY: '' }, 'TRUST_PROXY is set but empty: give it a value, or unset it for the default'],
    [{ ALLOWED_ORIGINS: '' }, 'ALLOWED_ORIGINS is set but empty: give it a value, or unset it for the default'],
    [{ HOST: '' }, 'HOST is set but empty: give it a value, or unset it for the default'],
    [{ WEB_ROOT: '' }, 'WEB_ROOT is set but empty: give it a value, or unset it for the default'],
    [{ BINANCE_WS_URL: '' }, 'BINANCE_WS_URL is set but empty: give it a value, or unset it for the default'],
  ])('%j is refused, not read as unset (an empty secret used to turn auth off)', (env, message) => {
    expect(() => parseServeArgs([], env, undefined)).toThrow(new ConfigError(message));
  });

  test('an empty flag is refused; a flag given wins over an empty variable', () => {
    expect(() => parseServeArgs(['--trust-proxy', ''], {}, undefined)).toThrow(new ConfigError('--trust-proxy is empty: give it a value, or leave it out for the default'));
    expect(parseServeArgs(['--host', '127.0.0.1'], { HOST: '' }, undefined).config.host).toBe('127.0.0.1');
  });
});
