import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ECU } from '../../src/elm327/message.js';
import { createCustomCommand } from '../../src/obd/custom/command.js';
import { commandNameOf, loadSignalSet, parseSignalSet, pintUnit } from '../../src/obd/custom/obdb.js';
import { decodeMessages } from '../../src/obd/decode.js';
import { canMessage } from '../helpers/messages.js';

const DEMO = fileURLToPath(new URL('../../examples/signalsets/demo-car.json', import.meta.url));

test('the demo signal set: one command per signal, with header, receive id, request and pint units', () => {
  const { commands, errors } = loadSignalSet(DEMO);
  assert.deepEqual(errors, []);
  assert.deepEqual(
    commands.map(({ definition: d, period }) => [d.name, d.request, d.header, d.receive, d.unit, period]),
    [
      ['DEMO_HVBAT_SOC', '220101', '7E4', '7EC', 'percent', 1],
      ['DEMO_HVBAT_V', '220101', '7E4', '7EC', 'volt', 1],
      ['DEMO_HVBAT_I', '220101', '7E4', '7EC', 'ampere', 1],
      ['DEMO_HVBAT_T_MAX', '220102', '7E4', '7EC', 'degree_Celsius', 5],
      ['DEMO_HVBAT_T_MIN', '220102', '7E4', '7EC', 'degree_Celsius', 5],
      ['DEMO_CHARGER_STATE', '220201', '7E2', '7EA', null, 2],
      ['DEMO_CHARGER_PWR', '220201', '7E2', '7EA', 'kilowatt', 2],
    ],
  );
  assert.equal(commands[0]!.definition.desc, 'Battery state of charge');
  assert.equal(commands[0]!.definition.ecu, ECU.ALL);
});

test('the demo signal set decodes a reply by hand: SOC, pack voltage, signed current, temperatures, a mapped state', () => {
  const byName = new Map(loadSignalSet(DEMO).commands.map((c) => [c.definition.name, createCustomCommand(c.definition)]));
  const decode = (name: string, hex: string, txId: number) =>
    decodeMessages(byName.get(name)!, [canMessage(hex, { txId, ecu: ECU.UNKNOWN })]);
  // 62 01 01 | SOC 0xA5 = 165 → 82.5 % | 0x0E74 = 3700 → 370.0 V | 0xFF9C = -100 → -10.0 A
  const reply = '62 01 01 A5 0E 74 FF 9C';
  assert.deepEqual(decode('DEMO_HVBAT_SOC', reply, 0x7ec), { value: 82.5, unit: 'percent' });
  assert.deepEqual(decode('DEMO_HVBAT_V', reply, 0x7ec), { value: 370, unit: 'volt' });
  assert.deepEqual(decode('DEMO_HVBAT_I', reply, 0x7ec), { value: -10, unit: 'ampere' });
  assert.equal(decode('DEMO_HVBAT_V', reply, 0x7e8), null, 'rax 7EC: the engine does not count');
  // 62 01 02 | 0x1E = 30 °C | 0xFD = -3 °C
  assert.deepEqual(decode('DEMO_HVBAT_T_MAX', '62 01 02 1E FD', 0x7ec), { value: 30, unit: 'degree_Celsius' });
  assert.deepEqual(decode('DEMO_HVBAT_T_MIN', '62 01 02 1E FD', 0x7ec), { value: -3, unit: 'degree_Celsius' });
  // 62 02 01 | 0b10xxxxxx → 2 = CHARGING | 0x1C20 = 7200 → 72.00 kW
  assert.deepEqual(decode('DEMO_CHARGER_STATE', '62 02 01 80 1C 20', 0x7ea), { value: 'CHARGING', unit: "<class 'str'>" });
  assert.deepEqual(decode('DEMO_CHARGER_PWR', '62 02 01 80 1C 20', 0x7ea), { value: 72, unit: 'kilowatt' });
});

test('signal ids become command names; OBDb units become pint units, unknown ones pass through', () => {
  assert.equal(commandNameOf('ioniq5-soc'), 'IONIQ5_SOC');
  assert.equal(commandNameOf('Car.Battery SOC'), 'CAR_BATTERY_SOC');
  assert.equal(pintUnit('celsius'), 'degree_Celsius');
  assert.equal(pintUnit('kilometersPerHour'), 'kilometer_per_hour');
  assert.equal(pintUnit('scalar'), null);
  assert.equal(pintUnit('furlongs'), 'furlongs');
  assert.equal(pintUnit(undefined), null);
});

