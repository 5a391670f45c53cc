import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatConfigError, type ConfigError } from '../../src/config/errors.js';
import { parseSpecText, validateSpec, type SpecParseResult } from '../../src/config/load.js';
import { loadConfig } from '../../src/load-config.js';
import { enabledDefaultEvents, isTruthyCondition, type Spec } from '../../src/config/spec.js';

const FILE = '/configs/car/obdio.yaml';

function ok(yaml: string, env: NodeJS.ProcessEnv = {}): Extract<SpecParseResult, { ok: true }> {
  const result = parseSpecText(yaml, FILE, env);
  if (!result.ok) assert.fail(result.errors.map(formatConfigError).join('\n'));
  return result;
}

function spec(yaml: string, env: NodeJS.ProcessEnv = {}): Spec {
  return ok(yaml, env).spec;
}

function errors(yaml: string, env: NodeJS.ProcessEnv = {}): ConfigError[] {
  const result = parseSpecText(yaml, FILE, env);
  if (result.ok) assert.fail('expected errors, the config was accepted');
  return result.errors;
}

/** The one error of a config, as [line, col, message]. */
function only(yaml: string, env: NodeJS.ProcessEnv = {}): [number, number, string] {
  const list = errors(yaml, env);
  assert.equal(list.length, 1, list.map(formatConfigError).join('\n'));
  return [list[0].line, list[0].col, list[0].message];
}

test('an empty file, or one with only comments, is every default: the simulator on 127.0.0.1:48484', () => {
  for (const text of ['', '# nothing yet\n\n# really\n', '---\n']) {
    const s = spec(text);
    assert.equal(s.file, FILE);
    assert.deepEqual(s.connection, {
      port: 'sim',
      baudrate: 'auto',
      protocol: 'auto',
      fast: true,
      timeout: 100,
      check_voltage: true,
      start_low_power: false,
      allow_clear_dtc: false,
      headers: true,
      adapter_timing: { at: 1, st: null },
      upgrade_baudrate: 'off',
      replay_speed: 1,
      low_voltage: null,
      reconnect: { min_delay: 1000, max_delay: 30_000 },
      sim: { car: 'petrol', ecus: {} },
    });
    assert.deepEqual(s.server, {
      host: '127.0.0.1',
      port: 48484,
      cors_allowed_origins: [],
      max_http_buffer_size: 1_000_000,
      auth: { token: null },
      tls: null,
      adapter: null,
    });
    assert.deepEqual(s.events, { defaults: 'all', disable: [], custom: {} });
    assert.deepEqual(s.static, {});
    assert.deepEqual(s.watch, { commands: {}, interval: 250, batch: 'auto', max_rate: null, callbacks: [] });
    assert.deepEqual(s.commands, {});
    assert.deepEqual(s.commands_from, []);
    assert.equal(s.mqtt, null);
    assert.equal(s.record, null);
    assert.equal(s.units, 'metric');
    assert.deepEqual(s.dashboard, { route: '/' });
  }
});

test('a section left empty (children commented out) means its defaults', () => {
  const s = spec('connection:\nserver:\n  auth:\nwatch:\n  callbacks:\nmqtt:\n');
  assert.equal(s.connection.port, 'sim');
  assert.equal(s.server.auth.token, null);
  assert.deepEqual(s.watch.callbacks, []);
  assert.equal(s.mqtt, null);
});

test('YAML syntax errors carry the line:col of the yaml parser', () => {
  const [line, col, message] = only('server:\n  port: 1\n  port: 2\n');
  assert.deepEqual([line, col], [3, 3]);
  assert.match(message, /^YAML syntax: .*unique/);
  const [tabLine, tabCol, tabMessage] = only('server:\n\tport: 1\n');
  assert.deepEqual([tabLine, tabCol, tabMessage], [2, 1, 'YAML syntax: Tabs are not allowed as indentation']);
  const list = errors('connection: { port: sim }\na: b: c\n');
  assert.deepEqual(
    list.map((e) => [e.line, e.col, e.code, e.path]),
    [[2, 4, 'yaml', '']],
  );
});

