import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { buildApp } from '../../src/server/app.js';
import { metricsRoutes } from '../../src/server/metrics-routes.js';
import { loopDelaySeconds, Metrics } from '../../src/server/metrics.js';
import { connect, startGateway } from '../helpers/gateway.js';
import { specOf, startRig, type Rig } from '../helpers/tapped-adapter.js';

/** `name{labels} value` lines of a Prometheus text exposition, keyed by `name{labels}`. */
function samples(text: string): Map<string, number> {
  const result = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    assert.ok(match, `not a sample line: ${line}`);
    result.set(match[1]!, Number(match[2]));
  }
  return result;
}

describe('/metrics and /healthz on the gateway app', () => {
  let rig: Rig;
  let metrics!: Metrics;
  let server: Server;
  let base: string;

  before(async () => {
    const spec = specOf('watch: { commands: [RPM, SPEED], interval: 0.02 }');
    rig = await startRig(spec, (service, taps) => {
      metrics = new Metrics({ service, taps, clients: () => 3 });
    });
    metrics.watchAdapter(rig.adapter);
    const app = buildApp(spec, { before: [metricsRoutes(metrics)] });
    server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  after(async () => {
    metrics.stop();
    await rig.stop();
    await new Promise((resolve) => server.close(resolve));
  });

  test('/healthz: 200 once values flow, with the adapter state and the age of the last value', async () => {
    for (const name of ['RPM', 'SPEED']) rig.service.scheduler.watch(rig.service.command(name)!);
    assert.equal(((await (await fetch(`${base}/healthz`)).json()) as { status: string }).status, 'idle');
    rig.service.scheduler.start();
    while (metrics.health().body.status !== 'ok') await new Promise((r) => setTimeout(r, 20));
    const response = await fetch(`${base}/healthz`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as {
      status: string;
      adapter: { state: string; status: string };
      last_value_age_s: number;
      watching: number;
    };
    assert.equal(body.status, 'ok');
    assert.deepEqual(body.adapter, { state: 'connected', status: 'Car Connected' });
    assert.ok(body.last_value_age_s >= 0 && body.last_value_age_s < 10);
    assert.equal(body.watching, 2);
  });

  test('/metrics: Prometheus text with requests, errors by kind, reconnects, values, event loop delay and reloads', async () => {
    // A PID the simulated car does not have, asked anyway: the adapter answers NO DATA.
    const unsupported = [...Array(0x20).keys()].map((pid) => `01${pid.toString(16).toUpperCase().padStart(2, '0')}`);
    const missing = unsupported
      .map((code) => [...rig.service.commands.all()].find((c) => c.command === code))
      .find((cmd) => cmd && !rig.service.supports(cmd));
    assert.ok(missing, 'the simulator leaves some PID of 01-1F unsupported');
    await rig.service.scheduler.query(missing, true);
    metrics.countReload({ ok: true });
    metrics.countReload({ ok: false });

    const response = await fetch(`${base}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const s = samples(text);
    assert.ok(s.get('obdio_adapter_requests_total{type="obd"}')! > 10);
    assert.ok(s.get('obdio_adapter_requests_total{type="at"}')! >= 5, 'the ELM327 start-up is AT commands');
    assert.ok(s.get('obdio_adapter_errors_total{kind="NO_DATA"}')! >= 1);
    assert.equal(s.get('obdio_adapter_reconnects_total'), 0);
    assert.equal(s.get('obdio_adapter_state{state="connected"}'), 1);
    assert.equal(s.get('obdio_adapter_state{state="retrying"}'), 0);
    assert.equal(s.get('obdio_vehicle_connected'), 1);
    assert.ok(s.get('obdio_values_total')! > 0);
    assert.equal(s.get('obdio_clients'), 3);
    assert.ok(s.get('obdio_adapter_requests_per_second')! >= 0);
    for (const quantile of ['0.5', '0.9', '0.99', 'max']) assert.ok(s.has(`obdio_event_loop_delay_seconds{quantile="${quantile}"}`));
    assert.equal(s.get('obdio_config_reloads_total{result="ok"}'), 1);
    assert.equal(s.get('obdio_config_reloads_total{result="error"}'), 1);
    assert.ok(s.has('process_cpu_seconds_total'), "prom-client's process metrics");
    // Parts that are not attached publish no samples rather than zeros that look like data.
    assert.equal(s.has('obdio_mqtt_connected'), false);
  });

  test('event-loop delay is the lateness of the sampling ticks, not their interval', async () => {
    await fetch(`${base}/metrics`); // starts a fresh window
    await new Promise((resolve) => setTimeout(resolve, 200));
    const blockedUntil = Date.now() + 120;
    while (Date.now() < blockedUntil); // holds the event loop for 120 ms
    await new Promise((resolve) => setTimeout(resolve, 200));
    const s = samples(await (await fetch(`${base}/metrics`)).text());
    assert.ok(s.get('obdio_event_loop_delay_seconds{quantile="max"}')! >= 0.09, 'the 120 ms block is seen');
    // A tick on time reads 0, not the 20 ms between ticks (how late ticks come on this machine
    // right now is its load's business, so the arithmetic is checked on exact samples).
    assert.equal(loopDelaySeconds(20e6), 0);
    assert.equal(loopDelaySeconds(19e6), 0);
    assert.equal(loopDelaySeconds(140e6), 0.12);
    assert.equal(loopDelaySeconds(Number.NaN), 0);
  });

  test('other paths go on to the rest of the app', async () => {
    const response = await fetch(`${base}/nothing-here`);
    assert.equal(response.status, 404);
  });

  test('/healthz: 503 when the adapter goes away, with the reason', async () => {
    await rig.adapter.stop();
    const response = await fetch(`${base}/healthz`);
    assert.equal(response.status, 503);
    const body = (await response.json()) as { status: string; message: string };
    assert.equal(body.status, 'adapter_down');
    assert.match(body.message, /not connected/);
  });
});

describe('/metrics counts client traffic on the whole gateway', () => {
  test('events by name, unknown names under one label, and every obdio:error by code', async () => {
    const gateway = await startGateway('');
    const client = await connect(gateway);
    try {
      await client.emitWithAck('status');
      await client.emitWithAck('status');
      await client.emitWithAck('query', 'rpm'); // UNKNOWN_COMMAND
      await client.emitWithAck('watch', []); // BAD_ARGUMENT
      for (let i = 0; i < 3; i++) await client.emitWithAck(`made_up_${i}`); // UNKNOWN_EVENT
      const text = await (await fetch(`${gateway.url}/metrics`)).text();
      const seen = samples(text);
      assert.equal(seen.get('obdio_client_events_total{event="status"}'), 2);
      assert.equal(seen.get('obdio_client_events_total{event="query"}'), 1);
      assert.equal(seen.get('obdio_client_events_total{event="watch"}'), 1);
      assert.equal(seen.get('obdio_client_events_total{event="(unknown)"}'), 3);
      assert.ok(![...seen.keys()].some((key) => key.includes('made_up')), 'a client cannot add labels');
      assert.equal(seen.get('obdio_client_errors_total{code="UNKNOWN_COMMAND"}'), 1);
      assert.equal(seen.get('obdio_client_errors_total{code="BAD_ARGUMENT"}'), 1);
      assert.equal(seen.get('obdio_client_errors_total{code="UNKNOWN_EVENT"}'), 3);
    } finally {
      client.disconnect();
      await gateway.stop();
    }
  });
});
