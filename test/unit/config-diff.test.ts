import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffSpecs, isUnchanged } from '../../src/config/diff.js';
import { parseSpecText } from '../../src/config/load.js';
import type { Spec } from '../../src/config/spec.js';

function spec(yaml: string, file: string | null = '/cfg/obdio.yaml'): Spec {
  const result = parseSpecText(yaml, file, {});
  if (!result.ok) assert.fail(result.errors.map((e) => `${e.line}:${e.col} ${e.message}`).join('\n'));
  return result.spec;
}

const BASE = `
connection: { port: /dev/ttyUSB0, timeout: 0.1 }
server: { host: 127.0.0.1, port: 48484, cors_allowed_origins: [http://a, http://b] }
events:
  defaults: [status, query, watch]
  custom:
    snap: [{ query: RPM }, { emit: { event: snap, data: '{{json RPM}}' } }]
watch:
  commands: { RPM: 10hz, SPEED: 1hz, COOLANT_TEMP: ~ }
  interval: 0.25
  callbacks:
    - emit: { event: watch_result }
mqtt: { url: mqtt://127.0.0.1:1883, commands: [RPM, SPEED] }
`;

function diff(change: (yaml: string) => string) {
  return diffSpecs(spec(BASE), spec(change(BASE)));
}

test('identical configs: nothing changed, even with a different file name or key order', () => {
  const same = diffSpecs(spec(BASE), spec(BASE, '/elsewhere/obdio.yaml'));
  assert.ok(isUnchanged(same));
  assert.deepEqual(same.watchCommands, { added: [], removed: [], rateChanged: [] });
  assert.equal(same.restartConnection || same.restartServer || same.restartMqtt, false);
  const reordered = 'watch:\n  interval: 0.25\n  commands: { COOLANT_TEMP: ~, SPEED: 1hz, RPM: 10hz }\n';
  assert.ok(isUnchanged(diffSpecs(spec('watch: { commands: { RPM: 10hz, SPEED: 1hz, COOLANT_TEMP: ~ } }'), spec(reordered))));
});

test('lists whose order means nothing may be reordered', () => {
  const changes = diff((y) =>
    y
      .replace('[http://a, http://b]', '[http://b, http://a]')
      .replace('[status, query, watch]', '[watch, status, query]')
      .replace('commands: [RPM, SPEED] }', 'commands: [SPEED, RPM] }'),
  );
  assert.deepEqual(changes.changed, []);
  // ...but the order of actions is their execution order.
  const swapped = diff((y) => y.replace("[{ query: RPM }, { emit: { event: snap, data: '{{json RPM}}' } }]", "[{ emit: { event: snap, data: '{{json RPM}}' } }, { query: RPM }]"));
  assert.deepEqual(swapped.changed, ['events']);
  assert.equal(swapped.events, true);
});

test('connection: port needs a reopen, timeout is applied live', () => {
  const port = diff((y) => y.replace('/dev/ttyUSB0', 'tcp://192.168.0.10:35000'));
  assert.deepEqual(port.changed, ['connection']);
  assert.equal(port.restartConnection, true);
  assert.equal(port.connectionOptions, false);
  assert.equal(port.restartServer, false);

  const timeout = diff((y) => y.replace('timeout: 0.1', 'timeout: 200ms'));
  assert.deepEqual(timeout.changed, ['connection']);
  assert.equal(timeout.restartConnection, false);
  assert.equal(timeout.connectionOptions, true);

  // The same value written another way is no change: 0.1 s = 100ms.
  assert.deepEqual(diff((y) => y.replace('timeout: 0.1', 'timeout: 100ms')).changed, []);
});