test('a file that is not a mapping', () => {
  assert.deepEqual(only('- connection\n'), [1, 1, 'the file must be a mapping of sections like connection: and server: (got a list)']);
  assert.deepEqual(only('just text\n'), [1, 1, "the file must be a mapping of sections like connection: and server: (got 'just text')"]);
});

test('unknown keys point at the key itself and suggest the closest known one', () => {
  assert.deepEqual(only('conection:\n  port: sim\n'), [1, 1, "unknown section 'conection' (did you mean 'connection'?)"]);
  assert.deepEqual(only('connection:\n  port: sim\n  prot: 6\n'), [3, 3, "unknown key 'prot' in connection (did you mean 'protocol'?)"]);
  assert.deepEqual(only('server:\n  auth: { tokn: x }\n'), [2, 11, "unknown key 'tokn' in server.auth (did you mean 'token'?)"]);
  const [, , message] = only('server:\n  zzz: 1\n');
  assert.match(message, /^unknown key 'zzz' in server \(known keys: host, port, /);
  const e = errors('server:\n  zzz: 1\n')[0];
  assert.equal(e.path, 'server.zzz');
  assert.equal(e.code, 'schema');
});

test('wrong values say what was expected, at the value', () => {
  assert.deepEqual(only('connection:\n  timeout: fast\n'), [
    2,
    12,
    "connection.timeout: expected a duration like 0.1, 250ms or 2s (got 'fast')",
  ]);
  assert.deepEqual(only('connection:\n  timeout: -1\n'), [2, 12, 'connection.timeout: expected a duration like 0.1, 250ms or 2s (got -1)']);
  assert.deepEqual(only('connection:\n  protocol: B\n'), [2, 13, "connection.protocol: expected auto, 1..9 or A (got 'B')"]);
  assert.deepEqual(only('connection:\n  baudrate: fast\n'), [
    2,
    13,
    "connection.baudrate: expected auto or a baud rate like 38400 (got 'fast')",
  ]);
  assert.deepEqual(only('server:\n  port: 70000\n'), [2, 9, 'server.port: expected a port number from 0 to 65535 (got 70000)']);
  assert.deepEqual(only('server:\n  host: [a]\n'), [2, 9, 'server.host: expected text (got a list)']);
  assert.deepEqual(only('connection:\n  fast: yes\n'), [2, 9, "connection.fast: expected true or false (got 'yes')"]);
  assert.deepEqual(only('server:\n  max_http_buffer_size: big\n'), [
    2,
    25,
    "server.max_http_buffer_size: expected a size like 512kb, 1mb or a number of bytes (got 'big')",
  ]);
  assert.deepEqual(only('watch:\n  commands: { RPM: fast }\n'), [
    2,
    20,
    "watch.commands.RPM: expected a rate like 10hz, 0.5hz or a number of Hz (got 'fast')",
  ]);
  assert.deepEqual(only('watch:\n  commands: { RPM: 0hz }\n'), [
    2,
    20,
    "watch.commands.RPM: expected a rate like 10hz, 0.5hz or a number of Hz (got '0hz')",
  ]);
  assert.deepEqual(only('units: si\n'), [1, 8, "units: expected metric or imperial (got 'si')"]);
  assert.deepEqual(only('events:\n  defaults: [status, bogus]\n'), [
    2,
    22,
    "events.defaults[1]: expected a default event name (status, is_connected, protocol_name, protocol_id, port_name, supports, supported_commands, query, start, stop, watch, unwatch, unwatch_all, has_name, close) (got 'bogus')",
  ]);
});

test('a key with no value points at the key', () => {
  assert.deepEqual(only('connection:\n  timeout:\n'), [
    2,
    3,
    'connection.timeout: expected a duration like 0.1, 250ms or 2s (got nothing)',
  ]);
});

test('a missing required key points at the mapping that lacks it', () => {
  const yaml = 'events:\n  custom:\n    go:\n      - emit: { to: all }\n';
  assert.deepEqual(only(yaml), [4, 15, "events.custom.go[0].emit: missing key 'event'"]);
  assert.deepEqual(only('commands:\n  X:\n    unit: volt\n'), [3, 5, "commands.X: missing key 'request'"]);
});

test('actions: exactly one action key per list item, then/else only with if', () => {
  const head = 'events:\n  custom:\n    go:\n';
  assert.deepEqual(only(`${head}      - qurey: RPM\n`), [4, 9, "unknown key 'qurey' in events.custom.go[0] (did you mean 'query'?)"]);
  const [line, col, message] = only(`${head}      - query: RPM\n        watch: RPM\n`);
  assert.deepEqual([line, col], [4, 9]);
  assert.match(message, /^events\.custom\.go\[0\]: expected an action: a mapping with exactly one of query, .*; found query and watch/);
  assert.deepEqual(only(`${head}      - then: []\n`), [4, 9, "events.custom.go[0]: 'then' needs 'if' next to it"]);
  assert.deepEqual(only(`${head}      - if: '{{x}}'\n`), [4, 9, "events.custom.go[0]: 'if' needs 'then' next to it"]);
  assert.match(only(`${head}      - query RPM\n`)[2], /^events\.custom\.go\[0\]: expected an action: .* \(got 'query RPM'\)$/);
  assert.deepEqual(only(`${head}      - emit: { event: e, to: bob }\n`), [
    4,
    31,
    "events.custom.go[0].emit.to: expected sender, all or room:<name> (got 'bob')",
  ]);
});

test('actions are normalized into tagged steps; nested if/then/else keeps its positions', () => {
  const s = spec(`
events:
  custom:
    go:
      - query: RPM
      - watch: [RPM, SPEED]
      - unwatch: '{{args}}'
      - join: 'room-{{args}}'
      - leave: lobby
      - set: { limit: 4000, label: '{{args}}', flag: true, none: ~ }
      - if: '{{RPM.value}}'
        then:
          - emit: { event: high, to: 'room:{{args}}', data: '{{json RPM}}' }
      - emit: { event: done }
`);
  assert.deepEqual(s.events.custom.go, [
    { kind: 'query', commands: ['RPM'] },
    { kind: 'watch', commands: ['RPM', 'SPEED'] },
    { kind: 'unwatch', commands: ['{{args}}'] },
    { kind: 'join', room: 'room-{{args}}' },
    { kind: 'leave', room: 'lobby' },
    { kind: 'set', values: { limit: 4000, label: '{{args}}', flag: true, none: null } },
    {
      kind: 'if',
      condition: '{{RPM.value}}',
      then: [{ kind: 'emit', event: 'high', to: 'room:{{args}}', data: '{{json RPM}}' }],
      else: [],
    },
    { kind: 'emit', event: 'done', to: 'sender', data: null },
  ]);
  const nested =
    'events:\n  custom:\n    go:\n      - if: ok\n        then:\n          - emit: { event: e }\n        else:\n          - query: rpm\n';
  assert.deepEqual(only(nested), [
    8,
    20,
    "events.custom.go[0].else[0].query: 'rpm' is not a command name: names are upper case, like RPM or COOLANT_TEMP (did you mean 'RPM'?)",
  ]);
});

test('Handlebars templates are compiled at load: syntax errors at the string, with the triple-stash hint', () => {
  const head = 'events:\n  custom:\n    go:\n';
  const [line, col, message] = only(`${head}      - emit: { event: e, data: '{"a": {{x}}}' }\n`);
  assert.deepEqual([line, col], [4, 33]);
  assert.equal(
    message,
    "events.custom.go[0].emit.data: template syntax error on line 1 of the template: unexpected '}}}' (a template ending in '}}}' is read as a triple-stash close: put a space before the final '}')",
  );
  assert.equal(spec(`${head}      - emit: { event: e, data: '{"a": {{x}} }' }\n`).events.custom.go[0].kind, 'emit');
  assert.deepEqual(only(`${head}      - if: '{{#if x}}yes'\n        then: []\n`), [
    4,
    13,
    'events.custom.go[0].if: template error on line 1 of the template: a block ({{#...}}) is not closed',
  ]);
  const cb = 'watch:\n  callbacks:\n    - emit:\n        event: e\n        data: |\n          {{#each cache}}\n          {{/if}}\n';
  const [l2, c2, m2] = only(cb);
  assert.deepEqual([l2, c2], [5, 15]);
  assert.match(m2, /^watch\.callbacks\[0\]\.emit\.data: template error: each doesn't match if/);
  assert.equal(errors(cb)[0].code, 'template');
});

test('${ENV} substitution: values, defaults, types of plain scalars, escapes and errors at the string', () => {
  const env = { HOST: '0.0.0.0', PORT: '9000', EMPTY: '', TOKEN: 's3cret' };
  const s = spec('server:\n  host: ${HOST}\n  port: ${PORT}\n  auth:\n    token: ${TOKEN}\n', env);
  assert.equal(s.server.host, '0.0.0.0');
  assert.equal(s.server.port, 9000);
  assert.equal(s.server.auth.token, 's3cret');
  // :- applies when unset or empty, like the shell.
  assert.equal(spec('server:\n  port: ${NOPE:-4000}\n').server.port, 4000);
  assert.equal(spec('server:\n  host: ${EMPTY:-localhost}\n', env).server.host, 'localhost');
  assert.equal(spec('server:\n  auth:\n    token: ${OBDIO_TOKEN:-}\n').server.auth.token, null);
  // Quoted scalars stay text; a string key takes the text even from a plain scalar.
  assert.equal(spec('mqtt:\n  vehicle: "${V:-2012}"\n').mqtt?.vehicle, '2012');
  assert.equal(spec('mqtt:\n  vehicle: ${V:-2012}\n').mqtt?.vehicle, '2012');
  assert.equal(spec('connection:\n  port: tcp://${HOST}:${PORT}\n', env).connection.port, 'tcp://0.0.0.0:9000');
  assert.equal(spec('connection:\n  fast: ${FAST:-false}\n').connection.fast, false);
  assert.equal(spec("mqtt:\n  password: 'pa$${x}'\n").mqtt?.password, 'pa${x}');
  assert.deepEqual(only('server:\n  host: ${HOST}\n'), [
    2,
    9,
    'server.host: environment variable HOST is not set (give a default with ${HOST:-default})',
  ]);
  assert.deepEqual(only('server:\n  cors_allowed_origins:\n    - ok\n    - "http://${ORIGIN}"\n'), [
    4,
    7,
    'server.cors_allowed_origins[1]: environment variable ORIGIN is not set (give a default with ${ORIGIN:-default})',
  ]);
  const [line, col, message] = only('mqtt:\n  url: mqtt://${1HOST}\n');
  assert.deepEqual([line, col], [2, 8]);
  assert.match(message, /^mqtt\.url: malformed '\$\{1HOST\}'/);
  assert.equal(errors('server:\n  host: ${HOST}\n')[0].code, 'env');
  // Keys are not substituted.
  assert.deepEqual(Object.keys(spec('static:\n  /${X}: a\n').static), ['/${X}']);
});

test('values YAML would read as numbers keep their text where the schema wants text', () => {
  const s = spec('commands:\n  SOC:\n    request: 220105\n    header: 7e4\n  OLD:\n    request: 0100\n');
  assert.equal(s.commands.SOC.request, '220105');
  assert.equal(s.commands.SOC.header, '7E4');
  assert.equal(s.commands.OLD.request, '0100');
});

test('normalization: units, paths, lists and shorthands', () => {
  const s = spec(`
connection: { port: 'replay:rec/drive.jsonl', protocol: 6, baudrate: 38400, timeout: 250ms }
server:
  cors_allowed_origins: "http://a.example"
  max_http_buffer_size: 512kb
  tls: { cert: certs/c.pem, key: /etc/k.pem }
events: { defaults: [status, query, status], disable: [close] }
static:
  /: public/index.html
  /assets/: public/assets
watch:
  commands: { RPM: 10hz, SPEED: 0.5hz, COOLANT_TEMP: ~, MAF: 2 }
  interval: 1.5s
commands_from: signalsets/my-car.json
record: { rotate: 1mib }
dashboard: { route: /dash/ }
`);
  assert.equal(s.connection.port, 'replay:/configs/car/rec/drive.jsonl');
  assert.equal(s.connection.protocol, '6');
  assert.equal(s.connection.baudrate, 38400);
  assert.equal(s.connection.timeout, 250);
  assert.deepEqual(s.server.cors_allowed_origins, ['http://a.example']);
  assert.equal(s.server.max_http_buffer_size, 512_000);
  assert.deepEqual(s.server.tls, { cert: '/configs/car/certs/c.pem', key: '/etc/k.pem' });
  assert.deepEqual(s.events.defaults, ['status', 'query']);
  assert.deepEqual(s.static, { '/': '/configs/car/public/index.html', '/assets': '/configs/car/public/assets' });
  assert.deepEqual(s.watch.commands, { RPM: 10, SPEED: 0.5, COOLANT_TEMP: null, MAF: 2 });
  assert.equal(s.watch.interval, 1500);
  assert.deepEqual(s.commands_from, ['/configs/car/signalsets/my-car.json']);
  assert.deepEqual(s.record, { dir: '/configs/car/recordings', rotate: 1_048_576, keep: 10, decoded: false });
  assert.deepEqual(s.dashboard, { route: '/dash' });

  assert.equal(spec('connection: { protocol: A }').connection.protocol, 'A');
  assert.equal(spec('server: { cors_allowed_origins: "*" }').server.cors_allowed_origins, '*');
  assert.equal(spec('server: { cors_allowed_origins: ["http://x", "*"] }').server.cors_allowed_origins, '*');
  assert.deepEqual(spec('watch: { commands: [RPM, SPEED] }').watch.commands, { RPM: null, SPEED: null });
  assert.equal(spec('dashboard: false').dashboard, null);
  assert.deepEqual(spec('dashboard: true').dashboard, { route: '/' });
  assert.equal(spec('events: { defaults: none }').events.defaults, 'none');
  // Without a file, relative paths are relative to the working directory.
  const noFile = parseSpecText('static: { /: index.html }', null);
  assert.ok(noFile.ok);
  assert.equal(noFile.spec.file, null);
  assert.equal(noFile.spec.static['/'], join(process.cwd(), 'index.html'));
});

test('callbacks and custom commands are filled from the schema defaults', () => {
  const s = spec(`
watch:
  callbacks:
    - emit: { event: watch_result }
    - name: live
      cache: true
      on_change: true
      filter: { commands: [RPM], deadband: 25 }
      emit: { event: live, every: 500ms, to: 'room:dash', data: '{{json cache}}' }
commands:
  BATTERY_SOC: { request: "220105", header: "7e4", equation: "B*0.5", unit: percent, ecu: engine }
  MULTI: { request: "2201", len: 12, bix: 4, signed: true, div: 10, map: { 1: one }, ecu: 6 }
mqtt: {}
`);
  assert.deepEqual(s.watch.callbacks, [
    {
      name: null,
      cache: false,
      filter: { commands: null, deadband: null, on_change: false },
      emit: { event: 'watch_result', to: 'all', every: null, data: null },
    },
    {
      name: 'live',
      cache: true,
      filter: { commands: ['RPM'], deadband: 25, on_change: true },
      emit: { event: 'live', to: 'room:dash', every: 500, data: '{{json cache}}' },
    },
  ]);
  assert.deepEqual(s.commands.BATTERY_SOC, {
    request: '220105',
    header: '7E4',
    bytes: 0,
    receive: null,
    equation: 'B*0.5',
    bix: 0,
    len: null,
    signed: false,
    mul: 1,
    div: 1,
    add: 0,
    min: null,
    max: null,
    map: null,
    unit: 'percent',
    desc: 'BATTERY_SOC',
    ecu: 2, // python-OBD ECU.ENGINE
    override: false,
  });
  assert.deepEqual(
    [s.commands.MULTI.len, s.commands.MULTI.bix, s.commands.MULTI.signed, s.commands.MULTI.div, s.commands.MULTI.map],
    [12, 4, true, 10, { 1: 'one' }],
  );
  assert.equal(s.commands.MULTI.ecu, 6);
  assert.equal(s.commands.MULTI.header, null);
  assert.deepEqual(s.mqtt, {
    url: 'mqtt://127.0.0.1:1883',
    username: null,
    password: null,
    client_id: null,
    base_topic: 'obdio',
    vehicle: 'car',
    commands: null,
    every: 1000,
    qos: 0,
    retain: false,
    buffer: 1000,
    dtc_every: 60_000,
    requests: [],
    homeassistant: { discovery: false, prefix: 'homeassistant' },
  });
});

test('checks the schema cannot express, each at its value', () => {
  assert.deepEqual(only('watch:\n  commands: [RPM, speed]\n'), [
    2,
    19,
    "watch.commands[1]: 'speed' is not a command name: names are upper case, like RPM or COOLANT_TEMP (did you mean 'SPEED'?)",
  ]);
  assert.deepEqual(only('watch:\n  commands:\n    rpm: 10hz\n'), [
    3,
    5,
    "watch.commands.rpm: 'rpm' is not a command name: names are upper case, like RPM or COOLANT_TEMP (did you mean 'RPM'?)",
  ]);
  assert.deepEqual(only('watch:\n  callbacks:\n    - emit: { event: e, every: 0ms }\n'), [
    3,
    32,
    'watch.callbacks[0].emit.every: must be more than 0 (leave it out to emit every response)',
  ]);
  assert.deepEqual(only('watch:\n  callbacks:\n    - emit: { event: e, to: sender }\n'), [
    3,
    29,
    'watch.callbacks[0].emit.to: a watch callback has no sender: use all or room:<name>',
  ]);
  assert.deepEqual(only('connection:\n  reconnect: { min_delay: 1m, max_delay: 2s }\n'), [
    2,
    42,
    'connection.reconnect: max_delay must not be shorter than min_delay',
  ]);
  assert.deepEqual(only('static:\n  assets: public\n'), [2, 3, "static: route 'assets' must start with '/' (e.g. '/assets')"]);
  assert.deepEqual(only('events:\n  custom:\n    disconnect: []\n'), [
    3,
    5,
    "events.custom: 'disconnect' is reserved by Socket.IO; pick another event name",
  ]);
  assert.deepEqual(only('commands:\n  battery-soc: { request: "2201" }\n'), [
    2,
    3,
    "commands: 'battery-soc' is not a command name: names are upper case, like BATTERY_SOC (did you mean 'BATTERY_SOC'?)",
  ]);
  assert.deepEqual(only('commands:\n  X: { request: "2201", equation: A, len: 8 }\n'), [
    2,
    38,
    'commands.X: use either equation or the bit field (len, bix, ...), not both',
  ]);
  // Several problems at once, in file order.
  const list = errors('watch:\n  commands: [rpm]\n  callbacks:\n    - emit: { event: e, every: 0 }\n');
  assert.deepEqual(
    list.map((e) => [e.line, e.col, e.code]),
    [
      [2, 14, 'semantic'],
      [4, 32, 'semantic'],
    ],
  );
});

test('warnings do not stop a config: repeated names, a route shadowing the dashboard, missing static files', () => {
  const result = ok('static:\n  /: nowhere/index.html\nwatch:\n  commands: [RPM, RPM]\n');
  const lines = result.warnings.map((w) => `${w.line}:${w.col} ${w.message}`);
  assert.deepEqual(lines, [
    '2:6 static["/"]: /configs/car/nowhere/index.html does not exist (yet); the route answers 404 until it does',
    "2:6 the dashboard and a static route both serve '/': move one (dashboard: { route: /dashboard }) or turn the dashboard off (dashboard: false)",
    '4:19 watch.commands[1]: RPM is listed twice',
  ]);
});

test('validateSpec: unknown command names at the name, with suggestions; built-in names need override', () => {
  const known = ['RPM', 'SPEED', 'COOLANT_TEMP'];
  const hooks = {
    knownCommand: (n: string) => known.includes(n),
    builtinCommand: (n: string) => known.includes(n),
    commandNames: () => known,
  };
  const result = ok(`watch:
  commands: { RPM: 1hz, SPEEDD: 2hz }
  callbacks:
    - filter: { commands: [COOLANT_TMP, SOC] }
      cache: true
events:
  custom:
    go:
      - query: [RPM, SPEEED, '{{args}}']
      - if: x
        then:
          - watch: FOO
commands:
  SOC: { request: "2201" }
  RPM: { request: "010C" }
  SPEED: { request: "010D", override: true }
mqtt:
  commands: [BAR]
`);
  const found = validateSpec(result.spec, result.names, hooks).map((e) => `${e.line}:${e.col} ${e.message}`);
  assert.deepEqual(found, [
    "2:25 watch.commands.SPEEDD: unknown command 'SPEEDD' (did you mean 'SPEED'?)",
    "4:28 watch.callbacks[0].filter.commands[0]: unknown command 'COOLANT_TMP' (did you mean 'COOLANT_TEMP'?)",
    "9:22 events.custom.go[0].query[1]: unknown command 'SPEEED' (did you mean 'SPEED'?)",
    "12:20 events.custom.go[1].then[0].watch: unknown command 'FOO'",
    '15:3 commands: RPM is a built-in command; add override: true to replace it, or pick another name',
    "18:14 mqtt.commands[0]: unknown command 'BAR'",
  ]);
  assert.ok(validateSpec(result.spec, result.names, hooks).every((e) => e.file === FILE));
});

test('loadConfig reads a file; a missing file is an error with a clear message', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'obdio-load-'));
  try {
    const file = join(dir, 'obdio.yaml');
    await writeFile(file, 'server:\n  port: 1234\n');
    const loaded = await loadConfig(file);
    assert.ok(loaded.ok);
    assert.equal(loaded.spec.server.port, 1234);
    assert.equal(loaded.spec.file, file);

    const missing = await loadConfig(join(dir, 'nope.yaml'));
    assert.ok(!missing.ok);
    assert.equal(missing.errors[0].code, 'read');
    assert.equal(missing.errors[0].line, 0);
    assert.match(
      formatConfigError(missing.errors[0]),
      new RegExp(`^${join(dir, 'nope.yaml')}: cannot read the config file: .* does not exist`),
    );

    const folder = await loadConfig(dir);
    assert.ok(!folder.ok);
    assert.match(folder.errors[0].message, /is a folder/);

    await writeFile(file, 'server:\n  port: x\n');
    const bad = await loadConfig(file);
    assert.ok(!bad.ok);
    assert.equal(formatConfigError(bad.errors[0]), `${file}:2:9 server.port: expected a port number from 0 to 65535 (got 'x')`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('formatConfigError: file:line:col message', () => {
  assert.equal(formatConfigError({ file: 'obdio.yaml', line: 3, col: 12, message: 'm', path: 'a' }), 'obdio.yaml:3:12 m');
  assert.equal(formatConfigError({ file: null, line: 1, col: 1, message: 'm', path: '' }), '<config>:1:1 m');
});

test('aliases and merge keys work, and alias bombs are refused', () => {
  const merged = spec('commands:\n  A: &base { request: "2201", unit: volt }\n  B: { <<: *base, request: "2202" }\n');
  assert.deepEqual([merged.commands.B.request, merged.commands.B.unit], ['2202', 'volt']);
  // Each level repeats the previous one nine times: 9^9 strings if expanded.
  const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
  const names = 'abcdefghi';
  for (let i = 1; i < names.length; i++)
    levels.push(
      `${names[i]}: &${names[i]} [${Array(9)
        .fill(`*${names[i - 1]}`)
        .join(', ')}]`,
    );
  const result = parseSpecText(levels.join('\n'), FILE);
  assert.ok(!result.ok);
  assert.equal(result.errors[0].code, 'yaml');
});

test('spec helpers: enabled default events and if-conditions', () => {
  assert.deepEqual(enabledDefaultEvents(spec('events: { defaults: [status, close, query], disable: [close] }').events), [
    'status',
    'query',
  ]);
  assert.equal(enabledDefaultEvents(spec('events: { disable: [close] }').events).length, 14);
  assert.deepEqual(enabledDefaultEvents(spec('events: { defaults: none }').events), []);
  for (const falsy of ['', '  ', 'false', '0', 'null', 'undefined', ' false\n'])
    assert.equal(isTruthyCondition(falsy), false, JSON.stringify(falsy));
  for (const truthy of ['true', '1', '3000', 'yes', '0.5', 'x']) assert.equal(isTruthyCondition(truthy), true, truthy);
});
