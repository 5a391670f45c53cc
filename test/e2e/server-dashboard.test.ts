import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Koa from 'koa';
import { DASHBOARD_DIR, dashboardMiddleware, safeJoin } from '../../src/server/dashboard.js';

/** A Koa app with the dashboard middleware and, after it, a route of someone else's. */
async function serve(app: Koa): Promise<{ base: string; server: Server }> {
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function appWith(middleware: Koa.Middleware): Koa {
  const app = new Koa();
  app.silent = true;
  app.use(middleware);
  app.use(async (ctx, next) => {
    if (ctx.path === '/dash/other' || ctx.path === '/health') ctx.body = 'someone else';
    else await next();
  });
  return app;
}

describe('dashboardMiddleware at /dash', () => {
  let base: string;
  let server: Server;
  before(async () => ({ base, server } = await serve(appWith(dashboardMiddleware({ route: '/dash' }, { units: 'imperial' })))));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('the route without its slash redirects, so relative asset URLs resolve under it', async () => {
    const res = await fetch(`${base}/dash?x=1`, { redirect: 'manual' });
    assert.equal(res.status, 308);
    assert.equal(res.headers.get('location'), '/dash/?x=1');
  });

  test('index.html, scripts and styles with their content types and a revalidate policy', async () => {
    const page = await fetch(`${base}/dash/`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    assert.equal(await page.text(), await readFile(join(DASHBOARD_DIR, 'index.html'), 'utf8'));
    const script = await fetch(`${base}/dash/lib/units.js`);
    assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
    const style = await fetch(`${base}/dash/style.css`);
    assert.equal(style.headers.get('content-type'), 'text/css; charset=utf-8');
  });

  test('every file index.html and the modules reference is served', async () => {
    const html = await readFile(join(DASHBOARD_DIR, 'index.html'), 'utf8');
    // /log/recent.csv is the gateway's drive log route, not a dashboard file (test/e2e/drive-log.test.ts).
    const refs = [...html.matchAll(/(?:src|href)="([^"#:]+)"/g)].map((m) => m[1]!).filter((ref) => !ref.startsWith('/log/'));
    const modules = ['app.js'];
    for (let i = 0; i < modules.length; i++) {
      const source = await readFile(join(DASHBOARD_DIR, modules[i]!), 'utf8');
      for (const [, spec] of source.matchAll(/from '(\.[^']+)'/g)) {
        const path = new URL(spec!, `http://x/${modules[i]}`).pathname.slice(1);
        if (!modules.includes(path)) modules.push(path);
      }
    }
    assert.ok(modules.length >= 8, modules.join());
    for (const ref of [...refs, ...modules]) {
      const url = ref.startsWith('/') ? `${base}${ref}` : `${base}/dash/${ref}`;
      assert.equal((await fetch(url)).status, 200, url);
    }
  });

  test('a second request with the ETag gets 304 Not Modified', async () => {
    const first = await fetch(`${base}/dash/app.js`);
    const etag = first.headers.get('etag');
    assert.ok(etag);
    // As a browser revalidates; fetch() alone would add `cache-control: no-cache`, which asks for a full reply.
    const again = await fetch(`${base}/dash/app.js`, { headers: { 'if-none-match': etag, 'cache-control': 'max-age=0' } });
    assert.equal(again.status, 304);
  });

  test('HEAD answers the headers and length without a body', async () => {
    const res = await fetch(`${base}/dash/style.css`, { method: 'HEAD' });
    assert.equal(res.status, 200);
    const { size } = await stat(join(DASHBOARD_DIR, 'style.css'));
    assert.equal(res.headers.get('content-length'), String(size));
    assert.equal(await res.text(), '');
  });

  test('dashboard.json carries the configured units and is never cached', async () => {
    const res = await fetch(`${base}/dash/dashboard.json`);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await res.json(), { units: 'imperial' });
  });

  test('unknown files, dotfiles, escapes and bad encodings are 404; other routes pass through', async () => {
    for (const path of [
      '/dash/nope.js',
      '/dash/.hidden',
      '/dash/..%2fpackage.json',
      '/dash/lib/..%2F..%2Fpackage.json',
      '/dash/%E0%A4%A',
      '/dash/lib/',
      '/dash/lib',
    ]) {
      assert.equal((await fetch(`${base}${path}`)).status, 404, path);
    }
    assert.equal(await (await fetch(`${base}/dash/other`)).text(), 'someone else');
    assert.equal(await (await fetch(`${base}/health`)).text(), 'someone else');
    assert.equal((await fetch(`${base}/`)).status, 404, 'nothing outside the route');
    assert.equal((await fetch(`${base}/dash/`, { method: 'POST' })).status, 404);
  });

  test('the browser libraries under /_obdio/vendor, from node_modules', async () => {
    const io = await fetch(`${base}/_obdio/vendor/socket.io.min.js`);
    assert.equal(io.status, 200);
    assert.equal(io.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(io.headers.get('cache-control'), 'public, max-age=3600');
    assert.match(await io.text(), /Socket\.IO v4/);
    const plot = await fetch(`${base}/_obdio/vendor/uPlot.iife.min.js`);
    assert.match(await plot.text(), /uPlot/);
    const css = await fetch(`${base}/_obdio/vendor/uPlot.min.css`);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    for (const path of ['/_obdio/vendor/package.json', '/_obdio/vendor/', '/_obdio/vendor/..%2fsocket.io.min.js']) {
      assert.equal((await fetch(`${base}${path}`)).status, 404, path);
    }
  });
});

describe('dashboardMiddleware at / and turned off', () => {
  test('at / it serves the page at the root and passes unknown paths on', async () => {
    const { base, server } = await serve(appWith(dashboardMiddleware({ route: '/' })));
    try {
      const page = await fetch(`${base}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<title>obdio-gateway<\/title>/);
      assert.equal((await fetch(`${base}/app.js`)).status, 200);
      assert.deepEqual(await (await fetch(`${base}/dashboard.json`)).json(), { units: 'metric' });
      assert.equal(await (await fetch(`${base}/health`)).text(), 'someone else');
      assert.equal((await fetch(`${base}/missing.html`)).status, 404);
    } finally {
      server.close();
    }
  });

  test('off (null): no page, but the vendor libraries stay for users’ own pages', async () => {
    const { base, server } = await serve(appWith(dashboardMiddleware(null)));
    try {
      assert.equal((await fetch(`${base}/`)).status, 404);
      assert.equal((await fetch(`${base}/app.js`)).status, 404);
      assert.equal((await fetch(`${base}/_obdio/vendor/socket.io.min.js`)).status, 200);
    } finally {
      server.close();
    }
  });
});

test('safeJoin keeps every path inside the root', () => {
  const root = '/srv/dashboard';
  assert.equal(safeJoin(root, 'lib/app.js'), '/srv/dashboard/lib/app.js');
  assert.equal(safeJoin(root, 'a%20b.js'), '/srv/dashboard/a b.js');
  for (const bad of ['../x', 'lib/../../x', '%2e%2e/x', '.env', 'lib/.git/config', 'a//b', '', 'a\\..\\b', 'a%00.js', '%zz']) {
    assert.equal(safeJoin(root, bad), null, bad);
  }
});
