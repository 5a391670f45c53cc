import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changedSections, differs, touches } from '../../src/config/diff.js';
import { needsRestart } from '../../src/config/part.js';
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

/** What a reload sees: the sections that changed, and per part whether a key marked x-restart for it changed. */
function diffSpecs(a: Spec, b: Spec) {
  return {
    changed: changedSections(a, b),
    restart: (part: string) => needsRestart(part, a, b),
    /** Changed, but no key marked x-restart for the part: applied live. */
    live: (part: 'server' | 'connection' | 'mqtt') => touches(a, b, part) && !needsRestart(part, a, b),
    differs: (select: (spec: Spec) => unknown) => differs(a, b, select),
  };
}

function diff(change: (yaml: string) => string) {
  return diffSpecs(spec(BASE), spec(change(BASE)));
}

const NO_RESTART = ['connection', 'server', 'mqtt'];

test('identical configs: nothing changed, even with a different file name or key order', () => {
  const same = diffSpecs(spec(BASE), spec(BASE, '/elsewhere/obdio.yaml'));
  assert.deepEqual(same.changed, []);
  assert.equal(
    same.differs((s) => s.watch.commands),
    false,
  );
  assert.deepEqual(NO_RESTART.filter(same.restart), []);
  const reordered = 'watch:\n  interval: 0.25\n  commands: { COOLANT_TEMP: ~, SPEED: 1hz, RPM: 10hz }\n';
  assert.deepEqual(diffSpecs(spec('watch: { commands: { RPM: 10hz, SPEED: 1hz, COOLANT_TEMP: ~ } }'), spec(reordered)).changed, []);
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
  const swapped = diff((y) =>
    y.replace(
      "[{ query: RPM }, { emit: { event: snap, data: '{{json RPM}}' } }]",
      "[{ emit: { event: snap, data: '{{json RPM}}' } }, { query: RPM }]",
    ),
  );
  assert.deepEqual(swapped.changed, ['events']);
  assert.equal(
    swapped.differs((s) => s.events),
    true,
  );
});

test('connection: the port and every other connection key reopen the adapter (they are read at connect time)', () => {
  const port = diff((y) => y.replace('/dev/ttyUSB0', 'tcp://192.168.0.10:35000'));
  assert.deepEqual(port.changed, ['connection']);
  assert.equal(port.restart('connection'), true);
  assert.equal(port.live('connection'), false);
  assert.equal(port.restart('server'), false);

  // The driver's timeout, fast and allow_clear_dtc are fixed when the session opens.
  const timeout = diff((y) => y.replace('timeout: 0.1', 'timeout: 200ms'));
  assert.deepEqual(timeout.changed, ['connection']);
  assert.equal(timeout.restart('connection'), true);
  assert.equal(timeout.restart('server'), false);

  // The same value written another way is no change: 0.1 s = 100ms.
  assert.deepEqual(diff((y) => y.replace('timeout: 0.1', 'timeout: 100ms')).changed, []);
});

test('server: host/port/tls/adapter restart it; cors, buffer size and auth are live options', () => {
  const port = diff((y) => y.replace('port: 48484', 'port: 8080'));
  assert.equal(port.restart('server'), true);
  assert.equal(port.live('server'), false);
  assert.equal(port.restart('connection'), false);

  const tls = diff((y) => y.replace('port: 48484,', 'port: 48484, tls: { cert: c.pem, key: k.pem },'));
  assert.equal(tls.restart('server'), true);

  const cors = diff((y) => y.replace('[http://a, http://b]', '"*"'));
  assert.deepEqual(cors.changed, ['server']);
  assert.equal(cors.restart('server'), false);
  assert.equal(cors.live('server'), true);

  const auth = diff((y) => y.replace('port: 48484,', 'port: 48484, auth: { token: t },'));
  assert.equal(auth.restart('server'), false);
  assert.equal(auth.live('server'), true);
});

test('watch: added, removed and re-rated commands, interval and callbacks apart', () => {
  const changes = diff((y) =>
    y.replace('{ RPM: 10hz, SPEED: 1hz, COOLANT_TEMP: ~ }', '{ RPM: 5hz, COOLANT_TEMP: ~, MAF: 2hz, SPEED_X: ~ }'),
  );
  assert.deepEqual(changes.changed, ['watch']);
  assert.equal(
    changes.differs((s) => s.watch.commands),
    true,
  );
  assert.equal(
    changes.differs((s) => s.watch.interval),
    false,
  );
  assert.equal(
    changes.differs((s) => s.watch.callbacks),
    false,
  );
  assert.equal(changes.restart('connection'), false);

  // From "every pass" (null) to a rate is a rate change too.
  assert.deepEqual(diff((y) => y.replace('COOLANT_TEMP: ~', 'COOLANT_TEMP: 1hz')).changed, ['watch']);

  const interval = diff((y) => y.replace('interval: 0.25', 'interval: 1s'));
  assert.equal(
    interval.differs((s) => s.watch.interval),
    true,
  );
  assert.equal(
    interval.differs((s) => s.watch.commands),
    false,
  );

  const callbacks = diff((y) => y.replace('{ event: watch_result }', '{ event: watch_result, every: 1s }'));
  assert.equal(
    callbacks.differs((s) => s.watch.callbacks),
    true,
  );
  assert.equal(
    callbacks.differs((s) => s.watch.interval),
    false,
  );
});

test('mqtt: on/off and connection keys need a new client; topics do not', () => {
  const off = diff((y) => y.replace(/^mqtt:.*$/m, ''));
  assert.deepEqual(off.changed, ['mqtt']);
  assert.equal(off.restart('mqtt'), true);

  const url = diff((y) => y.replace('mqtt://127.0.0.1:1883', 'mqtt://10.0.0.2:1883'));
  assert.equal(url.restart('mqtt'), true);

  const topic = diff((y) => y.replace('{ url:', '{ base_topic: car, url:'));
  assert.equal(topic.live('mqtt'), true);
  assert.equal(topic.restart('mqtt'), false);
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
  assert.equal(
    changes.differs((s) => s.watch.callbacks),
    false,
  );
  const from = diffSpecs(spec(''), spec('commands_from: [a.json]'));
  assert.deepEqual(from.changed, ['commands_from']);

  // Another model year selects other signal-set commands.
  const year = diffSpecs(spec('vehicle: { model_year: 2019 }'), spec('vehicle: { model_year: 2021 }'));
  assert.deepEqual(year.changed, ['vehicle']);
});

test('the diff is pure: its inputs are left as they were', () => {
  const a = spec(BASE);
  const b = spec(BASE.replace('[http://a, http://b]', '[http://b, http://a]'));
  const before = JSON.stringify([a, b]);
  changedSections(a, b);
  needsRestart('server', a, b);
  assert.equal(JSON.stringify([a, b]), before);
});
