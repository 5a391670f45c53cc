/**
 * Alerts end to end on the simulator over TCP: a threshold on a watched value, a stored trouble
 * code, a low battery (the adapter's own voltage reading: ELM_VOLTAGE is not watched) and the adapter lost (the TCP simulator stopped, then
 * back), each told to a Socket.IO client (obdio:alert, obdio:alerts on connect), a real
 * mosquitto (Home Assistant binary_sensor discovery + retained state), a local HTTP receiver
 * (which fails the first POST, so the retry is exercised) and the log. The webhook's timeout
 * and retries against a receiver that never answers are tested on their own.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { connectAsync, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { io } from 'socket.io-client';
import { Gateway } from '../../src/gateway.js';
import { parseConfig } from '../../src/load-config.js';
import { serveSimulator, type SimulatorServer } from '../../src/sim/serve.js';
import { Webhook } from '../../src/alerts/webhook.js';
import type { AlertEvent } from '../../src/alerts/machine.js';
import { connect, next, nextMatching, onFreePort } from '../helpers/gateway.js';
import { startMosquitto, type Broker } from '../helpers/brokers.js';

/** A local HTTP receiver; `answer` decides each request's fate by its number (0-based). */
class Receiver {
  readonly bodies: unknown[] = [];
  attempts = 0;
  private waiters: Array<() => void> = [];
  private constructor(readonly server: Server) {}

  static async start(answer: (n: number, res: ServerResponse) => void): Promise<Receiver> {
    const receiver: Receiver = new Receiver(
      createServer((req: IncomingMessage, res) => {
        const n = receiver.attempts++;
        let text = '';
        req.on('data', (chunk) => (text += chunk));
        req.on('end', () => {
          if (req.method === 'POST' && req.headers['content-type'] === 'application/json')
            receiver.bodies.push({ n, body: JSON.parse(text) });
          answer(n, res);
          for (const wake of receiver.waiters.splice(0)) wake();
        });
      }),
    );
    const server = receiver.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    const address = this.server.address() as { port: number };
    return `http://127.0.0.1:${address.port}/hook`;
  }

