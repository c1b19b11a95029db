import { numberIn, numberMessage, type NumberRule } from '../feeds/number-text.js';
import { MIN_JWT_SECRET_BYTES } from '../server/security/access-config.js';
import { signToken } from '../server/security/auth.js';
import { parseFlags } from '../server/flag-values.js';

/** Default lifetime of a minted token. */
const DEFAULT_TOKEN_TTL_S = 3_600;
/** Longest lifetime `token` will sign: a year; a token for ever is a password, use AUTH_TOKEN for that. */
const MAX_TOKEN_TTL_S = 366 * 86_400;
const TTL_RULE: NumberRule = { name: '--ttl-s', min: 1, max: MAX_TOKEN_TTL_S, whole: true, unit: 's' };

export const TOKEN_USAGE = `Usage: AUTH_JWT_SECRET=... tickertape token [options]

Prints a token for a server started with the same AUTH_JWT_SECRET (docs/operations.md#auth).

Options:
  --ttl-s N         seconds until it expires (default ${DEFAULT_TOKEN_TTL_S}, max ${MAX_TOKEN_TTL_S})
  --subject NAME    who it is for (the "sub" claim, shown in nothing but your own records)
  -h, --help        show this help
`;

const TOKEN_OPTIONS = { 'ttl-s': { type: 'string' }, subject: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

/** `tickertape token`: signs an HS256 token with an expiry using AUTH_JWT_SECRET. */
export async function token(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseFlags(args, { strict: true, allowPositionals: false, options: TOKEN_OPTIONS }));
  } catch (error) {
    process.stderr.write(`tickertape: ${(error as Error).message}\n\n${TOKEN_USAGE}`);
    return 2;
  }
  if (values.help === true) {
    process.stdout.write(TOKEN_USAGE);
    return 0;
  }
  if (values.subject === '') {
    process.stderr.write('tickertape: --subject is empty: give it a name, or leave it out for a token without one\n');
    return 2;
  }
  const secret = process.env['AUTH_JWT_SECRET'] ?? '';
  if (Buffer.byteLength(secret) < MIN_JWT_SECRET_BYTES) {
    process.stderr.write(`tickertape: set AUTH_JWT_SECRET (at least ${MIN_JWT_SECRET_BYTES} bytes) to the server's key\n`);
    return 2;
  }
  const ttlS = values['ttl-s'] === undefined ? DEFAULT_TOKEN_TTL_S : numberIn(values['ttl-s'], TTL_RULE);
  if (ttlS === undefined) {
    process.stderr.write(`tickertape: ${numberMessage(TTL_RULE, `"${values['ttl-s']}"`)}\n`);
    return 2;
  }
  process.stdout.write(`${await signToken(secret, { ttlS, subject: values.subject })}\n`);
  return 0;
}
