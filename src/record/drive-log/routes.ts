import type Koa from 'koa';
import { httpAuthorized } from '../../api/auth.js';

/** What the route needs of the drive log. */
export interface RecentRowsSource {
  recentCsv(minutes: number | null): string;
}

/**
 * GET/HEAD /log/recent.csv?minutes=N: the last N minutes of rows (all that is kept without N),
 * as a download. Served from memory: nothing of the request reaches the filesystem. With
 * `server.auth.token` set the car's values are the clients' only: the token comes as
 * `?token=` (what a download link can carry) or `Authorization: Bearer`.
 */
export function driveLogRoutes(source: RecentRowsSource, authToken = ''): Koa.Middleware {
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || ctx.path !== '/log/recent.csv') return next();
    if (!httpAuthorized(ctx, authToken)) return;
    const raw = ctx.query.minutes;
    let minutes: number | null = null;
    if (raw !== undefined) {
      minutes = typeof raw === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : Number.NaN;
      if (!(minutes > 0)) {
        ctx.status = 400;
        ctx.type = 'text/plain';
        ctx.body = `minutes must be a number of minutes above 0, like ?minutes=5 (got ${JSON.stringify(raw)})\n`;
        return;
      }
    }
    const stamp = new Date().toISOString().replace(/:/g, '-').slice(0, 19);
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Disposition', `attachment; filename="obdio-recent-${stamp}.csv"`);
    ctx.type = 'text/csv; charset=utf-8';
    ctx.body = source.recentCsv(minutes);
  };
}