  async until(enough: () => boolean, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!enough()) {
      if (Date.now() > deadline) throw new Error(`receiver: condition not met in ${ms} ms (${this.attempts} attempts)`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Every JSON log line the gateway writes. */
class LogLines extends Writable {
  readonly records: Array<Record<string, unknown>> = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    for (const line of chunk.toString().split('\n')) if (line.trim()) this.records.push(JSON.parse(line) as Record<string, unknown>);
    done();
  }
}

describe('alerts on the simulator', () => {
  let broker: Broker;
  let sim: SimulatorServer;
  let receiver: Receiver;
  let gateway: Gateway;
  let mqtt: MqttClient;
  const retained = new Map<string, string>();
  const logs = new LogLines();

  before(async () => {
    broker = await startMosquitto();
    sim = await serveSimulator('tcp://127.0.0.1:0');
    // The first POST fails (503): the webhook must retry it.
    receiver = await Receiver.start((n, res) => res.writeHead(n === 0 ? 503 : 204).end());
    mqtt = await connectAsync(broker.url);
    mqtt.on('message', (topic, payload) => retained.set(topic, payload.toString()));
    await mqtt.subscribeAsync(['obdio/alert-car/alert/+', 'homeassistant/binary_sensor/#']);
    const yaml = `
connection: { port: "${sim.address}", reconnect: { min_delay: 100ms, max_delay: 200ms } }
watch: { commands: { RPM: 10hz } }
mqtt: { url: "${broker.url}", vehicle: alert-car, every: 0, homeassistant: { discovery: true } }
alerts:
  webhook: { url: "${receiver.url}", timeout: 2s, retries: 3 }
  dtc_every: 1s
  rules:
    ENGINE_RUNNING: { when: "RPM > 100 && RPM < 100000", clear: "RPM < 50", message: Engine running }
    CODE_P0104: { dtc: P0104 }
    CODE_P0999: { dtc: P0999 }
    LOW_BATTERY: { battery: { below: 30 }, message: Battery low }
    ADAPTER_LOST: { adapter: lost, for: 300ms }
`;
    const loaded = parseConfig(yaml, null);
    assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.errors));
    gateway = await Gateway.start(loaded.spec, { adjust: onFreePort, logger: pino({ level: 'info' }, logs) });
    await gateway.ready();
  });

  after(async () => {
    await gateway?.stop();
    await mqtt?.endAsync();
    await sim?.close();
    await receiver?.close();
    await broker?.stop();
  });

  test('raised on Socket.IO (live or in the list on connect), and listed on request', async () => {
    const first = io(gateway.url, { transports: ['websocket'], reconnection: false, forceNew: true, autoConnect: false });
    const connectedWith: AlertEvent[] = [];
    first.once('obdio:alerts', (list: AlertEvent[]) => connectedWith.push(...list));
    first.connect();
    try {
      const raised = new Map<string, AlertEvent>();
      first.on('obdio:alert', (alert: AlertEvent) => alert.active && raised.set(alert.name, alert));
      await waitFor(() => gateway.alerts.active().length === 3);
      const active = gateway.alerts.active();
      // What this client was sent: the list on connecting, then every raise live (a raise the
      // gateway just made may still be on its way).
      const told = (name: string): boolean => raised.has(name) || connectedWith.some((a) => a.name === name);
      await waitFor(() => active.every((alert) => told(alert.name))).catch(() => undefined);
      for (const alert of active) assert.ok(told(alert.name), alert.name);
      assert.deepEqual(active.map((a) => a.name).sort(), ['CODE_P0104', 'ENGINE_RUNNING', 'LOW_BATTERY']);
      assert.deepEqual(active.find((a) => a.name === 'CODE_P0104')!.value, ['P0104']);
      assert.equal(typeof active.find((a) => a.name === 'LOW_BATTERY')!.value, 'number');
      assert.ok((active.find((a) => a.name === 'ENGINE_RUNNING')!.value as number) > 100);

      // Listening before connecting: the list comes with the connection.
      const late = io(gateway.url, { transports: ['websocket'], reconnection: false, forceNew: true, autoConnect: false });
      try {
        const sentOnConnect = next<AlertEvent[]>(late, 'obdio:alerts');
        late.connect();
        const onConnect = await sentOnConnect;
        assert.deepEqual(onConnect.map((a) => a.name).sort(), ['CODE_P0104', 'ENGINE_RUNNING', 'LOW_BATTERY']);
        const asked = (await late.emitWithAck('obdio:alerts')) as AlertEvent[];
        assert.deepEqual(asked.map((a) => a.name).sort(), ['CODE_P0104', 'ENGINE_RUNNING', 'LOW_BATTERY']);
        assert.equal(asked.find((a) => a.name === 'ENGINE_RUNNING')!.message, 'Engine running');
      } finally {
        late.close();
      }
    } finally {
      first.close();
    }
  });

  test('MQTT: a binary_sensor per alert through discovery, and retained states', async () => {
    await waitFor(
      () =>
        retained.has('homeassistant/binary_sensor/obdio_alert-car/alert_code_p0999/config') &&
        JSON.parse(retained.get('obdio/alert-car/alert/LOW_BATTERY') ?? '{}').active === true,
    );
    const config = JSON.parse(retained.get('homeassistant/binary_sensor/obdio_alert-car/alert_low_battery/config')!);
    assert.equal(config.device_class, 'problem');
    assert.equal(config.name, 'Battery low');
    assert.equal(config.state_topic, 'obdio/alert-car/alert/LOW_BATTERY');
    assert.deepEqual(config.availability, [{ topic: 'obdio/alert-car/availability' }]);
    assert.equal(config.device.identifiers[0], 'obdio_alert-car');
    // Never raised: published as off.
    assert.equal(JSON.parse(retained.get('obdio/alert-car/alert/CODE_P0999')!).active, false);
    await waitFor(() => JSON.parse(retained.get('obdio/alert-car/alert/CODE_P0104') ?? '{}').active === true);
  });

  test('webhook: every raise POSTed as JSON, the first after a retry; the log warns with component alerts', async () => {
    // Bodies, not attempts: an attempt counts when its request starts, its body when it has arrived.
    await receiver.until(() => receiver.bodies.length >= 4);
    const delivered = receiver.bodies.filter((b) => (b as { n: number }).n > 0).map((b) => (b as { body: AlertEvent }).body);
    // The refused first POST was sent again: its alert is among those delivered.
    const refused = (receiver.bodies[0] as { body: AlertEvent }).body;
    assert.ok(
      delivered.some((body) => body.name === refused.name && body.since === refused.since),
      JSON.stringify(receiver.bodies),
    );
    assert.deepEqual(
      new Set(delivered.filter((b) => b.active).map((b) => b.name)),
      new Set(['CODE_P0104', 'ENGINE_RUNNING', 'LOW_BATTERY']),
    );
    assert.ok(gateway.alerts.stats().webhook!.failures >= 1);
    const raisedLog = logs.records.find((r) => r.component === 'alerts' && r.alert === 'LOW_BATTERY');
    assert.equal(raisedLog?.level, 40, JSON.stringify(raisedLog));
    assert.match(String(raisedLog!.msg), /alert LOW_BATTERY raised: Battery low/);
  });

  test('adapter lost: raised after `for` once the TCP simulator stops, cleared when it is back', async (t) => {
    const client = await connect(gateway);
    try {
      const lost = nextMatching<AlertEvent>(client, 'obdio:alert', (a) => a.name === 'ADAPTER_LOST' && a.active, 15_000);
      const address = sim.address;
      const stoppedAt = performance.now();
      await sim.close();
      const raised = await lost;
      // A figure, not an assert: the link's detection + `for` (300 ms) + the 1 s check.
      t.diagnostic(`adapter lost raised ${(performance.now() - stoppedAt).toFixed(0)} ms after the simulator stopped`);
      assert.ok(raised.value === 'lost' || raised.value === 'retrying', String(raised.value));
      const back = nextMatching<AlertEvent>(client, 'obdio:alert', (a) => a.name === 'ADAPTER_LOST' && !a.active, 20_000);
      sim = await serveSimulator(address);
      const restartedAt = performance.now();
      const cleared = await back;
      t.diagnostic(`cleared ${(performance.now() - restartedAt).toFixed(0)} ms after it was back`);
      assert.ok(cleared.since >= raised.since);
      await waitFor(
        () =>
          JSON.parse(retained.get('obdio/alert-car/alert/ADAPTER_LOST') ?? '{}').active === false &&
          logs.records.some((r) => r.component === 'alerts' && r.level === 30 && r.alert === 'ADAPTER_LOST'),
      );
    } finally {
      client.close();
    }
  });
});

