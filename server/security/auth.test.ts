import { describe, expect, test } from 'vitest';
import { bearerChallenge, redactToken, signToken, tokenOf, TokenVerifier } from './auth.js';

describe('tokens', () => {
  test('come from a Bearer header before the query, and nowhere else', () => {
    expect(tokenOf('Bearer abc', { access_token: 'def' })).toBe('abc');
    expect(tokenOf('bearer   abc ', {})).toBe('abc');
    expect(tokenOf('Basic abc', { access_token: 'def' })).toBe('def');
    expect(tokenOf(undefined, { access_token: ['a', 'b'] })).toBeUndefined();
    expect(tokenOf(undefined, undefined)).toBeUndefined();
  });

  test('are redacted from URLs for logs', () => {
    expect(redactToken('/ws?access_token=abc.def.ghi&x=1')).toBe('/ws?access_token=[redacted]&x=1');
    expect(redactToken('/api/symbols?q=a&ACCESS_TOKEN=zzz')).toBe('/api/symbols?q=a&ACCESS_TOKEN=[redacted]');
    expect(redactToken('/api/symbols?q=access_token')).toBe('/api/symbols?q=access_token');
  });

  test('a verifier with nothing configured lets everyone in; with both kinds, either one proves access', async () => {
    expect(await new TokenVerifier({ authToken: undefined, jwtSecret: undefined }).verify(undefined)).toEqual({ ok: true });
    const secret = 's'.repeat(32);
    const both = new TokenVerifier({ authToken: 'shared-token-0123456789', jwtSecret: secret });
    expect((await both.verify('shared-token-0123456789')).ok).toBe(true);
    expect(await both.verify(await signToken(secret, { ttlS: 10, subject: 'bob' }))).toEqual({ ok: true, subject: 'bob' });
    expect(await both.verify('shared-token-012345678')).toEqual({ ok: false, presented: true, reason: 'the token is not valid' });
    expect(await both.verify('a.b.c')).toMatchObject({ ok: false, presented: true, reason: expect.stringMatching(/not valid/) });
    expect(await both.verify(undefined)).toMatchObject({ ok: false, presented: false });
    expect(await both.verify('')).toMatchObject({ ok: false, presented: false });
  });

  test('the challenge names invalid_token only for a token presented and refused (RFC 6750 §3.1)', () => {
    expect(bearerChallenge({ presented: false })).toBe('Bearer realm="tickertape"');
    expect(bearerChallenge({ presented: true })).toBe('Bearer realm="tickertape", error="invalid_token"');
  });
});
