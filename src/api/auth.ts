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

/** What the token check needs of an HTTP exchange (a Koa context has it all). */
export interface HttpExchange {
  get(header: string): string;
  readonly query: Record<string, unknown>;
  set(header: string, value: string): void;
  status: number;
  type: string;
  body: unknown;
}

/**
 * Whether an HTTP request carries the token, as `Authorization: Bearer <token>` or else `?token=`
 * (what a download link or a Prometheus scrape's `params` can carry). When it does not, the
 * exchange is answered 401 and the route has nothing more to do.
 */
export function httpAuthorized(exchange: HttpExchange, expected: string): boolean {
  const given = /^Bearer (.+)$/.exec(exchange.get('Authorization'))?.[1] ?? exchange.query.token;
  if (tokenMatches(given, expected)) return true;
  exchange.status = 401;
  exchange.set('WWW-Authenticate', 'Bearer');
  exchange.type = 'text/plain';
  exchange.body = 'unauthorized: send the gateway token (server.auth.token) as Authorization: Bearer or ?token=\n';
  return false;
}
