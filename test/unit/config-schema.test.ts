import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { parseSpecText } from '../../src/config/load.js';
import { configSchema, resolveRef, restartMarkers, type SchemaNode } from '../../src/config/schema.js';
import { createAjv, GENERATED_VALIDATOR, validatorSource } from '../../src/config/validator-source.js';
import { parseDuration, parseRate, parseSize } from '../../src/config/durations.js';
import { ACTION_KINDS, DEFAULT_EVENT_NAMES, ECU_MASKS, type Spec } from '../../src/config/spec.js';

const schema = configSchema();
const definitions = schema.definitions as Record<string, SchemaNode>;

function specOf(yaml: string): Spec {
  const result = parseSpecText(yaml, null, {});
  if (!result.ok) assert.fail(result.errors.map((e) => `${e.line}:${e.col} ${e.message}`).join('\n'));
  return result.spec;
}

/** Every schema node reachable from the root and the definitions, with a readable path. */
function* nodes(node: SchemaNode, path: string): Generator<[string, SchemaNode]> {
  yield [path, node];
  for (const [key, child] of Object.entries(node.properties ?? {})) yield* nodes(child, `${path}.${key}`);
  if (typeof node.additionalProperties === 'object') yield* nodes(node.additionalProperties, `${path}.*`);
  if (node.items) yield* nodes(node.items, `${path}[]`);
}
const allNodes = [...nodes(schema, '#'), ...Object.entries(definitions).flatMap(([name, d]) => [...nodes(d, `#/definitions/${name}`)])];

test('schema: compiles in ajv strict mode (all strict options on)', () => {
  assert.doesNotThrow(() => createAjv().compile(schema));
  // Independently of createAjv: plain strict Ajv knowing only our two annotation keywords.
  const ajv = new Ajv({ strict: true, allowUnionTypes: true });
  ajv.addKeyword({ keyword: 'x-restart', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'x-expected', schemaType: 'string' });
  assert.doesNotThrow(() => ajv.compile(schema));
});

test("schema: the generated validator is the schema's current one (npm run generate)", async () => {
  assert.equal(await readFile(GENERATED_VALIDATOR, 'utf8'), validatorSource());
});

test('schema: every mapping with fixed keys rejects unknown keys, and every key has a description', () => {
  for (const [path, node] of allNodes) {
    if (node.properties) {
      assert.equal(node.additionalProperties, false, `${path} must have additionalProperties: false`);
      for (const [key, child] of Object.entries(node.properties)) {
        const described = child.description ?? resolveRef(child).description;
        assert.ok(described, `${path}.${key} needs a description`);
      }
    }
  }
});

test('schema: every key of a section has a default, except those whose absence means off or that are required', () => {
  const noDefault = new Set(['#.server.tls', '#.mqtt', '#.record', '#.alerts', '#.alerts.webhook.url']);
  for (const [path, node] of nodes(schema, '#')) {
    if (path === '#' || path.includes('*') || path.includes('[]') || path.startsWith('#.server.tls.')) continue;
    if (noDefault.has(path)) assert.equal(node.default, undefined, path);
    else assert.notEqual(resolveRef(node).default, undefined, `${path} needs a default`);
  }
});

test('schema: the default event names and action kinds are those of spec.ts', () => {
  assert.deepEqual(definitions.defaultEventName.enum, [...DEFAULT_EVENT_NAMES]);
  assert.deepEqual(
    definitions.action.oneOf?.map((branch) => branch.required?.[0]),
    [...ACTION_KINDS],
  );
  const ecuPattern = String(definitions.customCommand.properties?.ecu.pattern);
  assert.deepEqual(
    ecuPattern
      .replace(/^\^\(|\)\$$/g, '')
      .split('|')
      .sort(),
    Object.keys(ECU_MASKS).sort(),
  );
});

test('schema: patterns for durations, rates and sizes accept exactly what the parsers accept', () => {
  const ajv = createAjv();
  const check = (definition: string, parse: (v: unknown) => number | null, samples: unknown[]): void => {
    const validate = ajv.compile({ ...definitions[definition], $ref: undefined });
    for (const sample of samples) {
      assert.equal(validate(sample), parse(sample) !== null, `${definition}: ${JSON.stringify(sample)}`);
    }
  };
  const common = ['', 'x', '1.2.3', '-1', ' ', true, [1]];
  check('duration', parseDuration, [
    ...common,
    0,
    0.1,
    2,
    -1,
    '250ms',
    '2s',
    '1.5s',
    '1m',
    '1h',
    '.5s',
    '0.5',
    ' 30 s ',
    '2S',
    '2 sec',
    '1hz',
  ]);
  check('rateOrEveryPass', (v) => (v === null ? 1 : parseRate(v)), [
    ...common,
    null,
    10,
    0,
    -2,
    '10hz',
    '0.5hz',
    '.5hz',
    '00.01hz',
    '2 Hz',
    '1HZ',
    '10',
    '0hz',
    '0.0hz',
    '.0hz',
    '1s',
  ]);
  check('size', parseSize, [...common, 0, 1024, -5, '100b', '512kb', '1mb', '1MB', '1.5mb', '64kib', '1MiB', '1m', '1 tb']);
});

test('schema: keys whose change needs a restart are marked with x-restart', () => {
  const marked = restartMarkers()
    .map((m) => `${m.part}:${m.path.join('.')}`)
    .sort();
  assert.deepEqual(marked, [
    // The whole section: every connection key is read when the adapter session opens.
    'connection:connection',
    'mqtt:mqtt.client_id',
    'mqtt:mqtt.password',
    'mqtt:mqtt.url',
    'mqtt:mqtt.username',
    'server:server.adapter',
    'server:server.host',
    'server:server.port',
    'server:server.tls',
  ]);
});

