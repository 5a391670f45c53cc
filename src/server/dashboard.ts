import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve, sep } from 'node:path';
import type Koa from 'koa';
import type { DashboardSpec } from '../config/spec.js';
import { packagePath } from '../config/package-files.js';

/** The built-in dashboard's files: a top-level folder of the package. */
export const DASHBOARD_DIR = packagePath('dashboard') + sep;

/** Where the browser libraries are served, whatever the dashboard's route (example pages use them too). */
export const VENDOR_ROUTE = '/_obdio/vendor';

/** Vendor file name → [package, path inside the package]. Resolved through package.json: socket.io-client's exports hide dist/. */
const VENDOR_FILES: Readonly<Record<string, readonly [string, string]>> = {
  'socket.io.min.js': ['socket.io-client', 'dist/socket.io.min.js'],
  'socket.io.min.js.map': ['socket.io-client', 'dist/socket.io.min.js.map'],
  'socket.io.esm.min.js': ['socket.io-client', 'dist/socket.io.esm.min.js'],
  'socket.io.esm.min.js.map': ['socket.io-client', 'dist/socket.io.esm.min.js.map'],
  'uPlot.iife.min.js': ['uplot', 'dist/uPlot.iife.min.js'],
  'uPlot.esm.js': ['uplot', 'dist/uPlot.esm.js'],
  'uPlot.min.css': ['uplot', 'dist/uPlot.min.css'],
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
};

/**
 * Dashboard files change with the gateway version: browsers revalidate them on every load (a
 * 304 on a LAN costs nothing) so an upgrade is never half-applied. Vendor files only change
 * when the package does, so an hour without asking is fine.
 */
const DASHBOARD_CACHE = 'no-cache';
const VENDOR_CACHE = 'public, max-age=3600';

export interface DashboardOptions {
  /** The units the dashboard shows first (the config's `units`); the page can switch. */
  units?: 'metric' | 'imperial';
  /** The trip computer panel's commands (computed ones), in order; empty: no panel. */
  trip?: Array<{ name: string; desc: string }>;
}

/**
 * Serves the dashboard at `dashboard.route` (null: dashboard off) and the browser libraries
 * under /_obdio/vendor/ (always: a user's own page needs the Socket.IO client too, and the car
 * has no internet for a CDN). Paths it does not know fall through to the next middleware, so
 * user static routes mounted before it win and the app's 404 answers the rest.
 */
export function dashboardMiddleware(dashboard: DashboardSpec | null, options: DashboardOptions = {}): Koa.Middleware {
  const vendor = vendorMiddleware();
  const route = dashboard ? (dashboard.route === '/' ? '' : dashboard.route.replace(/\/+$/, '')) : null;
  const trip = options.trip ?? [];
  const settings = JSON.stringify({ units: options.units ?? 'metric', ...(trip.length > 0 ? { trip } : {}) });
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (route === null || ctx.path.startsWith(VENDOR_ROUTE + '/')) return vendor(ctx, next);
    if (route !== '' && ctx.path === route) {
      // Relative asset URLs in index.html need the trailing slash: /dash → /dash/.
      ctx.status = 308;
      ctx.redirect(route + '/' + (ctx.querystring ? `?${ctx.querystring}` : ''));
      return;
    }
    if (!ctx.path.startsWith(route + '/')) return next();
    const relative = ctx.path.slice(route.length + 1) || 'index.html';
    if (relative === 'dashboard.json') {
      ctx.set('Cache-Control', 'no-store');
      ctx.type = CONTENT_TYPES['.json']!;
      ctx.body = settings;
      return;
    }
    const file = safeJoin(DASHBOARD_DIR, relative);
    if (file === null || !(await sendFile(ctx, file, DASHBOARD_CACHE))) return next();
  };
}

/** Serves only /_obdio/vendor/* (socket.io client, uPlot) from node_modules. */
export function vendorMiddleware(): Koa.Middleware {
  const fromHere = createRequire(import.meta.url);
  const resolved = new Map<string, string | null>();
  const locate = (name: string): string | null => {
    if (resolved.has(name)) return resolved.get(name)!;
    const entry = VENDOR_FILES[name];
    let file: string | null = null;
    if (entry) {
      try {
        file = join(dirname(fromHere.resolve(`${entry[0]}/package.json`)), entry[1]);
      } catch {
        file = null; // package not installed: the route answers 404
      }
    }
    resolved.set(name, file);
    return file;
  };
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || !ctx.path.startsWith(VENDOR_ROUTE + '/')) return next();
    const name = ctx.path.slice(VENDOR_ROUTE.length + 1);
    const file = Object.hasOwn(VENDOR_FILES, name) ? locate(name) : null;
    if (file === null || !(await sendFile(ctx, file, VENDOR_CACHE))) return next();
  };
}

/**
 * `relative` (still URL-encoded) inside `root`, or null when it would leave it, names a
 * dotfile, or is not valid percent-encoding.
 */
export function safeJoin(root: string, relative: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/');
  if (segments.some((s) => s === '' || s === '..' || s.startsWith('.'))) return null;
  const file = resolve(root, ...segments);
  return file.startsWith(resolve(root) + sep) ? file : null;
}

/** Sends a regular file with its type, cache policy and validators; false when there is none. */
async function sendFile(ctx: Koa.Context, file: string, cacheControl: string): Promise<boolean> {
  const type = CONTENT_TYPES[extname(file)];
  if (type === undefined) return false;
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return false;
  ctx.status = 200;
  ctx.type = type;
  ctx.set('Cache-Control', cacheControl);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.lastModified = info.mtime;
  ctx.etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  if (ctx.fresh) {
    ctx.status = 304;
    return true;
  }
  ctx.length = info.size;
  // Koa answers HEAD without a body; opening the file for it would only leak a descriptor.
  if (ctx.method !== 'HEAD') ctx.body = createReadStream(file);
  return true;
}
