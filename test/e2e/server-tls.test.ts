import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connectClient } from 'socket.io-client';
import { silentLogger } from '../../src/log.js';
import { HttpServer } from '../../src/server/http.js';
import { SocketServer } from '../../src/server/socket.js';
import { loadTlsCredentials } from '../../src/server/tls.js';

let dir: string;
/** Makes a self-signed certificate for 127.0.0.1 with openssl; returns the file paths. */
function makeCertificate(name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

let first: { cert: string; key: string };
let second: { cert: string; key: string };
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'obdio-tls-'));
  first = makeCertificate('first');
  second = makeCertificate('second');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('tls: no server.tls means plain HTTP', () => {
  assert.equal(loadTlsCredentials(null), null);
  assert.equal(new HttpServer(() => undefined).scheme, 'http');
});

test('tls: an unreadable file or a key of another certificate is an error naming the file', () => {
  assert.throws(() => loadTlsCredentials({ cert: join(dir, 'nope.crt'), key: first.key }), {
    message: `server.tls.cert: cannot read ${join(dir, 'nope.crt')} (no such file)`,
  });
  assert.throws(
    () => loadTlsCredentials({ cert: first.cert, key: second.key }),
    /cannot be used together .*the key must belong to the certificate/,
  );
  assert.throws(() => loadTlsCredentials({ cert: first.key, key: first.key }), /cannot be used together/);
});

test('tls: Socket.IO over https with a verified certificate; plain http to the same port gets nowhere', async () => {
  const server = new HttpServer((_req, res) => res.end('ok'), loadTlsCredentials(first));
  assert.equal(server.scheme, 'https');
  const sockets = new SocketServer(server.server, { corsAllowedOrigins: [], maxHttpBufferSize: 1e6, authToken: '' }, silentLogger());
  sockets.setEvents({ handlers: new Map([['ping', ({ ack }) => ack?.('pong')]]), disabled: new Set() });
  const port = await server.listen(0, '127.0.0.1');
  try {
    const client = connectClient(`https://127.0.0.1:${port}`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ca: readFileSync(first.cert, 'utf8'),
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('connect_error', reject);
    });
    assert.equal(await client.emitWithAck('ping'), 'pong');
    client.disconnect();

    const untrusted = connectClient(`https://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false, forceNew: true });
    const refused = await new Promise<string>((resolve) => {
      untrusted.once('connect', () => resolve('connected'));
      untrusted.once('connect_error', (error) => resolve(error.message));
    });
    untrusted.disconnect();
    assert.notEqual(refused, 'connected', 'a client that does not trust the certificate does not connect');

    const plain = await new Promise<string>((resolve) => {
      const req = http.get(`http://127.0.0.1:${port}/`, (res) => resolve(`status ${res.statusCode}`));
      req.on('error', (error) => resolve((error as NodeJS.ErrnoException).code ?? error.message));
    });
    assert.notEqual(plain, 'status 200');
  } finally {
    await sockets.close();
    await server.close();
  }
});

test('tls: a reload swaps the certificate; turning TLS off needs a restart', () => {
  const server = new HttpServer(() => undefined, loadTlsCredentials(first));
  assert.doesNotThrow(() => server.setTls(loadTlsCredentials(second)));
  assert.throws(() => server.setTls(null), /turning TLS off needs a restart/);
  assert.throws(() => new HttpServer(() => undefined).setTls(loadTlsCredentials(first)), /turning TLS on needs a restart/);
});
