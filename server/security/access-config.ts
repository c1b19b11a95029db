/**
 * Who may connect: which browser origins, whether a token is required, and which reverse proxies are
 * trusted to say who the client is. Secrets come only from the environment: a flag's value would show in
 * `ps` and shell history.
 */
import { isIP, isIPv4 } from 'node:net';

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
  /**
   * The reverse proxies whose X-Forwarded-For names the client: `true` (every peer), `false` (none), or
   * comma-separated addresses, CIDR ranges and proxy-addr's named ranges (TRUST_PROXY_RULE).
   */
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
  --trust-proxy LIST      reverse proxies whose X-Forwarded-For names the client (TRUST_PROXY): their
                          addresses or CIDR ranges, comma-separated (127.0.0.1,10.0.0.0/8), the named
                          ranges loopback, linklocal and uniquelocal, or true (any peer: only when no
                          client can reach the server but through the proxy); default false (none)
  AUTH_TOKEN              (environment only) require this shared token on /ws and /api
  AUTH_JWT_SECRET         (environment only) accept HS256 tokens with an expiry signed with this key
`;

export function accessFlagOptions(): Record<string, { type: 'string' }> {
  return { 'allowed-origins': { type: 'string' }, 'trust-proxy': { type: 'string' } };
}

function list(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  return raw.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

export function accessFromFlags(values: Readonly<Record<string, string | boolean | undefined>>, env: NodeJS.ProcessEnv): Partial<AccessConfig> {
  const flag = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  const access: { -readonly [K in keyof AccessConfig]?: AccessConfig[K] } = {};
  const origins = list(flag('allowed-origins') ?? env['ALLOWED_ORIGINS']);
  if (origins !== undefined) access.allowedOrigins = origins;
  // Set but empty never gets here: config.ts refuses it (refuseEmpty).
  const trustProxy = flag('trust-proxy') ?? env['TRUST_PROXY'];
  if (trustProxy !== undefined) access.trustProxy = trustProxy;
  const token = env['AUTH_TOKEN'];
  if (token !== undefined) access.authToken = token;
  const secret = env['AUTH_JWT_SECRET'];
  if (secret !== undefined) access.jwtSecret = secret;
  return access;
}

/** proxy-addr's named ranges, which Fastify's trustProxy takes by name (loopback: 127.0.0.1/8 and ::1). */
export const TRUST_PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'] as const;

export const TRUST_PROXY_RULE =
  `true, false, or comma-separated IP addresses, CIDR ranges (10.0.0.0/8, fd00::/8) and ${TRUST_PROXY_RANGES.join(', ')}`;

/** Ones from the left, then zeros, and at least one: 255.255.0.0, as proxy-addr takes a netmask. */
function isNetmask(text: string): boolean {
  if (!isIPv4(text)) return false;
  const bits = text.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const inverted = 0xffff_ffff - bits;
  return bits !== 0 && (inverted & (inverted + 1)) === 0;
}

/**
 * Whether Fastify's trustProxy (@fastify/proxy-addr) takes `item` as one trusted proxy: an address, an address
 * with a prefix length (1 to 32, or 128 for IPv6) or an IPv4 netmask, or a named range. Addresses only in
 * their standard form: proxy-addr also takes `10.1` (10.0.0.1), `1` (0.0.0.1) and `010.0.0.1` (octal, 8.0.0.1).
 */
function isTrustedProxy(item: string): boolean {
  if ((TRUST_PROXY_RANGES as readonly string[]).includes(item)) return true;
  const slash = item.lastIndexOf('/');
  const address = slash === -1 ? item : item.slice(0, slash);
  const version = isIP(address);
  if (version === 0) return false;
  if (slash === -1) return true;
  const range = item.slice(slash + 1);
  if (/^\d+$/.test(range)) return Number(range) >= 1 && Number(range) <= (version === 4 ? 32 : 128);
  return version === 4 && isNetmask(range);
}

/** What is wrong with a --trust-proxy value, or undefined. */
function trustProxyProblem(value: string): string | undefined {
  if (value === 'true' || value === 'false') return undefined;
  const where = `(--trust-proxy, TRUST_PROXY), got "${value}"`;
  if (/^\d+$/.test(value)) {
    // Fastify 5 takes a number as a hop count, and then trusts no proxy at all: it cannot tell a proxy from a
    // client that sends the header itself.
    return `trusted proxies must be ${TRUST_PROXY_RULE}; a hop count is not taken (Fastify trusts no proxy for one: name the proxies instead) ${where}`;
  }
  const bad = value.split(',').map((item) => item.trim()).find((item) => !isTrustedProxy(item));
  if (bad === undefined) return undefined;
  return `trusted proxies must be ${TRUST_PROXY_RULE} ${where}${bad === '' ? ': an empty item' : `: "${bad}" is none of these`}`;
}

/** Fastify's trustProxy option for a validated --trust-proxy value. */
export function fastifyTrustProxy(value: string | undefined): boolean | string {
  return value === undefined || value === 'false' ? false : value === 'true' ? true : value;
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
  return access.trustProxy === undefined ? undefined : trustProxyProblem(access.trustProxy);
}
