import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether a client's token is the configured one (`server.auth.token`; empty: no authentication).
 * Digests are compared, so the comparison takes the same time whatever the length or content.
 */
export function tokenMatches(given: unknown, expected: string): boolean {
  if (!expected) return true;
  if (typeof given !== 'string') return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * The token an HTTP request carries: `Authorization: Bearer <token>`, else `?token=` (what a
 * download link or a Prometheus scrape's `params` can carry).
 */
export function requestToken(authorization: string, query: Record<string, unknown>): unknown {
  return /^Bearer (.+)$/.exec(authorization)?.[1] ?? query.token;
}

/** The body of a 401 from an HTTP route that wants the token. */
export const HTTP_UNAUTHORIZED = 'unauthorized: send the gateway token (server.auth.token) as Authorization: Bearer or ?token=\n';
