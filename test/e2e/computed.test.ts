/**
 * Computed commands end to end: examples/trip.yaml on the simulator through a real Socket.IO
 * client (streaming, query, supported_commands, trip reset, hot reload), and the same trip
 * computer on a drive recorded from the simulator, replayed at full speed: its distance is
 * checked against the simulated car's own closed-form distance over the recorded time.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { connectAsync } from 'mqtt';
import type { Socket } from 'socket.io-client';
import { parse, stringify } from 'yaml';
import type { Gateway } from '../../src/gateway.js';
import { distanceAt } from '../../src/sim/drive-cycle.js';
import { parseRecording } from '../../src/transport/recording.js';
import { startMosquitto } from '../helpers/brokers.js';
import { collectUntil, connect, nextMatching, request, startGateway } from '../helpers/gateway.js';
import { assertValidHaSensor } from '../helpers/homeassistant-schema.js';

interface WireResponse {
  value: unknown;
  unit: string | null;
  time: number;
  command: { name: string; command: string; bytes: string };
}

const EXAMPLE = readFileSync(new URL('../../examples/trip.yaml', import.meta.url), 'utf8');
const FIXTURE = fileURLToPath(new URL('../fixtures/recordings/trip-drive.jsonl', import.meta.url));

/** The example with a changed connection and watch list (the rest, computed: included, as shipped). */
function exampleWith(connection: Record<string, unknown>, watch: Record<string, unknown>): string {
  const config = parse(EXAMPLE.replace(/\$\{OBDIO_[A-Z_]+:-([^}]*)\}/g, '$1')) as Record<string, unknown>;
  return stringify({ ...config, connection: { ...(config.connection as object), ...connection }, watch });
}

const named = (name: string) => (r: WireResponse) => r.command.name === name;

