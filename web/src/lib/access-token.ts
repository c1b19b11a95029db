/**
 * A server with auth on (docs/operations.md#auth) is opened as `https://host/#access_token=<token>`: the
 * fragment never leaves the browser, so the token reaches no server log on page load. The dashboard then
 * presents it where browsers allow nothing else: as `?access_token=` on /ws and /api.
 */
export function accessTokenFrom(hash: string): string | undefined {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('access_token');
  return token === null || token === '' ? undefined : token;
}

export { withAccessToken } from '../../../client/access-token.js';
