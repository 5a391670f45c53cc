import Koa from 'koa';
import type { Spec } from '../config/spec.js';

/**
 * The Koa app behind the HTTP server: built anew from each Spec (a reload swaps it), while
 * Socket.IO keeps its own path on the same server.
 */
export function buildApp(_spec: Spec): Koa {
  const app = new Koa();
  app.silent = true;
  app.use(async (ctx, next) => {
    await next();
    if (ctx.status === 404 && ctx.body === undefined && ctx.path === '/') {
      ctx.type = 'text/plain';
      ctx.body = 'obdio-gateway is running: connect a Socket.IO client to this address.\n';
    }
  });
  return app;
}
