import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { io as connectClient, type Socket } from 'socket.io-client';
import { Gateway } from '../../src/gateway.js';
import { parseConfig } from '../../src/load-config.js';
import { createLogger } from '../../src/log.js';
import { logOversizedMessages } from '../../src/server/oversize.js';
import { connect, next, onFreePort, request, startGateway } from '../helpers/gateway.js';

interface WireError {
  event: string;
  code: string;
  message: string;
}
interface WireResponse {
  value: unknown;
  command: { name: string };
}

/** Connects a websocket client; resolves 'connected' or the connect_error message. */
function tryConnect(url: string, options: Parameters<typeof connectClient>[1] = {}): Promise<{ socket: Socket; result: string }> {
  const socket = connectClient(url, { transports: ['websocket'], reconnection: false, forceNew: true, ...options });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket, result: 'connected' }));
    socket.once('connect_error', (error) => resolve({ socket, result: error.message }));
  });
}

/** A raw HTTP request to the Socket.IO endpoint: the polling handshake, or a WebSocket upgrade. */
function rawRequest(url: string, headers: Record<string, string>, upgrade: boolean): Promise<number> {
  const target = new URL(`/socket.io/?EIO=4&transport=${upgrade ? 'websocket' : 'polling'}`, url);
  return new Promise((resolve, reject) => {
    const req = http.get(target, {
      headers: upgrade
        ? {
            ...headers,
            Connection: 'Upgrade',
            Upgrade: 'websocket',
            'Sec-WebSocket-Version': '13',
            'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
          }
        : headers,
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (error) => {
      // engine.io may answer a refused upgrade with a bare status line and hang up.
      if ((error as NodeJS.ErrnoException).code === 'ECONNRESET') resolve(-1);
      else reject(error);
    });
  });
}

describe('auth token', () => {
  const token = 'correct horse battery staple';
  let gateway: Gateway;
  before(async () => {
    gateway = await startGateway(`server: { auth: { token: "${token}" } }`);
  });
  after(() => gateway.stop());

  test('no token, a wrong one, a prefix of it, or a non-string are refused before any event', async () => {
    for (const auth of [
      undefined,
      { token: 'wrong' },
      { token: token.slice(0, -1) },
      { token: `${token} ` },
      { token: 42 },
      { token: [token] },
      { token: { token } },
    ]) {
      const { socket, result } = await tryConnect(gateway.url, auth ? { auth } : {});
      socket.disconnect();
      assert.equal(result, 'unauthorized: send the gateway token as auth.token in the handshake', JSON.stringify(auth));
    }
  });

  test('/metrics wants the token too (Bearer or ?token=); /healthz stays open and tells no values', async () => {
    const metrics = `${gateway.url}/metrics`;
    for (const headers of [{}, { Authorization: 'Bearer wrong' }, { Authorization: token }] as Array<Record<string, string>>) {
      const refused = await fetch(metrics, { headers });
      assert.equal(refused.status, 401, JSON.stringify(headers));
      assert.equal(refused.headers.get('www-authenticate'), 'Bearer');
      assert.doesNotMatch(await refused.text(), /obdio_/);
    }
    assert.equal((await fetch(`${metrics}?token=wrong`)).status, 401);
    const bearer = await fetch(metrics, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(bearer.status, 200);
    assert.match(await bearer.text(), /^obdio_adapter_requests_total/m);
    assert.equal((await fetch(`${metrics}?token=${encodeURIComponent(token)}`)).status, 200);
    const health = await fetch(`${gateway.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(Object.keys((await health.json()) as object).sort(), [
      'adapter',
      'last_value_age_s',
      'message',
      'status',
      'streaming',
      'uptime_s',
      'watching',
    ]);
  });

  test('the right token connects and queries', async () => {
    const client = await connect(gateway, { token });
    assert.equal(await request(client, 'status'), 'Car Connected');
    client.disconnect();
  });
});

describe('CORS: browsers from foreign origins are refused on polling and WebSocket', () => {
  let strict: Gateway;
  let listed: Gateway;
  before(async () => {
    strict = await startGateway('');
    listed = await startGateway('server: { cors_allowed_origins: ["http://app.example:5173"] }');
  });
  after(async () => {
    await strict.stop();
    await listed.stop();
  });

  test('a foreign Origin gets 403 on the polling handshake and no WebSocket upgrade', async () => {
    const foreign = { Origin: 'http://evil.example' };
    assert.equal(await rawRequest(strict.url, foreign, false), 403);
    assert.notEqual(await rawRequest(strict.url, foreign, true), 101);
    const { socket, result } = await tryConnect(strict.url, { extraHeaders: foreign });
    socket.disconnect();
    assert.notEqual(result, 'connected');
  });

  test('same origin (the page the gateway serves), no Origin (non-browser) and listed origins are allowed', async () => {
    const same = { Origin: strict.url };
    assert.equal(await rawRequest(strict.url, same, false), 200);
    assert.equal(await rawRequest(strict.url, same, true), 101);
    assert.equal(await rawRequest(strict.url, {}, false), 200);
    assert.equal(await rawRequest(listed.url, { Origin: 'http://app.example:5173' }, false), 200);
    assert.equal(await rawRequest(listed.url, { Origin: 'http://app.example:5173' }, true), 101);
    assert.equal(await rawRequest(listed.url, { Origin: 'http://app.example:8080' }, false), 403, 'another port is another origin');
  });
});

describe("CLEAR_DTC (mode 04) erases the car's codes: refused unless allowed", () => {
  test('refused by default: FORBIDDEN, and the codes are still there', async () => {
    const gateway = await startGateway('');
    try {
      const client = await connect(gateway);
      const codes = async (): Promise<string[]> =>
        ((await request<WireResponse>(client, 'query', 'GET_DTC')).value as string[][]).map(([code]) => code);
      const before = await codes();
      assert.ok(before.includes('P0104') && before.includes('P0420'), before.join());
      const error = next<WireError>(client, 'obdio:error');
      client.emit('query', 'CLEAR_DTC');
      assert.deepEqual(await error, {
        event: 'query',
        code: 'FORBIDDEN',
        message: 'clearing trouble codes is disabled: set connection.allow_clear_dtc: true to allow it',
      });
      assert.deepEqual(await codes(), before);
      client.disconnect();
    } finally {
      await gateway.stop();
    }
  });

  test("with allow_clear_dtc: true the simulator's stored codes are cleared", async () => {
    const gateway = await startGateway('connection: { allow_clear_dtc: true }');
    try {
      const client = await connect(gateway);
      const before = await request<WireResponse>(client, 'query', 'GET_DTC');
      assert.ok((before.value as unknown[]).length >= 2, JSON.stringify(before.value));
      // python-OBD decodes mode 04's answer to None (the `drop` decoder), so the reply is null, as
      // the reference's; that the car answered shows as no error on the acknowledgement.
      const errors: unknown[] = [];
      client.on('obdio:error', (error: unknown) => errors.push(error));
      const reply = next(client, 'query');
      const cleared = await client.emitWithAck('query', 'CLEAR_DTC');
      assert.equal(cleared, null);
      assert.equal(await reply, null);
      assert.deepEqual(errors, []);
      const afterwards = await request<WireResponse>(client, 'query', 'GET_DTC');
      assert.deepEqual(afterwards.value, []);
      client.disconnect();
    } finally {
      await gateway.stop();
    }
  });
});

describe('a custom event cannot clear trouble codes the config does not allow to clear', () => {
  const config = (allow: boolean) => `
connection: { allow_clear_dtc: ${allow} }
commands:
  WIPE: { request: "04", desc: The raw mode 04 request }
  WIPE_UDS: { request: "14FFFFFF", header: "7E0", desc: UDS ClearDiagnosticInformation of every group }
events:
  custom:
    wipe:
      - query: [CLEAR_DTC]
      - emit: { event: wiped, data: '{"ok": true }' }
    wipe_raw:
      - query: WIPE
      - emit: { event: wiped, data: '{"ok": true }' }
    wipe_uds:
      - query: WIPE_UDS
      - emit: { event: wiped, data: '{"ok": true }' }
`;

  for (const event of ['wipe', 'wipe_raw', 'wipe_uds']) {
    test(`${event}: refused with ACTION_FAILED naming FORBIDDEN; no later action runs and the codes stay`, async () => {
      const gateway = await startGateway(config(false));
      try {
        const client = await connect(gateway);
        const codes = async (): Promise<unknown> => (await request<WireResponse>(client, 'query', 'GET_DTC')).value;
        const before = await codes();
        assert.ok((before as unknown[]).length >= 2, JSON.stringify(before));
        const wiped: unknown[] = [];
        client.on('wiped', (payload: unknown) => wiped.push(payload));
        const error = next<WireError>(client, 'obdio:error');
        const ack = (await client.emitWithAck(event)) as { error: { code: string; message: string } };
        assert.equal(ack.error.code, 'ACTION_FAILED');
        assert.match(ack.error.message, /FORBIDDEN: clearing trouble codes is disabled/);
        assert.equal((await error).code, 'ACTION_FAILED');
        assert.deepEqual(await codes(), before);
        assert.deepEqual(wiped, [], 'the emit after the refused query ran');
        client.disconnect();
      } finally {
        await gateway.stop();
      }
    });
  }

  for (const event of ['wipe', 'wipe_uds']) {
    test(`allowed: ${event} clears the codes and goes on`, async () => {
      const gateway = await startGateway(config(true));
      try {
        const client = await connect(gateway);
        const wiped = next(client, 'wiped');
        assert.deepEqual(await client.emitWithAck(event), { ok: true }, 'the ack carries the last emit to the sender');
        assert.deepEqual(await wiped, { ok: true });
        assert.deepEqual((await request<WireResponse>(client, 'query', 'GET_DTC')).value, []);
        client.disconnect();
      } finally {
        await gateway.stop();
      }
    });
  }
});

describe('a message over server.max_http_buffer_size', () => {
  test('drops that client only, and the log says which and why', async () => {
    const lines: string[] = [];
    const logger = createLogger('json', 'info', { output: { write: (text: string) => lines.push(text) } });
    const loaded = parseConfig('server: { max_http_buffer_size: 10kb }', null);
    assert.ok(loaded.ok);
    const gateway = await Gateway.start(loaded.spec, { registry: loaded.registry, adjust: onFreePort, logger });
    const stopLogging = logOversizedMessages(gateway.sockets.io, gateway.http.server, logger);
    try {
      await gateway.ready();
      for (const transport of ['websocket', 'polling'] as const) {
        const sender = (await tryConnect(gateway.url, { transports: [transport] })).socket;
        const bystander = await connect(gateway);
        const dropped = new Promise<string>((resolve) => sender.once('disconnect', (reason) => resolve(reason)));
        sender.emit('query', 'x'.repeat(20_000));
        // What the client sees: its connection closes (no event reply can be sent on it).
        assert.equal(await dropped, transport === 'websocket' ? 'transport close' : 'transport error');
        assert.equal(await request(bystander, 'status'), 'Car Connected', 'other clients are not affected');
        bystander.disconnect();
        const warning = lines
          .map((l) => JSON.parse(l) as { msg: string })
          .find((r) => r.msg.includes(transport === 'websocket' ? 'WebSocket message' : 'long-polling message'));
        assert.ok(warning, lines.join(''));
        assert.match(warning.msg, /over server\.max_http_buffer_size \(10000 bytes\): Socket\.IO closed its connection/);
      }
    } finally {
      stopLogging();
      await gateway.stop();
    }
  });
});
