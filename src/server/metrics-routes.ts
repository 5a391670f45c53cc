import type Koa from 'koa';
import type { Metrics } from './metrics.js';

/** Koa middleware answering GET/HEAD /metrics and /healthz from `metrics`; everything else goes on. */
export function metricsRoutes(metrics: Metrics): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === '/healthz') {
      const report = metrics.health();
      ctx.status = report.httpStatus;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = report.body;
      return;
    }
    if (ctx.path === '/metrics') {
      const { contentType, text } = await metrics.prometheusText();
      ctx.set('Cache-Control', 'no-store');
      ctx.type = contentType;
      ctx.body = text;
      return;
    }
    return next();
  };
}
