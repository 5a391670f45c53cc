import Koa from 'koa';
import type { Spec } from '../config/spec.js';
import { pathGuard, staticRoutes } from './static.js';

export interface AppExtras {
  /**
   * Middleware run after the user's static routes (which win on the same path) and before the
   * app's own fallback answers, e.g. the dashboard's.
   */
  before?: Koa.Middleware[];
}

/**
 * The Koa app behind the HTTP server: built anew from each Spec (a reload swaps it), while
 * Socket.IO keeps its own path on the same server. Order: path guard (traversal attempts),
 * static routes, extras, then the root's "running" note; everything else is a 404.
 */
export function buildApp(spec: Spec, extra: AppExtras = {}): Koa {
  const app = new Koa();
  app.silent = true;
  app.use(pathGuard());
  app.use(async (ctx, next) => {
    await next();
    if (ctx.status === 404 && ctx.body === undefined && ctx.path === '/') {
      ctx.type = 'text/plain';
      ctx.body = 'obdio-gateway is running: connect a Socket.IO client to this address.\n';
    }
  });
  app.use(staticRoutes(spec.static));
  for (const middleware of extra.before ?? []) app.use(middleware);
  return app;
}