/** Line and column (1-based) of the first occurrence of `needle` in `text`, `skip` characters into it. */
function where(text: string, needle: string, skip = 0): { line: number; col: number } {
  const index = text.indexOf(needle) + skip;
  assert.ok(index >= 0, needle);
  const before = text.slice(0, index).split('\n');
  return { line: before.length, col: before.at(-1)!.length + 1 };
}

test('a command or signal the gateway cannot serve is a warning at file:line:col; the rest of the file loads', () => {
  const text = `{
  "commands": [
    { "hdr": "7E4", "cmd": { "22": "0101" }, "freq": 1,
      "signals": [
        { "id": "GOOD", "fmt": { "len": 8 } },
        { "id": "BAD_LEN", "fmt": { "len": 0 } },
        { "id": "BAD_DIV", "fmt": { "len": 8, "div": 0 } },
        { "id": "GOOD", "fmt": { "len": 8 } },
        { "id": "NO_LEN", "fmt": { "bix": 8 } }
      ] },
    { "hdr": "7G4", "cmd": "2201", "signals": [] },
    { "hdr": "7E0", "cmd": { "22": "01" }, "eax": "F1", "signals": [] },
    { "cmd": { "22": "XYZ" }, "freq": -1, "signals": [] },
    { "hdr": "7E0", "proto": "9141-2", "cmd": { "01": "0C" }, "signals": [ { "id": "K_RPM", "fmt": { "len": 16 } } ] },
    { "hdr": "7E2", "cmd": { "22": "0102" }, "signals": [ { "id": "ALSO_GOOD", "fmt": { "len": 8 } } ] }
  ]
}`;
  const { commands, errors, warnings } = parseSignalSet(text, '/cars/x.json');
  assert.deepEqual(errors, []);
  assert.deepEqual(
    commands.map((c) => [c.definition.name, c.duplicate]),
    [
      ['GOOD', false],
      ['GOOD', true],
      ['ALSO_GOOD', false],
    ],
    'the usable signals load; a second GOOD decodes but is not served',
  );
  const at = (needle: string, skip = 0) => where(text, needle, skip);
  const expected = [
    {
      ...at('"len": 0', 7),
      path: 'commands[0].signals[1].fmt.len',
      message: /len is a number of bits from 1 to 53, got 0; this signal is left out/,
    },
    { ...at('"div": 0', 7), path: 'commands[0].signals[2].fmt.div', message: /div must not be 0/ },
    {
      ...where(text.replace('"GOOD"', '"xxxx"'), '"GOOD"'),
      path: 'commands[0].signals[3].id',
      message: /GOOD is already the signal at commands\[0\]\.signals\[0\]\.id \(line 5\)/,
    },
    { ...at('{ "bix": 8 }'), path: 'commands[0].signals[4].fmt.len', message: /missing len/ },
    { ...at('"7G4"'), path: 'commands[1].hdr', message: /header of 3 hex digits .* or 4 .*; this command is left out/ },
    { ...at('{ "hdr": "7E0", "cmd": { "22": "01" }'), path: 'commands[2].rax', message: /extended addressing \(eax\) needs rax/ },
    { ...at('{ "22": "XYZ" }'), path: 'commands[3].cmd', message: /\{"22": "0101"\}/ },
    { ...at('"freq": -1', 8), path: 'commands[3].freq', message: /polling period in seconds/ },
    { ...at('"9141-2"'), path: 'commands[4].proto', message: /protocol "9141-2".*cannot switch per command; this command is left out/ },
  ];
  assert.equal(warnings.length, expected.length, warnings.map((e) => `${e.line}:${e.col} ${e.message}`).join('\n'));
  expected.forEach((want, i) => {
    const got = warnings[i]!;
    assert.equal(got.file, '/cars/x.json');
    assert.deepEqual([got.line, got.col, got.path], [want.line, want.col, want.path], got.message);
    assert.match(got.message, want.message);
    assert.ok(got.message.startsWith(want.path), got.message);
  });
});

