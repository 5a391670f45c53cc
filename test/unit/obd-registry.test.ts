import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigError } from '../../src/config/errors.js';
import { parseConfig } from '../../src/load-config.js';
import { commandByName } from '../../src/obd/commands/index.js';
import { isCustomCommand } from '../../src/obd/registry.js';

let dir: string;
let file: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'obdio-registry-'));
  file = join(dir, 'obdio.yaml');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function errorsOf(yaml: string): ConfigError[] {
  const result = parseConfig(yaml, file, {});
  if (result.ok) assert.fail('the config was accepted');
  return result.errors;
}

function loadedOf(yaml: string) {
  const result = parseConfig(yaml, file, {});
  if (!result.ok) assert.fail(result.errors.map((e) => `${e.file}:${e.line}:${e.col} ${e.message}`).join('\n'));
  return result;
}

function specOf(yaml: string) {
  return loadedOf(yaml).spec;
}

/** The command table a config was checked with (parseConfig's registry). */
function registryOf(yaml: string) {
  return loadedOf(yaml).registry;
}

/** Line and column (1-based) where `needle` starts in `text`, `skip` characters into it. */
function position(text: string, needle: string, skip = 0): [number, number] {
  const index = text.indexOf(needle);
  assert.ok(index >= 0, needle);
  const lines = text.slice(0, index + skip).split('\n');
  return [lines.length, lines.at(-1)!.length + 1];
}

test('an invalid equation is reported at file:line:col inside the equation, whatever the quoting', () => {
  const cases: Array<[yaml: string, needle: string, skip: number, message: RegExp]> = [
    // Double-quoted: the second ')' is the 10th character of the equation.
    [
      'commands:\n  BATTERY_SOC:\n    request: "220105"\n    equation: "(A*256+B))/10"\n',
      '"(A*256+B))/10"',
      10,
      /column 10 of the equation/,
    ],
    ['commands:\n  BATTERY_SOC:\n    request: "220105"\n    equation: A*/2\n', 'A*/2', 2, /expected a value/],
    ["commands:\n  X: { request: '2201', equation: 'Signed(A) + TAVG(5:B)' }\n", "'Signed(A)", 13, /TAVG\(\) is not supported/],
    ['commands:\n  X:\n    request: "2201"\n    equation: "B + q"\n', '"B + q"', 5, /upper case \(Q\)/],
  ];
  for (const [yaml, needle, skip, message] of cases) {
    const [error] = errorsOf(yaml);
    assert.equal(error!.file, file);
    assert.deepEqual([error!.line, error!.col], position(yaml, needle, skip), `${error!.message}\n${yaml}`);
    assert.match(error!.message, message);
    assert.match(error!.path, /^commands\.\w+\.equation$/);
  }
});

test('an equation that is not one line as written is reported at its start', () => {
  const yaml = 'commands:\n  X:\n    request: "2201"\n    equation: >-\n      (A +\n      B))\n';
  const [error] = errorsOf(yaml);
  assert.deepEqual([error!.line, error!.col], position(yaml, '>-'));
});

