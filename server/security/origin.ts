/**
 * The Origin check against cross-site WebSocket hijacking. Browsers send Origin with every WebSocket
 * handshake but do not apply CORS to WebSockets, so without this check any page the user visits could open
 * `/ws` with the user's cookies and network position. Same-origin pages are always allowed; other origins
 * only when listed. A handshake without Origin comes from a program, not a browser page, and is not
 * subject to it (token auth is what guards against programs).
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed.includes('*')) return true;
  const normalized = origin.toLowerCase();
  if (allowed.some((entry) => entry.toLowerCase().replace(/\/$/, '') === normalized)) return true;
  if (host === undefined) return false;
  try {
    return new URL(normalized).host === host.toLowerCase();
  } catch {
    return false; // "null" (sandboxed frames, file://) and garbage
  }
}
