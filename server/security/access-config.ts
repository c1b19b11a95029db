/**
 * Who may connect: which browser origins, whether a token is required, and which reverse proxies are
 * trusted to say who the client is. Secrets come only from the environment: a flag's value would show in
 * `ps` and shell history.
 */

/** Shortest shared token accepted: a guessable one would be no lock at all. */
export const MIN_AUTH_TOKEN_CHARS = 16;
/** Shortest HS256 key: RFC 7518 §3.2 wants at least the hash's size, 256 bits. */
export const MIN_JWT_SECRET_BYTES = 32;

export interface AccessConfig {
  /**
   * Browser origins allowed besides the page's own (`https://app.example.com`); `*` allows any. A request
   * without an Origin header is not from a browser page and is not checked.
   */
  readonly allowedOrigins: readonly string[];
  /** A shared secret a client must present (AUTH_TOKEN); undefined = not required. */
  readonly authToken: string | undefined;
  /** The HS256 key of signed tokens with an expiry (AUTH_JWT_SECRET); undefined = not accepted. */
  readonly jwtSecret: string | undefined;
  /** Addresses of reverse proxies whose X-Forwarded-For names the client (comma-separated IPs or CIDRs). */
  readonly trustProxy: string | undefined;
}

export const DEFAULT_ACCESS: AccessConfig = {
  allowedOrigins: [],
  authToken: undefined,
  jwtSecret: undefined,
  trustProxy: undefined,
};

export function authRequired(access: AccessConfig): boolean {
  return access.authToken !== undefined || access.jwtSecret !== undefined;
}

export const ACCESS_USAGE = `  --allowed-origins LIST  browser origins allowed besides the server's own, comma-separated, or *
                          (ALLOWED_ORIGINS, default: same origin only)
  --trust-proxy LIST      reverse proxies whose X-Forwarded-For names the client (TRUST_PROXY)
  AUTH_TOKEN              (environment only) require this shared token on /ws and /api
  AUTH_JWT_SECRET         (environment only) accept HS256 tokens with an expiry signed with this key
`;

export function accessFlagOptions(): Record<string, { type: 'string' }> {
  return { 'allowed-origins': { type: 'string' }, 'trust-proxy': { type: 'string' } };
}

function list(raw: string | undefined): string[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  return raw.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

function nonEmpty(raw: string | undefined): string | undefined {
  return raw === undefined || raw === '' ? undefined : raw;
}

export function accessFromFlags(values: Readonly<Record<string, string | boolean | undefined>>, env: NodeJS.ProcessEnv): Partial<AccessConfig> {
  const flag = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  const access: { -readonly [K in keyof AccessConfig]?: AccessConfig[K] } = {};
  const origins = list(flag('allowed-origins') ?? env['ALLOWED_ORIGINS']);
  if (origins !== undefined) access.allowedOrigins = origins;
  const trustProxy = nonEmpty(flag('trust-proxy') ?? env['TRUST_PROXY']);
  if (trustProxy !== undefined) access.trustProxy = trustProxy;
  const token = nonEmpty(env['AUTH_TOKEN']);
  if (token !== undefined) access.authToken = token;
  const secret = nonEmpty(env['AUTH_JWT_SECRET']);
  if (secret !== undefined) access.jwtSecret = secret;
  return access;
}

/** An origin as browsers send it: scheme, host and port only. */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.toLowerCase().replace(/\/$/, '');
  } catch {
    return false;
  }
}

/** What is wrong with an access configuration, or undefined. */
export function validateAccess(access: AccessConfig): string | undefined {
  for (const origin of access.allowedOrigins) {
    if (origin !== '*' && !isOrigin(origin)) {
      return `allowed origin "${origin}" must be * or scheme://host[:port], like https://app.example.com (--allowed-origins, ALLOWED_ORIGINS)`;
    }
  }
  if (access.authToken !== undefined && access.authToken.length < MIN_AUTH_TOKEN_CHARS) {
    return `AUTH_TOKEN must be at least ${MIN_AUTH_TOKEN_CHARS} characters (try: openssl rand -hex 32)`;
  }
  if (access.jwtSecret !== undefined && Buffer.byteLength(access.jwtSecret) < MIN_JWT_SECRET_BYTES) {
    return `AUTH_JWT_SECRET must be at least ${MIN_JWT_SECRET_BYTES} bytes (try: openssl rand -hex 32)`;
  }
  if (access.trustProxy !== undefined && access.trustProxy.split(',').some((item) => item.trim() === '')) {
    return `trusted proxies must be comma-separated addresses (--trust-proxy, TRUST_PROXY), got "${access.trustProxy}"`;
  }
  return undefined;
}