test('OBDb addressing: 29-bit 4-digit headers, extended addressing with its receive filter, tester address, flow control, timeout, priority', () => {
  const text = JSON.stringify({
    commands: [
      {
        hdr: 'DA60',
        rax: '60',
        cmd: { 22: '7022' },
        freq: 1,
        signals: [{ id: 'CIVIC_ODO', fmt: { len: 24, max: 16777215, unit: 'kilometers' } }],
      },
      {
        hdr: '6F1',
        rax: '607',
        eax: '07',
        fcm1: true,
        cmd: { 22: 'DD68' },
        freq: 1,
        signals: [{ id: 'I3_HVBAT_V', fmt: { len: 16, max: 655.35, div: 100, unit: 'volts' } }],
      },
      {
        hdr: '7D2',
        rax: '7DA',
        eax: '2A',
        tst: '2A',
        tmo: '40',
        cmd: { 21: '74' },
        freq: 1,
        signals: [{ id: '4RUNNER_GEAR', fmt: { len: 8, map: { 1: { value: 'P' } } } }],
      },
      {
        hdr: 'DB33',
        pri: '18',
        cmd: { '01': '0D' },
        freq: 1,
        signals: [{ id: 'VSS', fmt: { len: 8, max: 255, unit: 'kilometersPerHour' } }],
      },
    ],
  });
  const { commands, warnings } = parseSignalSet(text, '/x.json');
  assert.deepEqual(warnings, []);
  const byName = new Map(commands.map((c) => [c.definition.name, c.definition]));
  const civic = byName.get('CIVIC_ODO')!;
  assert.deepEqual([civic.header, civic.receive, civic.addressing], ['DA60F1', '18DAF160', null]);
  const i3 = byName.get('I3_HVBAT_V')!;
  assert.deepEqual([i3.header, i3.receive], ['6F1', '607']);
  assert.deepEqual(i3.addressing, {
    extendedAddress: '07',
    receiveFilter: '607',
    tester: null,
    flowControl: { header: '6F1', data: '07300000' },
    timeout: null,
    priority: null,
  });
  const gear = byName.get('4RUNNER_GEAR')!;
  assert.equal(gear.request, '2174');
  assert.deepEqual(gear.addressing, {
    extendedAddress: '2A',
    receiveFilter: '7DA',
    tester: '2A',
    flowControl: null,
    timeout: '40',
    priority: null,
  });
  assert.deepEqual(byName.get('VSS')!.addressing, {
    extendedAddress: null,
    receiveFilter: null,
    tester: null,
    flowControl: null,
    timeout: null,
    priority: '18',
  });
  assert.equal(byName.get('VSS')!.header, 'DB33F1');
});

test('OBDb model years: filter keeps a command to its years, dbgfilter selects nothing, no model year keeps every command', () => {
  const command = (id: string, extra: object) => ({
    hdr: '7E0',
    cmd: { 22: '0101' },
    freq: 1,
    ...extra,
    signals: [{ id, fmt: { len: 8, max: 255, unit: 'scalar' } }],
  });
  const text = JSON.stringify({
    commands: [
      command('FROM_2018', { filter: { from: 2018 } }),
      command('TO_2016', { filter: { to: 2016 } }),
      command('RANGE_2015_2017', { filter: { from: 2015, to: 2017 } }),
      command('OUTSIDE_2016_2020', { filter: { from: 2020, to: 2016 } }),
      command('YEARS', { filter: { years: [2017, 2019] } }),
      command('DEBUG_ONLY', { dbgfilter: { to: 2018, from: 2022 } }),
    ],
  });
  const names = (modelYear?: number) => parseSignalSet(text, '/x.json', { modelYear }).commands.map((c) => c.definition.name);
  assert.deepEqual(names(), ['FROM_2018', 'TO_2016', 'RANGE_2015_2017', 'OUTSIDE_2016_2020', 'YEARS', 'DEBUG_ONLY']);
  assert.deepEqual(names(2016), ['TO_2016', 'RANGE_2015_2017', 'OUTSIDE_2016_2020', 'DEBUG_ONLY']);
  assert.deepEqual(names(2017), ['RANGE_2015_2017', 'YEARS', 'DEBUG_ONLY']);
  assert.deepEqual(names(2019), ['FROM_2018', 'YEARS', 'DEBUG_ONLY']);
  assert.deepEqual(names(2021), ['FROM_2018', 'OUTSIDE_2016_2020', 'DEBUG_ONLY']);
  const bad = parseSignalSet(JSON.stringify({ commands: [command('X', { filter: { from: 'soon' } })] }), '/x.json');
  assert.match(bad.warnings[0]!.message, /commands\[0\]\.filter\.from: expected a year, got "soon"; this command is left out/);
});

