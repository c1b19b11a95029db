/**
 * Presenting an access token where a browser allows nothing else: as `?access_token=` on the WebSocket URL
 * (RFC 6750 §2.3; docs/operations.md#auth). The server redacts it from its logs.
 */
export function withAccessToken(url: string, token: string | undefined): string {
  if (token === undefined) return url;
  return `${url}${url.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token)}`;
}

/** A token, or a function that gets a fresh one for each connection attempt (short-lived signed tokens). */
export type AccessToken = string | (() => string | Promise<string>);
