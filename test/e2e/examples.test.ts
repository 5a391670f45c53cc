/**
 * Every example in examples/ that this suite owns, loaded from disk as a user would and run
 * against the simulator (over TCP for the WiFi adapter), through real Socket.IO clients.
 * Only what is needed to stay on this machine is changed: a free loopback port, `sim` instead
 * of a serial port.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { io as connectClient, type Socket } from 'socket.io-client';
import type { Spec } from '../../src/config/spec.js';
import { formatConfigError } from '../../src/config/errors.js';
import { Gateway } from '../../src/gateway.js';
import { loadConfig } from '../../src/load-config.js';
import { serveSimulator } from '../../src/sim/serve.js';
import { collect, connect, next, onFreePort, request } from '../helpers/gateway.js';

const examples = fileURLToPath(new URL('../../examples/', import.meta.url));

interface WireResponse {
  value: unknown;
  command: { name: string };
  unit: string | null;
  time: number;
}

async function load(name: string, env: NodeJS.ProcessEnv = {}): Promise<Spec> {
  const result = await loadConfig(join(examples, name), env);
  assert.ok(result.ok, result.ok ? '' : result.errors.map(formatConfigError).join('\n'));
  return result.spec;
}

/** Runs `body` against a gateway started from the example; `local` keeps it on this machine. */
async function withExample(
  name: string,
  body: (gateway: Gateway, spec: Spec) => Promise<void>,
  local: (spec: Spec) => Spec = (s) => s,
  env: NodeJS.ProcessEnv = {},
): Promise<void> {
  const spec = await load(name, env);
  const gateway = await Gateway.start(spec, { adjust: (s) => onFreePort(local(s)) });
  try {
    await gateway.ready();
    await body(gateway, spec);
  } finally {
    await gateway.stop();
  }
}