/** Every key of the schema once, so the normalized Spec can be compared key by key. */
const FULL = `
connection:
  port: replay:drive.jsonl
  baudrate: 38400
  protocol: 6
  fast: false
  timeout: 2s
  check_voltage: false
  start_low_power: true
  allow_clear_dtc: true
  reconnect: { min_delay: 2s, max_delay: 1m }
  headers: false
  adapter_timing: { at: 2, st: 100ms }
  upgrade_baudrate: 115200
  sim: { ecus: { "7E4": { "220105": ["C8", { ramp: { min: 0, max: 200, period: 10s, bytes: 1 } }] } } }
server:
  host: 0.0.0.0
  port: 8080
  cors_allowed_origins: ["http://a.example", "http://b.example"]
  max_http_buffer_size: 64kib
  auth: { token: secret }
  tls: { cert: cert.pem, key: key.pem }
  adapter: redis://127.0.0.1:6379
events:
  defaults: [status, query]
  disable: [close]
  custom:
    ping:
      - emit: { event: pong, to: all, data: '{{args}}' }
static:
  /: public/index.html
watch:
  commands: { RPM: 10hz, SPEED: ~ }
  interval: 1s
  batch: off
  max_rate: 20hz
  callbacks:
    - name: live
      cache: true
      filter: { commands: [RPM], deadband: 50, on_change: true }
      on_change: true
      emit: { event: live, to: 'room:x', every: 500ms, data: '{{json cache}}' }
commands:
  BATTERY_SOC:
    request: "220105"
    header: "7E4"
    bytes: 5
    receive: "7EC"
    bix: 8
    len: 8
    signed: false
    mul: 1
    div: 2
    add: 0
    min: 0
    max: 100
    map: { 255: invalid }
    unit: percent
    desc: State of charge
    ecu: engine
    override: false
commands_from: [a.json]
mqtt:
  url: mqtt://127.0.0.1:1883
  username: me
  password: pw
  client_id: gw
  base_topic: obdio
  vehicle: my-car
  commands: [RPM]
  every: 2s
  qos: 1
  retain: true
  homeassistant: { discovery: true, prefix: ha }
record: { dir: rec, rotate: 10mb }
alerts:
  webhook: { url: "http://127.0.0.1:9/hook", timeout: 2s, retries: 1, headers: { X-Token: t } }
  dtc_every: 1m
  rules:
    HOT: { when: RPM > 3000, clear: RPM < 2500, for: 2s, message: Revving }
    LOW: { battery: { below: 11.8, clear_above: 12.4 } }
units: imperial
dashboard: { route: /dash }
`;

/** Keys of the YAML that the Spec folds into another key (documented in spec.ts). */
const FOLDED = new Set(['definitions/callback.on_change']);

/** Where a child schema is described: its definition when it is a reference, else below its parent. */
function childPath(child: SchemaNode, fallback: string): string {
  return child.$ref?.startsWith('#/definitions/') ? child.$ref.slice(2) : fallback;
}

function assertSameKeys(value: unknown, node: SchemaNode, path: string): void {
  const resolved = resolveRef(node);
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    const items = resolved.items;
    if (items) value.forEach((item, i) => assertSameKeys(item, items, childPath(items, `${path}[${i}]`)));
    return;
  }
  const record = value as Record<string, unknown>;
  if (resolved.properties) {
    const schemaKeys = Object.keys(resolved.properties).filter((k) => !FOLDED.has(`${path}.${k}`));
    assert.deepEqual(
      Object.keys(record)
        .filter((k) => k !== 'file')
        .sort(),
      schemaKeys.sort(),
      `keys of ${path}`,
    );
    for (const key of schemaKeys) {
      const child = resolved.properties[key];
      assertSameKeys(record[key], child, childPath(child, `${path}.${key}`));
    }
  } else if (typeof resolved.additionalProperties === 'object') {
    const child = resolved.additionalProperties;
    for (const [key, item] of Object.entries(record)) assertSameKeys(item, child, childPath(child, `${path}.${key}`));
  }
}

test('schema and Spec agree: the Spec has exactly the schema keys, for the defaults and a file using every key', () => {
  const defaults = specOf('');
  const full = specOf(FULL);
  // Custom events' actions take a tagged shape ({ kind }) in the Spec: compared separately above.
  const withoutActions = (spec: Spec): Spec => ({ ...spec, events: { ...spec.events, custom: {} } });
  assertSameKeys(withoutActions(defaults), schema, '#');
  assertSameKeys(withoutActions(full), schema, '#');
  // The fixture really sets every section, so nothing above was skipped for being null.
  for (const [key, value] of Object.entries(full)) if (key !== 'file') assert.notEqual(value, null, key);
  assert.notEqual(full.server.tls, null);
  assert.equal(full.watch.callbacks[0].filter.on_change, true);
});

/** A YAML document that writes out every default of the schema. */
function explicitDefaults(node: SchemaNode): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const resolved = resolveRef(child);
    if (resolved.default === undefined) continue;
    const isMapping = typeof resolved.default === 'object' && resolved.default !== null && !Array.isArray(resolved.default);
    result[key] = isMapping && resolved.properties ? { ...resolved.default, ...explicitDefaults(resolved) } : resolved.default;
  }
  return result;
}

test('schema defaults written out explicitly give the same Spec as an empty file', () => {
  const written = JSON.stringify(explicitDefaults(schema));
  assert.ok(written.includes('"timeout":0.1') && written.includes('"max_http_buffer_size":"1mb"'), written);
  assert.deepEqual(specOf(written), specOf(''));
});
