/**
 * Token auth for `/ws` and the HTTP API, off unless AUTH_TOKEN or AUTH_JWT_SECRET is set. A client
 * presents its token as `Authorization: Bearer <token>`, or, where it cannot set headers (a browser's
 * WebSocket), as the `access_token` query parameter (RFC 6750 §2.3). Two kinds are accepted:
 *
 * - the shared secret AUTH_TOKEN, compared in constant time;
 * - a JWT signed with AUTH_JWT_SECRET (HS256) carrying `exp`: short-lived per-user tokens minted by the
 *   operator's own login service (or `tickertape token`), which expire on their own.
 *
 * A token is checked when the connection is made; an open WebSocket is not cut off when its token expires.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { AccessConfig } from './access-config.js';

/** Clock difference tolerated when checking `exp` and `nbf`. */
export const JWT_CLOCK_TOLERANCE_S = 5;
export const ACCESS_TOKEN_PARAM = 'access_token';

/**
 * A refusal says whether a token was presented at all (`presented`): RFC 6750 §3.1 gives an error code
 * (`invalid_token`) in the challenge only for a token presented and refused, none to a request that carried
 * no authentication (bearerChallenge).
 */
export type AuthResult =
  | { readonly ok: true; readonly subject?: string }
  | { readonly ok: false; readonly presented: boolean; readonly reason: string };

/** The realm in every Bearer challenge. */
export const AUTH_REALM = 'tickertape';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export class TokenVerifier {
  private readonly sharedDigest: Buffer | undefined;
  private readonly jwtKey: Uint8Array | undefined;

  constructor(access: Pick<AccessConfig, 'authToken' | 'jwtSecret'>) {
    this.sharedDigest = access.authToken === undefined ? undefined : digest(access.authToken);
    this.jwtKey = access.jwtSecret === undefined ? undefined : new TextEncoder().encode(access.jwtSecret);
  }

  get required(): boolean {
    return this.sharedDigest !== undefined || this.jwtKey !== undefined;
  }

  async verify(token: string | undefined): Promise<AuthResult> {
    if (!this.required) return { ok: true };
    // An empty ?access_token= carries no authentication either.
    if (token === undefined || token === '') return { ok: false, presented: false, reason: 'a token is required (Authorization: Bearer, or ?access_token=)' };
    // Equal-length digests: the comparison takes the same time whatever the token's length or content.
    if (this.sharedDigest !== undefined && timingSafeEqual(digest(token), this.sharedDigest)) return { ok: true };
    if (this.jwtKey !== undefined && token.split('.').length === 3) {
      try {
        const { payload } = await jwtVerify(token, this.jwtKey, {
          algorithms: ['HS256'],
          requiredClaims: ['exp'],
          clockTolerance: JWT_CLOCK_TOLERANCE_S,
        });
        return { ok: true, subject: payload.sub };
      } catch (error) {
        if (error instanceof errors.JWTExpired) return { ok: false, presented: true, reason: 'the token has expired' };
        if (error instanceof errors.JOSEError) return { ok: false, presented: true, reason: `the token is not valid (${error.code})` };
        throw error;
      }
    }
    return { ok: false, presented: true, reason: 'the token is not valid' };
  }
}

/**
 * The `WWW-Authenticate` value of a 401 (RFC 6750 §3): `error="invalid_token"` only when a token was
 * presented and refused; a request with no token (or another scheme than Bearer) gets the bare challenge,
 * since §3.1 says a server SHOULD NOT give an error code to a client that may not know auth is needed.
 */
export function bearerChallenge(refusal: { readonly presented: boolean }): string {
  return refusal.presented ? `Bearer realm="${AUTH_REALM}", error="invalid_token"` : `Bearer realm="${AUTH_REALM}"`;
}

/** The token a request carries, from its Authorization header or its query. */
export function tokenOf(authorization: string | undefined, query: unknown): string | undefined {
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match !== null) return match[1];
  }
  if (typeof query === 'object' && query !== null) {
    const value = (query as Record<string, unknown>)[ACCESS_TOKEN_PARAM];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

/** A URL fit for logs: the token's value replaced. */
export function redactToken(url: string): string {
  return url.replace(/([?&]access_token=)[^&#]*/gi, '$1[redacted]');
}

/** Signs a token for this server: HS256 with `exp`, and `sub` when given. */
export async function signToken(secret: string, options: { ttlS: number; subject?: string; now?: number }): Promise<string> {
  const issuedAt = Math.floor((options.now ?? Date.now()) / 1000);
  const jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt(issuedAt).setExpirationTime(issuedAt + options.ttlS);
  if (options.subject !== undefined) jwt.setSubject(options.subject);
  return jwt.sign(new TextEncoder().encode(secret));
}