function httpGet(
  gateway: Gateway,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { port } = new URL(gateway.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: Number(port), path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const onLoopback = (spec: Spec): Spec => ({ ...spec, server: { ...spec.server, host: '127.0.0.1' } });
const onSimulator = (spec: Spec): Spec => ({ ...spec, connection: { ...spec.connection, port: 'sim' } });

describe('examples/', () => {
  test('minimal.yaml streams its three commands to every client', async () => {
    await withExample('minimal.yaml', async (gateway) => {
      const client = await connect(gateway);
      try {
        assert.equal(await request(client, 'status'), 'Car Connected');
        const seen = await collect<WireResponse>(client, 'watch_result', 1500);
        assert.deepEqual([...new Set(seen.map((r) => r.command.name))].sort(), ['COOLANT_TEMP', 'RPM', 'SPEED']);
      } finally {
        client.disconnect();
      }
    });
  });

  test('dashboard.yaml serves the page at / and streams the throttled cache on live', async () => {
    await withExample('dashboard.yaml', async (gateway, spec) => {
      assert.equal(spec.static['/'], join(examples, 'public/index.html'));
      assert.equal(spec.dashboard?.route, '/dashboard');
      const page = await httpGet(gateway, '/');
      assert.equal(page.status, 200);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.match(page.body, /<html/i);
      const client = await connect(gateway);
      try {
        const live = await collect<Record<string, WireResponse>>(client, 'live', 1600);
        // At most one emit per 500 ms: 2-4 in 1.6 s.
        assert.ok(live.length >= 2 && live.length <= 4, `${live.length} live emits`);
        const last = live.at(-1)!;
        for (const name of ['RPM', 'SPEED', 'COOLANT_TEMP', 'THROTTLE_POS', 'ENGINE_LOAD', 'FUEL_LEVEL']) {
          assert.equal(last[name]?.command.name, name, `${name} in the cache`);
        }
      } finally {
        client.disconnect();
      }
    });
  });

  test('tuning.yaml polls each command at its own rate and answers snapshot', async () => {
    await withExample('tuning.yaml', async (gateway) => {
      const client = await connect(gateway);
      try {
        const watching = await request<Array<{ name: string; rate: number | null }>>(client, 'obdio:watching');
        assert.deepEqual(Object.fromEntries(watching.map((w) => [w.name, w.rate])), {
          RPM: 10,
          THROTTLE_POS: 10,
          SPEED: 5,
          COOLANT_TEMP: 0.5,
          FUEL_LEVEL: 0.1,
          INTAKE_TEMP: null,
        });
        const engine = await collect<WireResponse>(client, 'engine', 1500);
        const rpm = engine.filter((r) => r.command.name === 'RPM').length;
        // 10 Hz over 1.5 s: about 15, never much more.
        assert.ok(rpm >= 8 && rpm <= 18, `${rpm} RPM responses in 1.5 s`);
        assert.ok(engine.every((r) => r.command.name === 'RPM' || r.command.name === 'THROTTLE_POS'));

        const snapshot = await request<{
          rpm: number;
          speed: number;
          coolant: number;
          fuel: number;
          units: { speed: string; coolant: string };
        }>(client, 'snapshot');
        for (const key of ['rpm', 'speed', 'coolant', 'fuel'] as const) assert.equal(typeof snapshot[key], 'number', key);
        assert.equal(snapshot.fuel, Math.round(snapshot.fuel * 10) / 10, 'fuel rounded to one decimal');
        assert.deepEqual(snapshot.units, { speed: 'km/h', coolant: '°C' });
      } finally {
        client.disconnect();
      }
    });
  });

  test('wifi-adapter.yaml talks to an ELM327 over TCP (the simulator serving on loopback)', async () => {
    const spec = await load('wifi-adapter.yaml');
    assert.equal(spec.connection.port, 'tcp://192.168.0.10:35000');
    assert.equal(spec.connection.timeout, 500);
    const adapter = await serveSimulator('tcp://127.0.0.1:0');
    try {
      await withExample(
        'wifi-adapter.yaml',
        async (gateway) => {
          const client = await connect(gateway);
          try {
            assert.equal(await request(client, 'status'), 'Car Connected');
            assert.equal(await request(client, 'port_name'), adapter.address);
            const seen = await collect<WireResponse>(client, 'watch_result', 1500);
            assert.ok(seen.some((r) => r.command.name === 'RPM' && typeof r.value === 'number'));
          } finally {
            client.disconnect();
          }
        },
        (s) => ({ ...s, connection: { ...s.connection, port: adapter.address } }),
      );
    } finally {
      await adapter.close();
    }
  });

  test('raspberry-pi-hotspot.yaml: LAN-wide, any origin, token from OBDIO_TOKEN; close is off', async () => {
    const env = { OBDIO_TOKEN: 'hotspot-secret' };
    const spec = await load('raspberry-pi-hotspot.yaml', env);
    assert.equal(spec.server.host, '0.0.0.0');
    assert.equal(spec.server.cors_allowed_origins, '*');
    assert.equal(spec.server.auth.token, 'hotspot-secret');
    assert.equal(spec.connection.port, 'auto');
    assert.equal((await load('raspberry-pi-hotspot.yaml')).server.auth.token, null, 'without the variable: no token');

    await withExample(
      'raspberry-pi-hotspot.yaml',
      async (gateway) => {
        // Without the token the handshake is refused.
        const stranger = connectClient(gateway.url, { transports: ['websocket'], reconnection: false, forceNew: true });
        const refused = await new Promise<Error>((resolve) => stranger.once('connect_error', resolve));
        assert.match(refused.message, /unauthorized/);
        stranger.close();

        const phone: Socket = await connect(gateway, { token: 'hotspot-secret' });
        try {
          assert.equal(await request(phone, 'status'), 'Car Connected');
          const error = next<{ code: string }>(phone, 'obdio:error');
          phone.emit('close');
          assert.equal((await error).code, 'EVENT_DISABLED');
          const live = await collect<Record<string, WireResponse>>(phone, 'live', 1300);
          assert.ok(live.length >= 1 && live.length <= 3, `${live.length} live emits`);
        } finally {
          phone.disconnect();
        }
        // A page from another origin (a phone app, a dev server) may connect.
        const handshake = await httpGet(gateway, '/socket.io/?EIO=4&transport=polling', { Origin: 'http://phone.local:5173' });
        assert.equal(handshake.status, 200);
        assert.equal(handshake.headers['access-control-allow-origin'], 'http://phone.local:5173');
        const page = await httpGet(gateway, '/');
        assert.equal(page.status, 200);
      },
      (s) => onSimulator(onLoopback(s)),
      env,
    );
  });

  test("watch-callback.yaml reproduces the reference README's examples", async () => {
    await withExample('watch-callback.yaml', async (gateway, spec) => {
      assert.equal(spec.server.cors_allowed_origins, '*');
      assert.equal(spec.static['/'], join(examples, 'public/index.html'));
      assert.equal((await httpGet(gateway, '/')).status, 200, "serve_static({'/': 'index.html'})");

      const [a, b] = await Promise.all([connect(gateway), connect(gateway)]);
      try {
        // create_event('custom_event', ...): sio.emit('custom', data) reaches everybody with the data as sent.
        const custom = Promise.all([next(a, 'custom'), next(b, 'custom')]);
        a.emit('custom_event', { hello: ['world', 1] });
        assert.deepEqual(await custom, [{ hello: ['world', 1] }, { hello: ['world', 1] }]);

        // The overridden watch: watches the command, then sio.emit('event') with no data, to everybody.
        const event = Promise.all([
          new Promise<unknown[]>((resolve) => a.once('event', (...args: unknown[]) => resolve(args))),
          new Promise<unknown[]>((resolve) => b.once('event', (...args: unknown[]) => resolve(args))),
        ]);
        a.emit('watch', 'RPM');
        assert.deepEqual(await event, [[], []]);
        assert.deepEqual(
          (await request<Array<{ name: string }>>(a, 'obdio:watching')).map((w) => w.name),
          ['RPM'],
        );

        // watch_callback caching every response, streamed at a lower rate: once per second.
        a.emit('start');
        const data = await collect<Record<string, WireResponse>>(b, 'data', 2300);
        assert.ok(data.length >= 1 && data.length <= 3, `${data.length} cache emits in 2.3 s`);
        assert.deepEqual(Object.keys(data.at(-1)!), ['RPM']);
        assert.equal(data.at(-1)!.RPM!.unit, 'revolutions_per_minute');
      } finally {
        a.disconnect();
        b.disconnect();
      }
    });
  });
});
