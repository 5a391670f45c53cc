/**
 * Static routes (`static:` of obdio.yaml, the reference's serve_static): a route maps to a
 * file (served at exactly that path) or a folder (served below the route with koa-static,
 * index.html for the folder itself). Whether a target is a file or a folder is looked up per
 * request, so a target created after start-up is served without a reload.
 *
 * Nothing outside a target can be read: request paths are decoded once here and refused when
 * they hold a `..` segment, a backslash, a NUL or bad %-encoding, before any route is matched;
 * koa-send then resolves the rest inside the folder and refuses it again if it escapes.
 * Dot-files inside folders are not served. Symbolic links that the user placed inside a
 * folder are followed (they are part of what the user chose to publish).
 */
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type Koa from 'koa';

/** koa-send and koa-static, loaded only when a config has static routes. */
interface Servers {
  send: typeof import('koa-send');
  serve: typeof import('koa-static');
}
let servers: Promise<Servers> | null = null;
function loadServers(): Promise<Servers> {
  servers ??= Promise.all([import('koa-send'), import('koa-static')]).then(([send, serve]) => ({
    send: send.default,
    serve: serve.default,
  }));
  return servers;
}

/**
 * Refuses request paths that try to leave a route: 400 for a malformed path (bad %-encoding,
 * NUL), 404 for `..` segments and backslashes (nothing there to find). Runs first in the app.
 */
export function pathGuard(): Koa.Middleware {
  return async (ctx, next) => {
    const decoded = decodePath(ctx.path);
    if (decoded === null || decoded.includes('\0')) {
      ctx.status = 400;
      ctx.type = 'text/plain';
      ctx.body = 'Bad Request\n';
      return;
    }
    if (decoded.includes('\\') || decoded.split('/').some((segment) => segment === '..')) {
      ctx.status = 404;
      ctx.type = 'text/plain';
      ctx.body = 'Not Found\n';
      return;
    }
    await next();
  };
}

/** Serves `routes` (route -> absolute path of a file or folder); the longest matching route goes first. */
export function staticRoutes(routes: Readonly<Record<string, string>>): Koa.Middleware {
  const entries = Object.entries(routes).sort(([a], [b]) => b.length - a.length);
  if (entries.length === 0) return (_ctx, next) => next();
  // Started now, so the modules are there by the first request.
  const loading = loadServers().then((modules) => entries.map(([route, target]) => routeHandler(route, target, modules)));
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    const handlers = await loading;
    const path = decodePath(ctx.path);
    if (path === null) return next();
    let index = 0;
    // Each route either answers or passes to the next matching one, then to the rest of the app.
    const dispatch = async (): Promise<void> => {
      const handler = handlers[index++];
      if (!handler) return next();
      await handler(ctx, path, dispatch);
    };
    await dispatch();
  };
}

type RouteHandler = (ctx: Koa.Context, decodedPath: string, next: () => Promise<void>) => Promise<void>;

function routeHandler(route: string, target: string, { send, serve }: Servers): RouteHandler {
  const folder = serve(target, { index: 'index.html', hidden: false, defer: false });
  return async (ctx, path, next) => {
    const rest = below(route, path);
    if (rest === null) return next();
    const kind = await targetKind(target);
    if (kind === 'file') {
      // A file route answers its own path only (and "/route/" as the same thing).
      if (rest !== '' && rest !== '/') return next();
      const sent = await sendFile(ctx, target, send);
      return sent ? undefined : next();
    }
    if (kind !== 'folder') return next();
    // koa-static serves ctx.path: give it the part below the route, re-encoded so that it
    // decodes exactly once more, and put the request path back whatever happens.
    const original = ctx.path;
    ctx.path = encodePath(rest === '' ? '/' : rest);
    try {
      await folder(ctx, async () => {
        ctx.path = original;
        await next();
      });
    } finally {
      ctx.path = original;
    }
  };
}

/** The part of `path` below `route` ('' for the route itself), or null when `path` is elsewhere. */
function below(route: string, path: string): string | null {
  if (route === '/') return path;
  if (path === route) return '';
  return path.startsWith(`${route}/`) ? path.slice(route.length) : null;
}

async function targetKind(target: string): Promise<'file' | 'folder' | 'missing'> {
  try {
    const stats = await stat(target);
    return stats.isDirectory() ? 'folder' : stats.isFile() ? 'file' : 'missing';
  } catch {
    return 'missing';
  }
}

async function sendFile(ctx: Koa.Context, file: string, send: Servers['send']): Promise<boolean> {
  try {
    // The user named this very file, so a dot-file name is fine here.
    return Boolean(await send(ctx, encodePath(`/${basename(file)}`), { root: dirname(file), hidden: true, index: false, format: false }));
  } catch (error) {
    if ((error as { status?: number }).status === 404) return false;
    throw error;
  }
}

function decodePath(path: string): string | null {
  try {
    return decodeURIComponent(path);
  } catch {
    return null;
  }
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
