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
  const decode = (name: string, hex: string, txId: number) => decodeMessages(byName.get(name)!, [canMessage(hex, { txId, ecu: ECU.UNKNOWN })]);
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

test('errors name the file, line, column and JSON path', () => {
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
    { "cmd": { "22": "01" }, "eax": "F1", "signals": [] },
    { "cmd": { "22": "XYZ" }, "freq": -1, "signals": [] }
  ]
}`;
  const { commands, errors } = parseSignalSet(text, '/cars/x.json');
  assert.deepEqual(commands, [], 'a file with errors adds no command');
  const at = (needle: string, skip = 0) => where(text, needle, skip);
  const expected = [
    { ...at('"len": 0', 7), path: 'commands[0].signals[1].fmt.len', message: /len is a number of bits from 1 to 53, got 0/ },
    { ...at('"div": 0', 7), path: 'commands[0].signals[2].fmt.div', message: /div must not be 0/ },
    { ...where(text.replace('"GOOD"', '"xxxx"'), '"GOOD"'), path: 'commands[0].signals[3].id', message: /GOOD is defined twice/ },
    { ...at('{ "bix": 8 }'), path: 'commands[0].signals[4].fmt.len', message: /missing len/ },
    { ...at('"7G4"'), path: 'commands[1].hdr', message: /header of 3, 6 or 8 hex digits/ },
    { ...at('"F1"'), path: 'commands[2].eax', message: /extended addressing/ },
    { ...at('{ "22": "XYZ" }'), path: 'commands[3].cmd', message: /\{"22": "0101"\}/ },
    { ...at('"freq": -1', 8), path: 'commands[3].freq', message: /polling period in seconds/ },
  ];
  assert.equal(errors.length, expected.length, errors.map((e) => `${e.line}:${e.col} ${e.message}`).join('\n'));
  expected.forEach((want, i) => {
    const got = errors[i]!;
    assert.equal(got.file, '/cars/x.json');
    assert.deepEqual([got.line, got.col, got.path], [want.line, want.col, want.path], got.message);
    assert.match(got.message, want.message);
    assert.ok(got.message.startsWith(want.path), got.message);
  });
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
    commands: [{ hdr: '7e4', cmd: '22 01 01', filter: { from: 2020 }, dbg: true, signals: [{ id: 'x_soc', name: 'SOC', suggestedMetric: 'stateOfCharge', fmt: { len: 8, unit: 'percent' } }] }],
  });
  const { commands, errors } = parseSignalSet(text, '/x.json');
  assert.deepEqual(errors, []);
  assert.deepEqual([commands[0]!.definition.name, commands[0]!.definition.request, commands[0]!.definition.header, commands[0]!.definition.receive], ['X_SOC', '220101', '7E4', null]);
});
