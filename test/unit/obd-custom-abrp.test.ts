import { test } from 'node:test';
import assert from 'node:assert/strict';
import { abrpRequest, parseAbrpFile } from '../../src/obd/custom/abrp.js';
import { abrpCommandName } from '../../src/obd/custom/file-format.js';

const FILE = '/cars/car.json';

function definitions(text: string) {
  const result = parseAbrpFile(text, FILE);
  assert.deepEqual(result.errors, []);
  return new Map(result.commands.map((c) => [c.definition.name, c.definition]));
}

test('each value becomes a command named ABRP_<KEY>, with its request, header, receive id and telemetry unit', () => {
  const byName = definitions(
    JSON.stringify(
      {
        Init_Commands: { command: ['ATZ', 'ATE0', 'ATSP6'] },
        obd_protocol: '6',
        Data_Commands: { command: ['ATCRA7EC', '220101', '220105'] },
        soc: { equation: 'ag/2', minValue: '-5', maxValue: '105', type: 'Number', command: '220105', ecu: '7E4' },
        _SOC_BMS: { equation: 'f/2', type: 'Number', command: '220101', ecu: '7E4' },
        is_charging: { equation: '{j:1}', type: 'Boolean', command: '220101', ecu: '7E4' },
      },
      null,
      2,
    ),
  );
  assert.deepEqual([...byName.keys()], ['ABRP_SOC', 'ABRP_SOC_BMS', 'ABRP_IS_CHARGING']);
  const soc = byName.get('ABRP_SOC')!;
  assert.deepEqual([soc.request, soc.header, soc.receive, soc.unit, soc.desc], ['220105', '7E4', '7EC', 'percent', 'soc']);
  assert.equal(byName.get('ABRP_IS_CHARGING')!.unit, null);
  assert.equal(abrpCommandName('kwh_charged'), 'ABRP_KWH_CHARGED');
  assert.equal(abrpCommandName('_Cumulative_Energy_Discharged'), 'ABRP_CUMULATIVE_ENERGY_DISCHARGED');
  assert.equal(abrpCommandName('__'), null);
});

test('the ECU: an answering id 7E8-7EF means ask 8 below; without ecu, the ATSH/ATCP/ATCRA in force where data_commands sends it', () => {
  const byName = definitions(
    JSON.stringify({
      init_commands: { command: ['ATZ', 'ATCP18', 'ATSH7E4'] },
      data_commands: { command: ['ATSHDA01F1', 'ATCRA18DAF101', '22202A', 'ATSH7E1', 'ATCRA', '222414'] },
      current: { command: '22202A', equation: '((Signed(BF)*256)+BG)/100' },
      voltage: { command: '222414', equation: 'A' },
      soc: { command: '220105', equation: 'A', ecu: '7EC' },
      soh: { command: '229003', equation: 'A', ecu: 'DADBF1' },
      odometer: { command: '220100', equation: 'A' },
    }),
  );
  const route = (name: string) => [byName.get(name)!.header, byName.get(name)!.receive];
  assert.deepEqual(route('ABRP_CURRENT'), ['18DA01F1', '18DAF101'], 'header with ATCP priority, receive from ATCRA');
  assert.deepEqual(route('ABRP_VOLTAGE'), ['7E1', '7E9'], 'ATCRA alone clears the filter: the receive id follows the header');
  assert.deepEqual(route('ABRP_SOC'), ['7E4', '7EC']);
  assert.deepEqual(route('ABRP_SOH'), ['18DADBF1', '18DAF1DB']);
  assert.deepEqual(route('ABRP_ODOMETER'), ['7E4', '7EC'], 'a command not in data_commands is sent as init_commands left the adapter');
});

test('a whole CAN frame written for ATCAF0 is its request', () => {
  assert.equal(abrpRequest('03221E3D55555555'), '221E3D');
  assert.equal(abrpRequest('0322028CAAAAAAAA'), '22028C');
  assert.equal(abrpRequest('22 01 01'), '220101');
  assert.equal(abrpRequest('ATSH7E4'), null);
});

test('an equation the gateway cannot read is left out with a warning at its character; non-AT init commands are reported', () => {
  const text = [
    '{',
    '  "init_commands": { "command": ["ATZ", "10C0"] },',
    '  "data_commands": { "command": ["220101"] },',
    '  "soc": { "equation": "A/2", "command": "220101", "ecu": "7E4" },',
    '  "voltage": { "equation": "(A*256+B))/10", "command": "220101", "ecu": "7E4" },',
    '  "current": { "equation": "A&4", "command": "220101", "ecu": "7E4" },',
    '  "car": "Kona"',
    '}',
  ].join('\n');
  const result = parseAbrpFile(text, FILE);
  assert.deepEqual(result.errors, []);
  assert.deepEqual(
    result.commands.map((c) => c.definition.name),
    ['ABRP_SOC'],
  );
  assert.deepEqual(
    result.warnings.map((w) => `${w.line}:${w.col} ${w.message.split(':')[0]}`),
    ['2:41 init_commands.command[1]', '5:38 voltage.equation', '6:30 current.equation', '7:10 car'],
  );
  // 5:38 is the stray ')': the string starts at column 29, the ')' is its 10th character.
  assert.equal(text.split('\n')[4]![37], ')');
  assert.match(result.warnings[2]!.message, /ABRP's logical operators are && and \|\|/);
});

test('a file of the wrong shape is an error at line:col, and loads no command', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['[1, 2]', '1:1', /an ABRP PID file is an object/],
    ['{"data_commands": {"command": "220101"}}', '1:31', /data_commands.command: expected \{"command": \[\.\.\.\]\}/],
    [
      '{"data_commands": {"command": []},\n "soc": {"equation": "A", "command": "22XX"}}',
      '2:38',
      /soc.command: '22XX' is not a request in hex/,
    ],
    [
      '{"data_commands": {"command": []},\n "soc": {"equation": "A", "command": "2201", "ecu": "7E44"}}',
      '2:53',
      /soc.ecu: '7E44' is not a header/,
    ],
    [
      '{"data_commands": {"command": []},\n "soc": {"equation": 5, "command": "2201"}}',
      '2:22',
      /soc.equation: expected the equation as text/,
    ],
    ['{"data_commands": {"command": []}, "soc": {"equation": "A"', '1:59', /not valid JSON/],
  ];
  for (const [text, position, message] of cases) {
    const result = parseAbrpFile(text, FILE);
    assert.equal(result.commands.length, 0, text);
    assert.ok(result.errors.length >= 1, text);
    const [error] = result.errors;
    assert.equal(`${error!.line}:${error!.col}`, position, `${text}: ${error!.message}`);
    assert.match(error!.message, message);
  }
});
