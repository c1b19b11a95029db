import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ConfigError, DEFAULT_LIMITS, defineConfig, flushSlices, parseServeArgs, USAGE } from './config.js';
import { LIMIT_FLAGS } from './limit-flags.js';

const read = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

describe('limit flags', () => {
  test('every settable limit is in --help, the README table and docs/operations.md, with its variable', () => {
    const readme = read('README.md');
    const operations = read('docs/operations.md');
    for (const { flag, env } of LIMIT_FLAGS) {
      expect(USAGE, flag).toContain(`--${flag} N`);
      expect(USAGE, env).toContain(env);
      expect(readme, flag).toContain(`| \`--${flag} N\` | \`${env}\` |`);
      expect(operations, flag).toContain(`\`--${flag}\` / \`${env}\``);
    }
  });

  test('a flag wins over its variable, which wins over the default', () => {
    const { config } = parseServeArgs(['--max-messages-per-s', '7'], { MAX_INBOUND_MESSAGES_PER_S: '9', HEARTBEAT_INTERVAL_MS: '2500' }, undefined);
    expect(config.limits.maxInboundMessagesPerS).toBe(7);
    expect(config.limits.heartbeatIntervalMs).toBe(2_500);
    expect(config.limits.maxConnections).toBe(DEFAULT_LIMITS.maxConnections);
  });

  test.each([
    [['--max-connections', 'many'], /maxConnections must be a whole number from 1 to \d+ \(--max-connections, MAX_CONNECTIONS\), got "many"/],
    [['--heartbeat-ms', '0'], /heartbeatIntervalMs must be a whole number from 1 to \d+ ms \(--heartbeat-ms, HEARTBEAT_INTERVAL_MS\), got "0"/],
    [['--max-connections', '10', '--max-connections-per-ip', '20'], /maxConnectionsPerIp \(--max-connections-per-ip, MAX_CONNECTIONS_PER_IP\) is 20, more than maxConnections \(--max-connections, MAX_CONNECTIONS\), 10/],
    [['--allowed-origins', 'evil.example'], /allowed origin "evil.example" must be \* or scheme:\/\/host/],
    [['--flush-slices', '51'], /flushSlices must be a whole number from 1 to 50 \(--flush-slices, FLUSH_SLICES\), got "51"/],
  ])('%j is refused with a clear message', (args, message) => {
    expect(() => parseServeArgs(args, {}, undefined)).toThrow(ConfigError);
    expect(() => parseServeArgs(args, {}, undefined)).toThrow(message);
  });

  test('a market of more symbols than one UTF-16 unit can number is refused (the hub names symbols so)', () => {
    expect(() => defineConfig({ limits: { maxSymbols: 65_537 } })).toThrow(/limit maxSymbols must be a whole number from 1 to 65536, got 65537/);
    expect(defineConfig({ limits: { maxSymbols: 65_536 } }).limits.maxSymbols).toBe(65_536);
  });

  test('the rolling flush takes the configured slices, fewer when the interval is too short for them', () => {
    const slices = (args: string[], env: NodeJS.ProcessEnv = {}): number => flushSlices(parseServeArgs(args, env, undefined).config);
    expect(slices([])).toBe(DEFAULT_LIMITS.flushSlices);
    expect(slices(['--flush-slices', '10'])).toBe(10);
    expect(slices([], { FLUSH_SLICES: '1' })).toBe(1);
    // A slice every 5 ms at most: 12 ms gives 2, 5 ms gives 1.
    expect(slices(['--flush-ms', '12'])).toBe(2);
    expect(slices(['--flush-ms', '5', '--flush-slices', '50'])).toBe(1);
  });

  test('secrets come from the environment only, and must not be guessable', () => {
    expect(parseServeArgs([], { AUTH_TOKEN: 'x'.repeat(16), ALLOWED_ORIGINS: 'https://a.example, *' }, undefined).config.access).toMatchObject({
      authToken: 'x'.repeat(16),
      allowedOrigins: ['https://a.example', '*'],
    });
    expect(() => parseServeArgs([], { AUTH_TOKEN: 'short' }, undefined)).toThrow(/AUTH_TOKEN must be at least 16 characters/);
    expect(() => parseServeArgs([], { AUTH_JWT_SECRET: 'short' }, undefined)).toThrow(/AUTH_JWT_SECRET must be at least 32 bytes/);
    expect(() => parseServeArgs(['--auth-token', 'x'.repeat(16)], {}, undefined)).toThrow(/Unknown option '--auth-token'/);
  });
});