test('bytes fixes the reply length: bytes and bits past it are load-time errors at their key', () => {
  // 220105 echoes 3 bytes: bytes 4 leaves one data byte, A.
  const yaml =
    'commands:\n  X: { request: "220105", bytes: 4, equation: "A+B" }\n  Y: { request: "220105", bytes: 4, bix: 4, len: 8 }\n  Z: { request: "220105", bytes: 3 }\n';
  const errors = errorsOf(yaml);
  assert.deepEqual(
    errors.map((e) => [e.line, e.col]),
    [position(yaml, '"A+B"', 3), position(yaml, 'bix: 4', 5), position(yaml, '3 }')],
  );
  assert.match(errors[0]!.message, /byte B is past the reply: it carries 1 data byte \(A\.\.A\)/);
  assert.match(errors[1]!.message, /bits 4\.\.11 are past the reply's 1 data byte/);
  assert.match(errors[2]!.message, /leaves no data byte/);
});

test('bit fields: bad map keys, div 0 and min above max are errors at their key; bix needs len', () => {
  const yaml = 'commands:\n  X: { request: "2201", len: 8, div: 0, map: { x: on } }\n  Y: { request: "2201", len: 8, min: 5, max: 1 }\n';
  const errors = errorsOf(yaml);
  assert.deepEqual(
    errors.map((e) => [e.line, e.col, e.path]),
    [
      [...position(yaml, 'div: 0', 5), 'commands.X.div'],
      [...position(yaml, 'x: on'), 'commands.X.map.x'],
      [...position(yaml, '1 }'), 'commands.Y.max'],
    ],
  );
  const [needsLen] = errorsOf('commands:\n  X: { request: "2201", bix: 8 }\n');
  assert.match(needsLen!.message, /'bix' needs 'len'/);
});

test('a custom command may take a built-in name only with override: true', () => {
  const [error] = errorsOf('commands:\n  RPM: { request: "010C", equation: "(A*256+B)/4" }\n');
  assert.deepEqual([error!.line, error!.col], [2, 3]);
  assert.match(error!.message, /RPM is a built-in command; add override: true/);
  const registry = registryOf('commands:\n  RPM: { request: "010C", equation: "(A*256+B)/4", override: true }\n');
  const rpm = registry.byName('RPM')!;
  assert.ok(isCustomCommand(rpm));
  assert.notEqual(rpm, commandByName('RPM'));
  assert.equal(registry.all().filter((cmd) => cmd.name === 'RPM').length, 1, 'listed once');
});

test('watch lists and actions may name custom commands; a misspelt one gets a suggestion', () => {
  const spec = specOf(
    'commands:\n  PACK_VOLTAGE: { request: "220101", header: "7E4", equation: "(A*256+B)/10", unit: volt }\nwatch:\n  commands: [RPM, PACK_VOLTAGE]\n',
  );
  assert.deepEqual(Object.keys(spec.watch.commands), ['RPM', 'PACK_VOLTAGE']);
  const [error] = errorsOf('commands:\n  PACK_VOLTAGE: { request: "220101" }\nwatch:\n  commands: [PACK_VOLTGE]\n');
  assert.match(error!.message, /unknown command 'PACK_VOLTGE' \(did you mean 'PACK_VOLTAGE'\?\)/);
});

test('commands_from: signal sets add commands; what cannot be served is a warning in the JSON file; a missing file is an error at its entry', async () => {
  const good = join(dir, 'car.json');
  await writeFile(
    good,
    JSON.stringify({
      commands: [
        {
          hdr: '7E4',
          rax: '7EC',
          cmd: { 22: '0101' },
          freq: 1,
          signals: [{ id: 'CAR_SOC', name: 'SOC', fmt: { len: 8, div: 2, unit: 'percent' } }],
        },
      ],
    }),
  );
  const registry = registryOf('commands_from: [car.json]\nwatch:\n  commands: [CAR_SOC]\n');
  assert.equal(registry.byName('CAR_SOC')?.command, '220101');
  assert.equal(registry.suggestedPeriod('CAR_SOC'), 1);

  const bad = join(dir, 'bad.json');
  const badText =
    '{ "commands": [\n  { "hdr": "7E4", "cmd": { "22": "0101" },\n    "signals": [ { "id": "RPM", "fmt": { "len": 8 } }, { "id": "OWN_RPM", "fmt": { "len": 8 } } ] },\n' +
    '  { "hdr": "7E4", "proto": "9141-2", "cmd": { "21": "01" }, "signals": [ { "id": "KLINE", "fmt": { "len": 8 } } ] } ] }\n';
  await writeFile(bad, badText);
  const loaded = parseConfig('commands_from: [bad.json]\n', file, {});
  assert.ok(loaded.ok, 'the rest of the file loads');
  assert.ok(loaded.registry.byName('OWN_RPM'));
  assert.equal(loaded.registry.byName('KLINE'), undefined);
  const [collision, protocol] = loaded.warnings;
  assert.equal(collision!.file, bad);
  assert.deepEqual([collision!.line, collision!.col], position(badText, '"RPM"'));
  assert.match(collision!.message, /commands\[0\]\.signals\[0\]\.id: RPM is a built-in command.*left out/);
  assert.deepEqual([protocol!.file, protocol!.line, protocol!.col], [bad, ...position(badText, '"9141-2"')]);
  assert.match(protocol!.message, /commands\[1\]\.proto: protocol "9141-2"/);

  const yaml = 'commands_from:\n  - car.json\n  - nowhere.json\n';
  const [missing] = errorsOf(yaml);
  assert.equal(missing!.file, file);
  assert.deepEqual([missing!.line, missing!.col], position(yaml, 'nowhere.json'));
  assert.match(missing!.message, /does not exist/);
});

test('vehicle.model_year keeps the signal-set commands of that year; unset, every command; a change of year rebuilds the commands', async () => {
  await writeFile(
    join(dir, 'years.json'),
    JSON.stringify({
      commands: [
        {
          hdr: '7E0',
          rax: '7E8',
          cmd: { 22: '0101' },
          freq: 1,
          filter: { to: 2017 },
          signals: [{ id: 'OLD_SOC', fmt: { len: 8, max: 100, unit: 'percent' } }],
        },
        {
          hdr: '7E0',
          rax: '7E8',
          cmd: { 22: '0102' },
          freq: 1,
          filter: { from: 2018 },
          signals: [{ id: '4WD_SOC', fmt: { len: 8, max: 100, unit: 'percent' } }],
        },
      ],
    }),
  );
  const names = (yaml: string) =>
    registryOf(yaml)
      .all()
      .filter(isCustomCommand)
      .map((c) => c.name);
  assert.deepEqual(names('commands_from: [years.json]\n'), ['OLD_SOC', '4WD_SOC']);
  assert.deepEqual(names('commands_from: [years.json]\nvehicle: { model_year: 2016 }\n'), ['OLD_SOC']);
  assert.deepEqual(names('commands_from: [years.json]\nvehicle:\n  model_year: 2021\nwatch:\n  commands: [4WD_SOC]\n'), ['4WD_SOC']);
  const [wrongYear] = errorsOf('commands_from: [years.json]\nvehicle: { model_year: 2021 }\nwatch:\n  commands: [OLD_SOC]\n');
  assert.match(wrongYear!.message, /unknown command 'OLD_SOC'/);
  const [notAYear] = errorsOf('vehicle: { model_year: "MY21" }\n');
  assert.match(notAYear!.message, /model_year/);
});

test('a commands: entry named like a signal-set command needs override: true, and then replaces it', async () => {
  await writeFile(
    join(dir, 'car2.json'),
    JSON.stringify({ commands: [{ hdr: '7E4', cmd: { 22: '0101' }, signals: [{ id: 'CAR_SOC', fmt: { len: 8 } }] }] }),
  );
  const yaml = 'commands_from: [car2.json]\ncommands:\n  CAR_SOC: { request: "220101", header: "7E4", equation: "A/2" }\n';
  const [error] = errorsOf(yaml);
  assert.deepEqual([error!.line, error!.col], position(yaml, 'CAR_SOC:'));
  assert.match(error!.message, /also defined in .*car2\.json:1:\d+; add override: true/);
  const registry = registryOf(yaml.replace('"A/2" }', '"A/2", override: true }'));
  assert.equal(registry.byName('CAR_SOC')?.desc, 'CAR_SOC');
});

test('the registry keeps unchanged command objects across rebuilds, so a reload leaves them streaming', () => {
  const first = registryOf('commands:\n  A1: { request: "220101", equation: "A" }\n  B1: { request: "220102", equation: "A" }\n');
  const changed = registryOf('commands:\n  A1: { request: "220101", equation: "A" }\n  B1: { request: "220102", equation: "A*2" }\n');
  const second = changed.keepingCommandsOf(first);
  assert.equal(second.byName('A1'), first.byName('A1'));
  assert.notEqual(second.byName('B1'), first.byName('B1'));
  assert.deepEqual(
    second.customCommands().map((c) => c.name),
    ['A1', 'B1'],
  );
});