describe('examples/trip.yaml on the simulator', () => {
  let gateway: Gateway;
  let socket: Socket;

  before(async () => {
    gateway = await startGateway(EXAMPLE.replace('${OBDIO_ADAPTER:-sim}', 'sim'));
    socket = await connect(gateway);
    assert.equal(await socket.emitWithAck('obdio:subscribe'), true);
  });

  after(async () => {
    socket?.close();
    await gateway?.stop();
  });

  test('every watched computed command streams with its unit; sources nobody watched do not', async () => {
    const seen = await collectUntil<WireResponse>(socket, 'obdio:value', (all) =>
      ['TRIP_TIME', 'TRIP_DISTANCE', 'AVERAGE_SPEED', 'EV_POWER'].every((n) => all.some(named(n))),
    );
    const time = seen.find(named('TRIP_TIME'))!;
    assert.equal(time.unit, 'second');
    assert.equal(time.command.command, 'integrate(1) per second');
    assert.equal(time.command.bytes, '0');
    assert.equal(seen.find(named('TRIP_DISTANCE'))!.unit, 'kilometer');
    assert.ok(!seen.some(named('SPEED')) && !seen.some(named('MAF')), 'SPEED and MAF are polled for the trip, not streamed');
    assert.ok(seen.some(named('BATTERY_VOLTAGE')), 'a source the config watches streams');
  });

  test('EV power is the product of the streamed voltage and current (via the simulated BMS)', async () => {
    const seen = await collectUntil<WireResponse>(socket, 'obdio:value', (all) => all.filter(named('EV_POWER')).length >= 3, 15_000);
    let checked = 0;
    for (const [i, power] of seen.entries()) {
      if (power.command.name !== 'EV_POWER') continue;
      const before = seen.slice(0, i).reverse();
      const volts = before.find(named('BATTERY_VOLTAGE'));
      const amps = before.find(named('BATTERY_CURRENT'));
      if (!volts || !amps) continue;
      assert.ok(Math.abs((power.value as number) - ((volts.value as number) * (amps.value as number)) / 1000) < 1e-9);
      assert.equal(power.unit, 'kilowatt');
      checked++;
    }
    assert.ok(checked >= 2, `${checked} EV_POWER values checked`);
  });

  test('query answers a computed command; supported_commands lists it', async () => {
    const rate = await request<WireResponse>(socket, 'query', 'FUEL_RATE_EST');
    assert.equal(rate.command.command, 'MAF / 14.7 / 745 * 3600');
    assert.equal(rate.unit, 'lph');
    assert.equal(typeof rate.value, 'number');
    const supported = await request<Array<{ name: string }>>(socket, 'supported_commands');
    assert.ok(supported.some((c) => c.name === 'TRIP_DISTANCE'));
  });

  test('obdio:trip_reset starts the trip figures again; an unknown name is refused', async () => {
    await nextMatching<WireResponse>(socket, 'obdio:value', (r) => named('TRIP_TIME')(r) && (r.value as number) > 1.5, 10_000);
    const reset = await new Promise<string[]>((resolve) => socket.emit('obdio:trip_reset', ['TRIP_TIME'], resolve));
    assert.deepEqual(reset, ['TRIP_TIME']);
    const after = await nextMatching<WireResponse>(socket, 'obdio:value', named('TRIP_TIME'));
    assert.ok((after.value as number) < 1, `TRIP_TIME after the reset: ${String(after.value)}`);
    const error = await new Promise<{ code: string }>((resolve) => {
      socket.once('obdio:error', resolve);
      socket.emit('obdio:trip_reset', ['RPM']);
    });
    assert.equal(error.code, 'UNKNOWN_COMMAND');
  });

  test('hot reload: a new computed command streams, and the running trip is kept', async () => {
    const before = await nextMatching<WireResponse>(socket, 'obdio:value', named('TRIP_TIME'));
    const text = EXAMPLE.replace('${OBDIO_ADAPTER:-sim}', 'sim')
      .replace('computed:\n', 'computed:\n  SPEED_MS:\n    expr: "SPEED / 3.6"\n    unit: meter_per_second\n')
      .replace('    EV_POWER: 1hz\n', '    EV_POWER: 1hz\n    SPEED_MS: 2hz\n');
    const result = await gateway.reload(text);
    assert.equal(result.ok, true);
    assert.deepEqual(result.ok && [...result.changed].sort(), ['computed', 'watch']);
    const speed = await nextMatching<WireResponse>(socket, 'obdio:value', named('SPEED_MS'));
    assert.equal(speed.unit, 'meter_per_second');
    const later = await nextMatching<WireResponse>(socket, 'obdio:value', named('TRIP_TIME'));
    assert.ok((later.value as number) >= (before.value as number), `${String(later.value)} >= ${String(before.value)}`);
    const broken = await gateway.reload(text.replace('"SPEED / 3.6"', '"SPEED / NOT_A_COMMAND"'));
    assert.equal(broken.ok, false);
    assert.match(JSON.stringify(broken), /NOT_A_COMMAND': not a command/);
  });
});

describe('computed commands over MQTT, with Home Assistant discovery, on a real mosquitto', () => {
  test('values on <base>/<vehicle>/<COMMAND> and valid discovery configs with their units', async () => {
    const broker = await startMosquitto();
    const client = await connectAsync(broker.url);
    const latest = new Map<string, string>();
    client.on('message', (topic, payload) => latest.set(topic, payload.toString()));
    await client.subscribeAsync(['obdio/#', 'homeassistant/#']);
    const gateway = await startGateway(
      exampleWith({ port: 'sim' }, { commands: { TRIP_DISTANCE: '4hz', EV_POWER: '4hz', TRIP_TIME: '4hz' } }) +
        `mqtt:\n  url: ${broker.url}\n  vehicle: trip-car\n  every: 0\n  homeassistant: { discovery: true }\n`,
    );
    try {
      const wanted = [
        'obdio/trip-car/TRIP_TIME',
        ...['trip_distance', 'ev_power', 'trip_time'].map((n) => `homeassistant/sensor/obdio_trip-car/${n}/config`),
      ];
      for (let i = 0; i < 100 && !wanted.every((t) => latest.has(t)); i++) await new Promise((r) => setTimeout(r, 100));
      const time = JSON.parse(latest.get('obdio/trip-car/TRIP_TIME')!) as { value: number; unit: string };
      assert.equal(time.unit, 'second');
      assert.equal(typeof time.value, 'number');
      const config = (name: string) =>
        JSON.parse(latest.get(`homeassistant/sensor/obdio_trip-car/${name}/config`)!) as Record<string, unknown>;
      for (const name of ['trip_distance', 'ev_power', 'trip_time']) assertValidHaSensor(config(name));
      assert.deepEqual([config('trip_distance').device_class, config('trip_distance').unit_of_measurement], ['distance', 'km']);
      assert.deepEqual([config('ev_power').device_class, config('ev_power').unit_of_measurement], ['power', 'kW']);
      assert.equal(config('trip_distance').state_topic, 'obdio/trip-car/TRIP_DISTANCE');
    } finally {
      await gateway.stop();
      await client.endAsync();
      await broker.stop();
    }
  });
});

describe('the trip computer on a drive recorded from the simulator, replayed at full speed', () => {
  const exchanges = parseRecording(readFileSync(FIXTURE, 'utf8'), FIXTURE);
  const speeds = exchanges.filter((e) => e.req.startsWith('010D'));
  const TRIP = ['TRIP_DISTANCE', 'TRIP_TIME', 'TRIP_FUEL', 'AVERAGE_SPEED', 'AVERAGE_CONSUMPTION', 'AVERAGE_MPG'];
  let last: Map<string, WireResponse>;
  let wallMs = 0;

  before(async () => {
    const started = performance.now();
    const gateway = await startGateway(
      exampleWith(
        { port: `replay:${FIXTURE}`, replay_speed: 0, reconnect: { min_delay: '60s', max_delay: '60s' } },
        { batch: 'off', interval: 0, commands: TRIP },
      ),
    );
    try {
      const socket = await connect(gateway);
      last = new Map();
      socket.on('obdio:value', (r: WireResponse) => last.set(r.command.name, r));
      assert.equal(await socket.emitWithAck('obdio:subscribe'), true);
      await nextMatching<{ state: string }>(socket, 'obdio:status', (s) => s.state === 'lost', 60_000);
      wallMs = performance.now() - started;
      socket.close();
    } finally {
      await gateway.stop();
    }
  });

  test('trip time and distance follow the recorded time, not the wall clock', () => {
    const first = speeds[0]!;
    const final = speeds.at(-1)!;
    const recordedSeconds = (final.t + final.ms - (first.t + first.ms)) / 1000;
    const time = last.get('TRIP_TIME')!.value as number;
    const km = last.get('TRIP_DISTANCE')!.value as number;
    // The sim's car starts with the recording (its header line): its exact distance over the readings.
    const origin = exchanges[0]!.t;
    const expected = distanceAt((final.t - origin) / 1000) - distanceAt((first.t - origin) / 1000);
    console.log(
      `replayed ${recordedSeconds.toFixed(1)} s of driving (${speeds.length} SPEED readings) in ${(wallMs / 1000).toFixed(2)} s: ` +
        TRIP.map((n) => `${n} ${(last.get(n)!.value as number).toFixed(3)} ${last.get(n)!.unit}`).join(', ') +
        `; the simulated car drove ${expected.toFixed(3)} km`,
    );
    assert.ok(Math.abs(time - recordedSeconds) < 0.5, `TRIP_TIME ${time} s over ${recordedSeconds} s recorded`);
    // SPEED comes in whole km/h: within 1% (and 10 m) of the model's exact distance.
    assert.ok(Math.abs(km - expected) < Math.max(0.01, expected * 0.01), `TRIP_DISTANCE ${km} km, the car drove ${expected} km`);
  });

  test('the averages agree with the totals', () => {
    const value = (name: string) => last.get(name)!.value as number;
    assert.ok(Math.abs(value('AVERAGE_SPEED') - (value('TRIP_DISTANCE') / value('TRIP_TIME')) * 3600) < 0.05);
    assert.ok(Math.abs(value('AVERAGE_CONSUMPTION') - (value('TRIP_FUEL') / value('TRIP_DISTANCE')) * 100) < 1e-6);
    assert.ok(Math.abs(value('AVERAGE_MPG') * value('AVERAGE_CONSUMPTION') - 235.215) < 1e-6);
    assert.ok(value('TRIP_FUEL') > 0);
  });
});
