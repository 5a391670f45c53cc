import type Koa from 'koa';
import { httpAuthorized } from '../api/auth.js';
import type { Metrics } from './metrics.js';

/**
 * Koa middleware answering GET/HEAD /metrics and /healthz from `metrics`; everything else goes on.
 * With `server.auth.token` set /metrics wants it (Bearer or `?token=`): with `log.prometheus` it
 * carries the car's values, and its counters tell who uses the gateway. /healthz stays open for
 * health checks (Docker, systemd, load balancers) and says only whether the car answers.
 */
export function metricsRoutes(metrics: Metrics, authToken = ''): Koa.Middleware {
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
      if (!httpAuthorized(ctx, authToken)) return;
      const { contentType, text } = await metrics.prometheusText();
      ctx.set('Cache-Control', 'no-store');
      ctx.type = contentType;
      ctx.body = text;
      return;
    }
    return next();
  };
}
