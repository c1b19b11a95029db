import Fastify from 'fastify';
import { describe, expect, test } from 'vitest';
import { finished, tickertape } from '../../test/helpers/cli.js';
import { ConfigError, parseServeArgs } from '../config.js';
import { fastifyTrustProxy } from './access-config.js';

/** The client address Fastify reports for a request from 127.0.0.1 forwarded for 203.0.113.7, with `trustProxy`. */
async function clientIp(trustProxy: string): Promise<string> {
  const app = Fastify({ trustProxy: fastifyTrustProxy(trustProxy) });
  app.get('/', async (request) => request.ip);
  const answer = await app.inject({ url: '/', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.7' } });
  await app.close();
  return answer.body;
}

describe('--trust-proxy / TRUST_PROXY', () => {
  test.each([
    ['127.0.0.1', '203.0.113.7'],
    ['10.0.0.5, 127.0.0.1', '203.0.113.7'],
    ['127.0.0.0/8', '203.0.113.7'],
    ['127.0.0.0/255.0.0.0', '203.0.113.7'],
    ['loopback', '203.0.113.7'],
    ['uniquelocal,linklocal,::1/128', '127.0.0.1'],
    ['fd00::/8', '127.0.0.1'],
    ['true', '203.0.113.7'],
    ['false', '127.0.0.1'],
  ])('%s is taken, and Fastify trusts what it says (the client is %s)', async (value, ip) => {
    const { config } = parseServeArgs(['--trust-proxy', value], {}, undefined);
    expect(config.access.trustProxy).toBe(value);
    expect(await clientIp(value)).toBe(ip);
  });

  test.each([
    ['garbage!!', '"garbage!!" is none of these'],
    ['10.0.0.300', '"10.0.0.300" is none of these'],
    ['127.0.0.1,,10.0.0.1', 'an empty item'],
    ['10.0.0.0/0', '"10.0.0.0/0" is none of these'],
    ['10.0.0.0/33', '"10.0.0.0/33" is none of these'],
    ['::/129', '"::/129" is none of these'],
    ['10.0.0.0/255.0.255.0', 'is none of these'],
    ['Loopback', 'is none of these'],
    // proxy-addr reads these as 10.0.0.1 and 8.0.0.1 (octal): too easy to mean something else.
    ['10.1', 'is none of these'],
    ['010.0.0.1', 'is none of these'],
    ['true,127.0.0.1', '"true" is none of these'],
    ['1', 'a hop count is not taken'],
  ])('%s is refused, naming the flag, the variable and what is allowed', (value, why) => {
    for (const parse of [() => parseServeArgs(['--trust-proxy', value], {}, undefined), () => parseServeArgs([], { TRUST_PROXY: value }, undefined)]) {
      expect(parse).toThrow(ConfigError);
      expect(parse).toThrow(`(--trust-proxy, TRUST_PROXY), got "${value}"`);
      expect(parse).toThrow(why);
      expect(parse).toThrow('true, false, or comma-separated IP addresses, CIDR ranges (10.0.0.0/8, fd00::/8) and loopback, linklocal, uniquelocal');
    }
  });

  test('a bad value stops serve before it starts, with exit code 2 and no stack trace', async () => {
    const [flag, variable] = await Promise.all([
      finished(tickertape(['serve', '--port', '0', '--host', '127.0.0.1', '--trust-proxy', 'garbage!!'])),
      finished(tickertape(['serve', '--port', '0', '--host', '127.0.0.1'], { TRUST_PROXY: '10.0.0.300' })),
    ]);
    expect([flag.code, variable.code]).toEqual([2, 2]);
    expect(flag.stderr).toMatch(/^tickertape: trusted proxies must be .*\(--trust-proxy, TRUST_PROXY\), got "garbage!!"/);
    expect(variable.stderr).toMatch(/^tickertape: trusted proxies must be .*\(--trust-proxy, TRUST_PROXY\), got "10\.0\.0\.300"/);
    expect(flag.stderr + variable.stderr).not.toMatch(/TypeError|\n {4}at /);
  });
});
