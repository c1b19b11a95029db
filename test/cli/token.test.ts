import { afterEach, describe, expect, test } from 'vitest';
import { finished, tickertape } from '../helpers/cli.js';
import { handshake } from '../helpers/handshake.js';
import { instrument, ManualFeed } from '../helpers/manual-feed.js';
import { startServer, type RunningServer } from '../helpers/server.js';

const SECRET = 'a-key-of-at-least-thirty-two-bytes!';
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('tickertape token', () => {
  test('prints a token a server with the same AUTH_JWT_SECRET accepts', async () => {
    const minted = await finished(tickertape(['token', '--ttl-s', '60', '--subject', 'ops'], { AUTH_JWT_SECRET: SECRET }));
    expect(minted.code).toBe(0);
    const jwt = minted.stdout.trim();
    expect(jwt).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString())).toMatchObject({ sub: 'ops', exp: expect.any(Number) });
    server = await startServer({ feed: new ManualFeed([instrument('AAPL')]), config: { access: { jwtSecret: SECRET } } });
    const result = await handshake(`${server.url}?access_token=${jwt}`);
    expect(result.status).toBe(101);
    if ('socket' in result) result.socket.terminate();
  });

  test.each([
    [[], {}, /set AUTH_JWT_SECRET/],
    [[], { AUTH_JWT_SECRET: 'short' }, /at least 32 bytes/],
    [['--ttl-s', '0'], { AUTH_JWT_SECRET: SECRET }, /--ttl-s must be a whole number from 1/],
    [['--ttl-s', '0x10'], { AUTH_JWT_SECRET: SECRET }, /--ttl-s must be a whole number from 1 to 31622400 s, got "0x10"/],
    [['--ttl-s', '-5'], { AUTH_JWT_SECRET: SECRET }, /^tickertape: --ttl-s must be a whole number from 1 to 31622400 s, got "-5"\n$/],
    [['--subject', ''], { AUTH_JWT_SECRET: SECRET }, /--subject is empty: give it a name, or leave it out for a token without one/],
  ])('%j with %j is refused with exit code 2', async (args, env, message) => {
    const exit = await finished(tickertape(['token', ...args], { AUTH_JWT_SECRET: '', ...env }));
    expect(exit.code).toBe(2);
    expect(exit.stderr).toMatch(message);
  });
});
