/**
 * Static routes over raw HTTP (node:http sends paths exactly as written; fetch would normalize
 * `..` away before the gateway ever saw it).
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Gateway } from '../../src/gateway.js';
import { startGateway } from '../helpers/gateway.js';

interface Reply {
  status: number;
  type: string | undefined;
  body: string;
}

function get(gateway: Gateway, path: string, method = 'GET'): Promise<Reply> {
  const { port } = new URL(gateway.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: Number(port), path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const SECRET = 'TOP SECRET: outside every route';

describe('static routes', () => {
  let dir: string;
  let gateway: Gateway;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'obdio-static-'));
    await mkdir(join(dir, 'public/assets/sub'), { recursive: true });
    await mkdir(join(dir, 'docs'), { recursive: true });
    await writeFile(join(dir, 'secret.txt'), SECRET);
    await writeFile(join(dir, 'public/secret.txt'), SECRET); // next to the single-file route's file, not routed
    await writeFile(join(dir, 'public/index.html'), '<!doctype html><title>home</title>');
    await writeFile(join(dir, 'public/assets/app.js'), 'console.log("app");');
    await writeFile(join(dir, 'public/assets/style.css'), 'body { color: red }');
    await writeFile(join(dir, 'public/assets/data.json'), '{"ok": true}');
    await writeFile(join(dir, 'public/assets/logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(join(dir, 'public/assets/sub/deep.txt'), 'deep');
    await writeFile(join(dir, 'public/assets/.env'), SECRET);
    await writeFile(join(dir, 'public/assets/with space.txt'), 'spaced');
    await writeFile(join(dir, 'docs/index.html'), '<p>docs</p>');
    gateway = await startGateway(`
dashboard: false
static:
  /: ${join(dir, 'public/index.html')}
  /assets/: ${join(dir, 'public/assets')}
  /docs: ${join(dir, 'docs')}
  /later: ${join(dir, 'later')}
`);
  });
  after(async () => {
    await gateway.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('a file route serves its file with its content type', async () => {
    const home = await get(gateway, '/');
    assert.equal(home.status, 200);
    assert.match(home.type ?? '', /^text\/html/);
    assert.match(home.body, /<title>home<\/title>/);
  });

  test('a folder route serves what is below it, with the right content types', async () => {
    const cases: Array<[string, RegExp, string]> = [
      ['/assets/app.js', /^(application|text)\/javascript/, 'console.log("app");'],
      ['/assets/style.css', /^text\/css/, 'body { color: red }'],
      ['/assets/data.json', /^application\/json/, '{"ok": true}'],
      ['/assets/logo.svg', /^image\/svg\+xml/, '<svg xmlns="http://www.w3.org/2000/svg"/>'],
      ['/assets/sub/deep.txt', /^text\/plain/, 'deep'],
      ['/assets/with%20space.txt', /^text\/plain/, 'spaced'],
    ];
    for (const [path, type, body] of cases) {
      const reply = await get(gateway, path);
      assert.equal(reply.status, 200, path);
      assert.match(reply.type ?? '', type, path);
      assert.equal(reply.body, body, path);
    }
  });

  test("a folder's own path serves its index.html, with or without the slash", async () => {
    for (const path of ['/docs', '/docs/', '/docs/index.html']) {
      const reply = await get(gateway, path);
      assert.equal(reply.status, 200, path);
      assert.equal(reply.body, '<p>docs</p>', path);
    }
  });

  test('HEAD is answered; other methods and unknown paths are 404', async () => {
    const head = await get(gateway, '/assets/app.js', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal((await get(gateway, '/assets/app.js', 'POST')).status, 404);
    assert.equal((await get(gateway, '/assets/missing.js')).status, 404);
    assert.equal((await get(gateway, '/nothing-here')).status, 404);
    assert.equal((await get(gateway, '/index.html')).status, 404, 'a file route answers its own path only');
    assert.equal((await get(gateway, '/secret.txt')).status, 404);
  });

  test('dot-files inside a folder are not served', async () => {
    for (const path of ['/assets/.env', '/assets/%2eenv']) assert.equal((await get(gateway, path)).status, 404, path);
  });

  test('nothing outside a route can be read, however the path is written', async () => {
    const attempts = [
      '/assets/../secret.txt',
      '/assets/../../secret.txt',
      '/assets/%2e%2e/secret.txt',
      '/assets/%2E%2E/%2E%2E/secret.txt',
      '/assets/..%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/assets/..%5csecret.txt',
      '/assets/..\\secret.txt',
      '/assets/..\\..\\secret.txt',
      '/assets/sub/../../secret.txt',
      '/docs/..%2f..%2fsecret.txt',
      '/../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      `/assets/${'..%2f'.repeat(12)}etc/passwd`,
      '/assets//etc/passwd',
      '/assets/%2fetc%2fpasswd',
      '/assets/app.js%00.html',
      '/assets/%00',
      '/assets/%E0%A4%A',
      '/assets/%252e%252e/secret.txt',
      '//secret.txt',
    ];
    for (const path of attempts) {
      const reply = await get(gateway, path);
      assert.ok(reply.status === 404 || reply.status === 400, `${path} answered ${reply.status}`);
      assert.ok(!reply.body.includes('TOP SECRET'), `${path} leaked the file`);
      assert.ok(!reply.body.includes('root:'), `${path} leaked /etc/passwd`);
    }
  });

  test('a route whose target appears later is served without a reload', async () => {
    assert.equal((await get(gateway, '/later/x.txt')).status, 404);
    await mkdir(join(dir, 'later'));
    await writeFile(join(dir, 'later/x.txt'), 'now here');
    const reply = await get(gateway, '/later/x.txt');
    assert.equal(reply.status, 200);
    assert.equal(reply.body, 'now here');
  });
});

describe('the app without static routes', () => {
  test('the root says the gateway runs; the rest is 404', async () => {
    const gateway = await startGateway('dashboard: false\n');
    try {
      const root = await get(gateway, '/');
      assert.equal(root.status, 200);
      assert.match(root.body, /obdio-gateway is running/);
      assert.equal((await get(gateway, '/index.html')).status, 404);
      assert.equal((await get(gateway, '/../etc/passwd')).status, 404);
    } finally {
      await gateway.stop();
    }
  });
});