test('server: host/port/tls/adapter restart it; cors, buffer size and auth are live options', () => {
  const port = diff((y) => y.replace('port: 48484', 'port: 8080'));
  assert.equal(port.restartServer, true);
  assert.equal(port.serverOptions, false);
  assert.equal(port.restartConnection, false);

  const tls = diff((y) => y.replace('port: 48484,', 'port: 48484, tls: { cert: c.pem, key: k.pem },'));
  assert.equal(tls.restartServer, true);

  const cors = diff((y) => y.replace('[http://a, http://b]', '"*"'));
  assert.deepEqual(cors.changed, ['server']);
  assert.equal(cors.restartServer, false);
  assert.equal(cors.serverOptions, true);

  const auth = diff((y) => y.replace('port: 48484,', 'port: 48484, auth: { token: t },'));
  assert.equal(auth.restartServer, false);
  assert.equal(auth.serverOptions, true);
});

test('watch: added, removed and re-rated commands, interval and callbacks apart', () => {
  const changes = diff((y) => y.replace('{ RPM: 10hz, SPEED: 1hz, COOLANT_TEMP: ~ }', '{ RPM: 5hz, COOLANT_TEMP: ~, MAF: 2hz, SPEED_X: ~ }'));
  assert.deepEqual(changes.changed, ['watch']);
  assert.deepEqual(changes.watchCommands, { added: ['MAF', 'SPEED_X'], removed: ['SPEED'], rateChanged: ['RPM'] });
  assert.equal(changes.watchInterval, false);
  assert.equal(changes.callbacks, false);
  assert.equal(changes.restartConnection, false);

  // From "every pass" (null) to a rate is a rate change too.
  assert.deepEqual(diff((y) => y.replace('COOLANT_TEMP: ~', 'COOLANT_TEMP: 1hz')).watchCommands.rateChanged, ['COOLANT_TEMP']);

  const interval = diff((y) => y.replace('interval: 0.25', 'interval: 1s'));
  assert.equal(interval.watchInterval, true);
  assert.deepEqual(interval.watchCommands, { added: [], removed: [], rateChanged: [] });

  const callbacks = diff((y) => y.replace('{ event: watch_result }', '{ event: watch_result, every: 1s }'));
  assert.equal(callbacks.callbacks, true);
  assert.equal(callbacks.watchInterval, false);
});

test('mqtt: on/off and connection keys need a new client; topics do not', () => {
  const off = diff((y) => y.replace(/^mqtt:.*$/m, ''));
  assert.deepEqual(off.changed, ['mqtt']);
  assert.equal(off.mqtt, true);
  assert.equal(off.restartMqtt, true);

  const url = diff((y) => y.replace('mqtt://127.0.0.1:1883', 'mqtt://10.0.0.2:1883'));
  assert.equal(url.restartMqtt, true);

  const topic = diff((y) => y.replace('{ url:', '{ base_topic: car, url:'));
  assert.equal(topic.mqtt, true);
  assert.equal(topic.restartMqtt, false);
});

test('every other section is reported by name', () => {
  const changes = diffSpecs(
    spec(''),
    spec(`
static: { /x: public }
commands: { SOC: { request: "2201" } }
record: { dir: rec }
units: imperial
dashboard: false
events: { disable: [close] }
`),
  );
  assert.deepEqual(changes.changed, ['events', 'static', 'commands', 'record', 'units', 'dashboard']);
  assert.deepEqual(
    [changes.events, changes.static, changes.commands, changes.record, changes.units, changes.dashboard, changes.mqtt, changes.callbacks],
    [true, true, true, true, true, true, false, false],
  );
  const from = diffSpecs(spec(''), spec('commands_from: [a.json]'));
  assert.deepEqual(from.changed, ['commands_from']);
  assert.equal(from.commands, true);
  // Another model year selects other signal-set commands.
  const year = diffSpecs(spec('vehicle: { model_year: 2019 }'), spec('vehicle: { model_year: 2021 }'));
  assert.deepEqual([year.changed, year.commands], [['vehicle'], true]);
});

test('diffSpecs is pure: its inputs are left as they were', () => {
  const a = spec(BASE);
  const b = spec(BASE.replace('[http://a, http://b]', '[http://b, http://a]'));
  const before = JSON.stringify([a, b]);
  diffSpecs(a, b);
  assert.equal(JSON.stringify([a, b]), before);
});