describe('alerts on a reload', () => {
  test('a rule added appears on MQTT, a rule removed leaves no retained sensor, unchanged rules keep their state', async () => {
    const broker = await startMosquitto();
    const retained = new Map<string, string>();
    const mqtt = await connectAsync(broker.url);
    mqtt.on('message', (topic, payload) => retained.set(topic, payload.toString()));
    await mqtt.subscribeAsync(['obdio/reload-car/alert/+', 'homeassistant/binary_sensor/#']);
    const base = `
watch: { commands: { RPM: 10hz } }
mqtt: { url: "${broker.url}", vehicle: reload-car, homeassistant: { discovery: true } }
alerts:
  rules:
    LOW_BATTERY: { battery: { below: 30 } }
    GONE: { adapter: lost }
`;
    const loaded = parseConfig(base, null);
    assert.ok(loaded.ok);
    const gateway = await Gateway.start(loaded.spec, { adjust: onFreePort });
    try {
      await gateway.ready();
      await waitFor(
        () => gateway.alerts.active().length === 1 && retained.has('homeassistant/binary_sensor/obdio_reload-car/alert_gone/config'),
      );
      const since = gateway.alerts.active()[0]!.since;
      const result = await gateway.reload(base.replace('    GONE: { adapter: lost }\n', '    RUNNING: { when: RPM > 100 }\n'));
      assert.deepEqual(result, { ok: true, changed: ['alerts'] });
      await waitFor(
        () =>
          retained.get('homeassistant/binary_sensor/obdio_reload-car/alert_gone/config') === '' &&
          retained.has('homeassistant/binary_sensor/obdio_reload-car/alert_running/config'),
      );
      assert.equal(retained.get('obdio/reload-car/alert/GONE'), '');
      await waitFor(() => gateway.alerts.active().some((a) => a.name === 'RUNNING'));
      assert.equal(gateway.alerts.active().find((a) => a.name === 'LOW_BATTERY')!.since, since);
    } finally {
      await gateway.stop();
      await mqtt.endAsync();
      await broker.stop();
    }
  });
});

describe('alert webhook against misbehaving receivers', () => {
  const logger = pino({ level: 'silent' });

  test('a receiver that never answers: each attempt times out, retried, then given up', async () => {
    const hanging = await Receiver.start(() => undefined);
    try {
      const webhook = new Webhook({ url: hanging.url, timeout: 200, retries: 2, headers: { authorization: 'Bearer t' } }, logger, 50);
      await webhook.post({ name: 'X', active: true });
      assert.equal(hanging.attempts, 3);
      assert.deepEqual(webhook.stats, { sent: 0, failures: 3, lost: 1 });
      // The next change still goes out after one was given up.
      const ok = await Receiver.start((_n, res) => res.writeHead(200).end());
      try {
        const other = new Webhook({ url: ok.url, timeout: 1000, retries: 0, headers: {} }, logger);
        await other.post({ name: 'Y', active: false });
        assert.deepEqual((ok.bodies[0] as { body: unknown }).body, { name: 'Y', active: false });
      } finally {
        await ok.close();
      }
    } finally {
      await hanging.close();
    }
  });

  test('a redirect is not followed: the POST never leaves the configured URL', async () => {
    const elsewhere = await Receiver.start((_n, res) => res.writeHead(200).end());
    const redirecting = await Receiver.start((_n, res) => res.writeHead(307, { location: elsewhere.url }).end());
    try {
      const webhook = new Webhook({ url: redirecting.url, timeout: 1000, retries: 1, headers: {} }, logger, 10);
      await webhook.post({ name: 'X' });
      assert.equal(redirecting.attempts, 2);
      assert.equal(elsewhere.attempts, 0);
      assert.equal(webhook.stats.lost, 1);
    } finally {
      await elsewhere.close();
      await redirecting.close();
    }
  });
});

async function waitFor(condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
