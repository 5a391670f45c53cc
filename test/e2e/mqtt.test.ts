import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { connectAsync, type MqttClient } from 'mqtt';
import type { Gateway } from '../../src/gateway.js';
import { MqttSink } from '../../src/sinks/mqtt.js';
import { reconfigure } from '../../src/config/part.js';
import { DEFAULT_DTCS, DEFAULT_TRANSMISSION_DTCS } from '../../src/sim/vehicle.js';
import { startMosquitto, type Broker } from '../helpers/brokers.js';
import { startGateway } from '../helpers/gateway.js';
import { assertValidHaSensor } from '../helpers/homeassistant-schema.js';

interface Message {
  topic: string;
  text: string;
  retain: boolean;
}

/** A test client that keeps every message it receives and can wait for one that matches. */
class Listener {
  readonly messages: Message[] = [];
  private waiters: Array<{ match: (m: Message) => boolean; resolve: (m: Message) => void }> = [];

  constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      const message = { topic, text: payload.toString(), retain: packet.retain };
      this.messages.push(message);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(message)) return true;
        w.resolve(message);
        return false;
      });
    });
  }

  static async connect(url: string, topics: string[], options: { clientId?: string; clean?: boolean } = {}): Promise<Listener> {
    const client = await connectAsync(url, { reconnectPeriod: 200, ...options });
    const listener = new Listener(client);
    await client.subscribeAsync(topics, { qos: 1 });
    return listener;
  }

  /** The first message (already received or coming) that matches; rejects after `ms`. */
  wait(match: (m: Message) => boolean, ms = 5000, from = 0): Promise<Message> {
    const seen = this.messages.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve };
      this.waiters.push(waiter);
      setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(
            `no matching MQTT message within ${ms} ms; got ${this.messages
              .slice(-5)
              .map((m) => m.topic)
              .join(', ')}`,
          ),
        );
      }, ms).unref();
    });
  }

  topic(topic: string, ms?: number, from?: number): Promise<Message> {
    return this.wait((m) => m.topic === topic, ms, from);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

async function request(listener: Listener, event: string, payload: string, vehicle = 'test-car'): Promise<Record<string, unknown>> {
  const from = listener.messages.length;
  await listener.client.publishAsync(`obdio/${vehicle}/request/${event}`, payload);
  return JSON.parse((await listener.topic(`obdio/${vehicle}/response/${event}`, 5000, from)).text) as Record<string, unknown>;
}

describe('mqtt: values, availability, trouble codes, Home Assistant discovery and requests on a real mosquitto', () => {
  let broker: Broker;
  let gateway: Gateway;
  let sink: MqttSink;
  let listener: Listener;

  before(async () => {
    broker = await startMosquitto({ persistence: true });
    listener = await Listener.connect(broker.url, ['obdio/#', 'homeassistant/#'], { clientId: 'obdio-test-listener', clean: false });
    gateway = await startGateway(`
watch:
  commands: [RPM, SPEED, COOLANT_TEMP]
  interval: 0.05
events:
  disable: [unwatch]
mqtt:
  url: ${broker.url}
  vehicle: test-car
  every: 0
  qos: 1
  buffer: 20
  requests: [query, watch, unwatch]
  homeassistant: { discovery: true }
`);
    sink = gateway.mqttSink!; // the gateway's own sink, started from its mqtt section
  });
  after(async () => {
    await gateway?.stop();
    await listener?.close();
    await broker?.stop();
  });

  test('watched values arrive on <base>/<vehicle>/<COMMAND> with value, unit and time', async () => {
    const rpm = JSON.parse((await listener.topic('obdio/test-car/RPM')).text) as { value: number; unit: string; time: number };
    assert.equal(rpm.unit, 'revolutions_per_minute');
    assert.ok(rpm.value >= 0 && rpm.value < 16384, `RPM ${rpm.value} in J1979's range`);
    assert.ok(Math.abs(rpm.time - Date.now()) < 60_000);
    const speed = JSON.parse((await listener.topic('obdio/test-car/SPEED')).text) as { unit: string };
    assert.equal(speed.unit, 'kilometer_per_hour');
    const temp = JSON.parse((await listener.topic('obdio/test-car/COOLANT_TEMP')).text) as { unit: string };
    assert.equal(temp.unit, 'degree_Celsius');
  });

  test('availability and the car state are retained online; a late subscriber gets them at once', async () => {
    const late = await Listener.connect(broker.url, ['obdio/test-car/availability', 'obdio/test-car/adapter']);
    try {
      const availability = await late.topic('obdio/test-car/availability');
      assert.deepEqual([availability.text, availability.retain], ['online', true]);
      assert.equal((await late.topic('obdio/test-car/adapter')).text, 'online');
    } finally {
      await late.close();
    }
  });

  test('trouble codes are read and published, retained, with their descriptions', async () => {
    await sink.readDtcs();
    const dtc = JSON.parse((await listener.topic('obdio/test-car/dtc')).text) as { count: number; codes: Array<[string, string]> };
    // The simulated car's stored codes: the engine's and the gearbox's.
    const stored = [...DEFAULT_DTCS, ...DEFAULT_TRANSMISSION_DTCS].sort();
    assert.equal(dtc.count, stored.length);
    assert.deepEqual(dtc.codes.map(([code]) => code).sort(), stored);
    assert.ok(dtc.codes.every(([, desc]) => typeof desc === 'string'));
  });

  test('Home Assistant discovery configs are retained and valid against the documented sensor fields', async () => {
    const rpm = await listener.topic('homeassistant/sensor/obdio_test-car/rpm/config');
    const config = JSON.parse(rpm.text) as Record<string, unknown>;
    // Retained: Home Assistant (re)starting later still finds every sensor.
    const late = await Listener.connect(broker.url, ['homeassistant/sensor/obdio_test-car/+/config']);
    try {
      const again = await late.topic('homeassistant/sensor/obdio_test-car/rpm/config');
      assert.deepEqual([again.retain, again.text], [true, rpm.text]);
    } finally {
      await late.close();
    }
    assertValidHaSensor(config);
    assert.equal(config.state_topic, 'obdio/test-car/RPM');
    assert.equal(config.unit_of_measurement, 'rpm');
    const speed = JSON.parse((await listener.topic('homeassistant/sensor/obdio_test-car/speed/config')).text) as Record<string, unknown>;
    assertValidHaSensor(speed);
    assert.deepEqual([speed.device_class, speed.unit_of_measurement, speed.state_class], ['speed', 'km/h', 'measurement']);
    const dtc = JSON.parse((await listener.topic('homeassistant/sensor/obdio_test-car/dtc/config')).text) as Record<string, unknown>;
    assertValidHaSensor(dtc);
    // Every entity belongs to one device, the vehicle.
    assert.deepEqual((config.device as { identifiers: string[] }).identifiers, (dtc.device as { identifiers: string[] }).identifiers);
  });

  test('requests over MQTT are checked like Socket.IO events: query, watch, and the refusals', async () => {
    const plain = await request(listener, 'query', 'RPM');
    assert.equal(plain.id, null);
    const value = plain.value as { command: { name: string }; unit: string };
    assert.deepEqual([value.command.name, value.unit], ['RPM', 'revolutions_per_minute']);

    const enveloped = await request(listener, 'query', JSON.stringify({ args: ['SPEED'], id: 7 }));
    assert.equal(enveloped.id, 7);
    assert.equal((enveloped.value as { command: { name: string } }).command.name, 'SPEED');

    assert.deepEqual((await request(listener, 'query', 'rpm')).error, {
      code: 'UNKNOWN_COMMAND',
      message: "unknown command 'rpm' (names are case-sensitive: did you mean 'RPM'?)",
    });
    assert.equal(((await request(listener, 'query', '')).error as { code: string }).code, 'MISSING_ARGUMENT');
    assert.equal(((await request(listener, 'query', '["RPM", "SPEED"]')).error as { code: string }).code, 'BAD_ARGUMENT');
    // Not listed in mqtt.requests; listed but turned off under events; not an event at all.
    assert.equal(((await request(listener, 'status', '')).error as { code: string }).code, 'EVENT_DISABLED');
    assert.equal(((await request(listener, 'unwatch', 'RPM')).error as { code: string }).code, 'EVENT_DISABLED');
    assert.equal(((await request(listener, 'format_disk', '')).error as { code: string }).code, 'UNKNOWN_EVENT');

    const from = listener.messages.length;
    assert.deepEqual(await request(listener, 'watch', '["ENGINE_LOAD"]'), { id: null, value: null });
    const load = JSON.parse((await listener.topic('obdio/test-car/ENGINE_LOAD', 5000, from)).text) as { unit: string };
    assert.equal(load.unit, 'percent');
    assert.ok(gateway.service.scheduler.watched().some((cmd) => cmd.name === 'ENGINE_LOAD'));
  });

  test('the broker restarting does not crash the gateway; values wait in the bounded buffer and flow again', async () => {
    const before = sink.stats;
    await broker.kill();
    // Nothing arrives while the broker is down, so every value message from here on came after the restart.
    const from = listener.messages.length;
    // While the broker is away the buffer fills to mqtt.buffer (20) and then drops the oldest.
    while (sink.stats.dropped - before.dropped < 5) await new Promise((r) => setTimeout(r, 50));
    assert.equal(sink.stats.buffered, 20);
    assert.equal(sink.stats.connected, false);
    // Stop reading so the buffer holds exactly what was read before `down`; the query waits out a poll in flight.
    gateway.service.scheduler.stop();
    await gateway.service.query(gateway.service.command('RPM')!);
    const down = Date.now();
    await broker.start();
    const isValue = (m: Message): boolean => /\/(RPM|SPEED|COOLANT_TEMP|ENGINE_LOAD)$/.test(m.topic);
    // The buffered values arrive (the listener's persistent session keeps them if it is back later than the gateway).
    const first = JSON.parse((await listener.wait(isValue, 15_000, from)).text) as { time: number };
    assert.ok(first.time <= down, 'the first value after the reconnect is one read while the broker was away');
    while (sink.stats.buffered > 0 || !sink.stats.connected) await new Promise((r) => setTimeout(r, 50));
    gateway.service.scheduler.start();
    const live = await listener.wait(
      (m) => m.topic === 'obdio/test-car/RPM' && (JSON.parse(m.text) as { time: number }).time > down,
      15_000,
      from,
    );
    const delivered = listener.messages
      .slice(from, listener.messages.indexOf(live))
      .filter((m) => isValue(m) && (JSON.parse(m.text) as { time: number }).time <= down);
    assert.ok(delivered.length >= 20, `all 20 buffered values were delivered (got ${delivered.length})`);
    assert.ok(live);
    assert.equal(sink.stats.connected, true);
    assert.ok(sink.stats.reconnects >= 1);
    assert.equal(sink.stats.buffered, 0);
    assert.equal(gateway.service.isConnected, true, 'the gateway and its adapter are unaffected');
  });

  test('a reload moves the topics and clears the old retained discovery; turning mqtt off says offline', async () => {
    const from = listener.messages.length;
    const spec = gateway.currentSpec;
    // Through the gateway's own reload rule (config/part.ts): live apply or restart.
    const moved = { ...spec, mqtt: { ...spec.mqtt!, vehicle: 'other-car' } };
    assert.equal(await reconfigure(sink, spec, moved), 'applied');
    await listener.wait((m) => m.topic === 'obdio/test-car/availability' && m.text === 'offline', 5000, from);
    await listener.wait((m) => m.topic === 'homeassistant/sensor/obdio_test-car/rpm/config' && m.text === '', 5000, from);
    await listener.topic('obdio/other-car/RPM', 5000, from);
    const off = listener.messages.length;
    assert.equal(await reconfigure(sink, moved, { ...moved, mqtt: null }), 'restarted');
    await listener.wait((m) => m.topic === 'obdio/other-car/availability' && m.text === 'offline', 5000, off);
    assert.equal(sink.stats.connected, false);
  });
});

describe('mqtt: last will', () => {
  test('a gateway that dies without a word is announced offline by the broker', async () => {
    const broker = await startMosquitto();
    const listener = await Listener.connect(broker.url, ['obdio/dying-car/availability']);
    const script = fileURLToPath(new URL('../helpers/mqtt-gateway-process.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, broker.url, 'dying-car'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [line] = (await once(child.stdout!, 'data')) as [Buffer];
      assert.equal(line.toString().trim(), 'ready');
      assert.equal((await listener.topic('obdio/dying-car/availability')).text, 'online');
      const from = listener.messages.length;
      process.kill(child.pid!, 'SIGKILL');
      const will = await listener.topic('obdio/dying-car/availability', 10_000, from);
      assert.deepEqual([will.text], ['offline']);
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
      await listener.close();
      await broker.stop();
    }
  });
});

describe('examples/mqtt-homeassistant.yaml', () => {
  test('runs against a real broker: discovery, values, trouble codes and a query over MQTT', async () => {
    const broker = await startMosquitto();
    const listener = await Listener.connect(broker.url, ['obdio/my-car/#', 'homeassistant/#']);
    process.env.OBDIO_MQTT_URL = broker.url;
    const text = await readFile(new URL('../../examples/mqtt-homeassistant.yaml', import.meta.url), 'utf8');
    const gateway = await startGateway(text).finally(() => delete process.env.OBDIO_MQTT_URL);
    const sink = await MqttSink.start(gateway.currentSpec, { service: gateway.service });
    try {
      assert.equal(gateway.currentSpec.mqtt?.username, null, 'an unset ${OBDIO_MQTT_USER:-} means no user name');
      for (const name of ['rpm', 'speed', 'coolant_temp', 'control_module_voltage']) {
        assertValidHaSensor(
          JSON.parse((await listener.topic(`homeassistant/sensor/obdio_my-car/${name}/config`)).text) as Record<string, unknown>,
        );
      }
      assertValidHaSensor(
        JSON.parse((await listener.topic('homeassistant/sensor/obdio_my-car/dtc/config')).text) as Record<string, unknown>,
      );
      await listener.topic('obdio/my-car/RPM');
      await listener.topic('obdio/my-car/dtc', 10_000);
      const reply = await request(listener, 'query', 'SPEED', 'my-car');
      assert.equal((reply.value as { command: { name: string } }).command.name, 'SPEED');
    } finally {
      await sink.stop();
      await gateway.stop();
      await listener.close();
      await broker.stop();
    }
  });
});
