import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { formatConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/load-config.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const examples = join(root, 'examples');

/** Every YAML config shipped with the project: examples/*.yaml and the repository's obdio.yaml. */
const files = [
  ...(existsSync(examples)
    ? readdirSync(examples)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => join(examples, f))
    : []),
  ...(existsSync(join(root, 'obdio.yaml')) ? [join(root, 'obdio.yaml')] : []),
];

test('the shipped configs include the reference example and obdio.yaml', () => {
  assert.ok(files.includes(join(examples, 'reference.yaml')));
  assert.ok(files.includes(join(root, 'obdio.yaml')));
});

for (const file of files) {
  test(`${file.slice(root.length)} loads without errors`, async () => {
    const result = await loadConfig(file, {});
    assert.ok(result.ok, result.ok ? '' : result.errors.map(formatConfigError).join('\n'));
    // Warnings are allowed only for static files that do not exist yet.
    for (const warning of result.warnings) assert.match(warning.message, /does not exist \(yet\)/, formatConfigError(warning));
  });
}

test('reference.yaml has every section of obdio-yaml.md, with the design values', async () => {
  const result = await loadConfig(join(examples, 'reference.yaml'), {});
  assert.ok(result.ok);
  const s = result.spec;
  assert.equal(s.connection.port, 'sim');
  assert.deepEqual(s.connection.reconnect, { min_delay: 1000, max_delay: 30_000 });
  assert.equal(s.server.max_http_buffer_size, 1_000_000);
  assert.equal(s.server.auth.token, null); // ${OBDIO_TOKEN:-} with the variable unset
  assert.deepEqual(s.events.disable, ['close']);
  assert.deepEqual(Object.keys(s.events.custom).slice(0, 2), ['snapshot', 'watch']);
  assert.deepEqual(s.static, { '/': join(examples, 'public/index.html'), '/assets': join(examples, 'public/assets') });
  assert.deepEqual(s.watch.commands, { RPM: null, SPEED: null, COOLANT_TEMP: null });
  assert.equal(s.watch.interval, 250);
  assert.deepEqual(
    s.watch.callbacks.slice(0, 2).map((cb) => [cb.name, cb.cache, cb.emit?.event, cb.emit?.every]),
    [
      ['raw', false, 'watch_result', null],
      ['live', true, 'live', 500],
    ],
  );
  assert.equal(s.commands.BATTERY_SOC.equation, 'B*0.5');
  assert.deepEqual(s.commands_from, [join(examples, 'signalsets/demo-car.json')]);
  assert.equal(s.mqtt?.vehicle, 'my-car');
  assert.equal(s.mqtt?.homeassistant.discovery, true);
  assert.deepEqual(s.record, { dir: join(examples, 'recordings'), rotate: 50_000_000, keep: 10, decoded: false });
});

test('obdio.yaml runs the simulator and streams the watched commands raw', async () => {
  const result = await loadConfig(join(root, 'obdio.yaml'), {});
  assert.ok(result.ok);
  assert.equal(result.spec.connection.port, 'sim');
  assert.deepEqual(Object.keys(result.spec.watch.commands), [
    'RPM',
    'SPEED',
    'COOLANT_TEMP',
    'THROTTLE_POS',
    'ENGINE_LOAD',
    'INTAKE_TEMP',
    'MAF',
    'FUEL_LEVEL',
  ]);
  assert.deepEqual(
    result.spec.watch.callbacks.map((cb) => cb.emit?.event),
    ['watch_result'],
  );
  assert.deepEqual(result.spec.static, {});
});