test('OBDb decoding as its reference decoder: blsb, min 0 when absent, clamping only a proper range, nullmin/nullmax, unmapped is null', () => {
  const decode = (fmt: object, hex: string): unknown => {
    const { commands, warnings } = parseSignalSet(
      JSON.stringify({ commands: [{ hdr: '7E0', rax: '7E8', cmd: { 22: '0101' }, freq: 1, signals: [{ id: 'S', fmt }] }] }),
      '/x.json',
    );
    assert.deepEqual(warnings, []);
    return (
      decodeMessages(createCustomCommand(commands[0]!.definition), [canMessage(`62 01 01 ${hex}`, { txId: 0x7e8, ecu: ECU.ENGINE })])
        ?.value ?? null
    );
  };
  // 0x0C 0x46 little-endian is 0x460C = 17932 → 179.32; big-endian 0x0C46 = 3142 → 31.42.
  assert.equal(decode({ len: 16, blsb: true, div: 100, max: 655.35, unit: 'kilometersPerHour' }, '0C 46'), 179.32);
  assert.equal(decode({ len: 16, div: 100, max: 655.35, unit: 'kilometersPerHour' }, '0C 46'), 31.42);
  assert.equal(
    decode({ bix: 8, len: 16, blsb: true, max: 65535, unit: 'scalar' }, 'FF 34 12'),
    0x1234,
    'only the bytes of the field are reversed',
  );
  assert.equal(decode({ len: 8, blsb: true, max: 255, unit: 'scalar' }, '80'), 0x80, 'a field of one byte has no byte order');
  assert.equal(decode({ len: 8, sign: true, max: 100, unit: 'scalar' }, 'F6'), 0, 'min is 0 when absent: -10 clamps to 0');
  assert.equal(decode({ len: 8, sign: true, unit: 'scalar' }, 'F6'), -10, 'no max: no clamping');
  assert.equal(decode({ len: 8, sign: true, min: 5, max: 5, unit: 'scalar' }, 'F6'), -10, 'max not above min: no clamping');
  assert.equal(decode({ len: 8, max: 255, nullmax: 255, unit: 'scalar' }, 'FF'), null);
  assert.equal(decode({ len: 8, max: 255, nullmax: 255, unit: 'scalar' }, 'FE'), 254);
  assert.equal(decode({ len: 8, add: -40, min: -40, max: 215, nullmin: -40, unit: 'celsius' }, '00'), null);
  assert.equal(decode({ len: 8, add: -40, min: -40, max: 215, nullmin: -40, unit: 'celsius' }, '01'), -39);
  assert.equal(decode({ len: 2, map: { 1: { value: 'ON', description: 'On' } } }, '40'), 'ON');
  assert.equal(decode({ len: 2, map: { 1: { value: 'ON', description: 'On' } } }, '80'), null, 'an unlisted value is null');
});

test('a file that is not JSON, not a signal set, or not there is one clear error', () => {
  const broken = parseSignalSet('{\n  "commands": [\n    { "hdr": "7E4", }\n', '/x.json');
  assert.equal(broken.errors.length, 1);
  assert.match(broken.errors[0]!.message, /not valid JSON/);
  assert.ok(broken.errors[0]!.line >= 3, JSON.stringify(broken.errors[0]));
  const wrong = parseSignalSet('[1, 2]', '/x.json');
  assert.match(wrong.errors[0]!.message, /"commands" list/);
  const missing = loadSignalSet('/nowhere/at/all.json');
  assert.deepEqual([missing.errors[0]!.line, missing.errors[0]!.col], [0, 0]);
  assert.match(missing.errors[0]!.message, /does not exist/);
});

test('OBDb keys this gateway does not use (model-year filters, ECU lists) are left alone; cmd may be one hex string', () => {
  const text = JSON.stringify({
    ecu: [{ hdr: '7E4', type: 'battery' }],
    diagnosticLevel: 'extended',
    commands: [
      {
        hdr: '7e4',
        cmd: '22 01 01',
        filter: { from: 2020 },
        dbg: true,
        signals: [{ id: 'x_soc', name: 'SOC', suggestedMetric: 'stateOfCharge', fmt: { len: 8, unit: 'percent' } }],
      },
    ],
  });
  const { commands, errors, warnings } = parseSignalSet(text, '/x.json');
  assert.deepEqual([errors, warnings], [[], []]);
  assert.deepEqual(
    [commands[0]!.definition.name, commands[0]!.definition.request, commands[0]!.definition.header, commands[0]!.definition.receive],
    ['X_SOC', '220101', '7E4', null],
  );
});
