import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTorqueCsv, resolveTorqueReferences } from '../../src/obd/custom/torque.js';
import { torqueCommandName } from '../../src/obd/custom/file-format.js';

const FILE = '/cars/kona.csv';

function evaluate(result: ReturnType<typeof parseTorqueCsv>, name: string, data: number[]): number | null {
  const command = result.commands.find((c) => c.definition.name === name);
  assert.ok(command, `${name} is loaded`);
  const decoding = command.definition.decoding;
  assert.equal(decoding.kind, 'equation');
  const value = decoding.kind === 'equation' ? decoding.equation.evaluate(data) : null;
  return value?.ok ? value.value : null;
}

test('a Torque row becomes a command: request, header, receive id, unit and equation from its fields', () => {
  const result = parseTorqueCsv(
    [
      '000_Battery DC Voltage,Batt Volts,0x220101,((m<8)+n)/10,268.8,403.2,V,7E4',
      '000_State of Charge BMS,SOC BMS,2101,e/2,0,100,%,7e4',
      '003_VMCU Real Vehicle Speed,Real Speed, 2101,((Signed(O)*256)+N)/100,0,180,mph, 7E2',
      'Odo meter,Odo,22b002,A,0,1,km,',
    ].join('\r\n'),
    FILE,
  );
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.warnings, []);
  const byName = new Map(result.commands.map((c) => [c.definition.name, c.definition]));
  assert.deepEqual([...byName.keys()], ['BATTERY_DC_VOLTAGE', 'STATE_OF_CHARGE_BMS', 'VMCU_REAL_VEHICLE_SPEED', 'ODO_METER']);
  const voltage = byName.get('BATTERY_DC_VOLTAGE')!;
  assert.equal(voltage.request, '220101');
  assert.equal(voltage.header, '7E4');
  assert.equal(voltage.receive, '7EC');
  assert.equal(voltage.unit, 'volt');
  assert.equal(voltage.desc, '000_Battery DC Voltage');
  assert.equal(byName.get('STATE_OF_CHARGE_BMS')!.request, '2101');
  assert.equal(byName.get('STATE_OF_CHARGE_BMS')!.unit, 'percent');
  assert.equal(byName.get('VMCU_REAL_VEHICLE_SPEED')!.header, '7E2');
  assert.equal(byName.get('VMCU_REAL_VEHICLE_SPEED')!.unit, 'mile_per_hour');
  assert.equal(byName.get('ODO_METER')!.header, null, 'an empty Header is the default header');
  assert.equal(byName.get('ODO_METER')!.request, '22B002');
  const data = Array.from({ length: 20 }, () => 0);
  data[12] = 0x0d; // M
  data[13] = 0xd9; // N
  assert.equal(evaluate(result, 'BATTERY_DC_VOLTAGE', data), 354.5);
  // Where each command is defined, for name collisions: the Name field of its line.
  assert.deepEqual(
    result.commands.map((c) => `${c.at.line}:${c.at.col}`),
    ['1:1', '2:1', '3:1', '4:1'],
  );
});

test('the command-name rule: upper case, other characters as _, no leading sort number, PID_ before a digit, TORQUE_ before a built-in name', () => {
  assert.equal(torqueCommandName('000_Airbag H/wire Duty'), 'AIRBAG_H_WIRE_DUTY');
  assert.equal(torqueCommandName('!_ABRP_Battery Current'), 'ABRP_BATTERY_CURRENT');
  assert.equal(torqueCommandName('0_Niro_Battery Module 1 Temperature'), 'NIRO_BATTERY_MODULE_1_TEMPERATURE');
  assert.equal(torqueCommandName('004_CALC SOH Battery in kWh'), 'CALC_SOH_BATTERY_IN_KWH');
  assert.equal(torqueCommandName('12V Battery'), 'PID_12V_BATTERY');
  assert.equal(torqueCommandName('000'), 'PID_000');
  // python-OBD's names stay python-OBD's: a Torque PID named like one gets TORQUE_ in front.
  assert.equal(torqueCommandName('000_Odometer'), 'TORQUE_ODOMETER');
  assert.equal(torqueCommandName('Speed'), 'TORQUE_SPEED');
  assert.equal(torqueCommandName('~!~'), null);
});

test('quoted fields, a BOM-free header row anywhere, extra columns and blank lines are read as Torque and spreadsheets write them', () => {
  const result = parseTorqueCsv(
    [
      'Name,ShortName,ModeAndPID,Equation,Min Value,Max Value,Units,Header',
      '"Cell ""max"", volts",Max,2101,"x/50",2.8,4.2,V,7E4,extra,columns',
      '',
      'Name,ShortName,ModeAndPID,Equation,Min Value,Max Value,Units,Header',
      'Fan,Fan,2101,"MAX(0:A)",0,9,,7E4',
    ].join('\n'),
    FILE,
  );
  assert.deepEqual(result.errors, []);
  assert.deepEqual(
    result.commands.map((c) => [c.definition.name, c.definition.desc]),
    [
      ['CELL_MAX_VOLTS', 'Cell "max", volts'],
      ['FAN', 'Fan'],
    ],
  );
});

test('rows the gateway cannot compute from one reply are left out with a warning at line:col; the rest loads', () => {
  const text = [
    '000_Battery Current,Batt Current,0x220101,((Signed(K)*256)+L)/10,-230,230,A,7E4',
    '000_Battery Power,Energy Draw,0x220101,val{000_Battery Current}*val{000_Battery DC Voltage}/1000,-90,90,kW,7E4',
    '~Modifications by someone,List Credit,,,,,,',
    '000_Drive Motor Speed 2,Motor RPM 2,0x220101,(Signed(BD)*256))+BE,-10100,10100,rpm,7E4',
    '004_CALC Average,Avg,2101,AVG(5:A),0,1,,7E4',
    '000_Battery Current,Again,2101,A,0,1,,7E4',
  ].join('\n');
  const result = parseTorqueCsv(text, FILE);
  resolveTorqueReferences([result]);
  assert.deepEqual(result.errors, []);
  assert.deepEqual(
    result.commands.map((c) => c.definition.name),
    ['BATTERY_CURRENT'],
  );
  assert.deepEqual(
    result.warnings.map((w) => `${w.file}:${w.line}:${w.col}`),
    [`${FILE}:3:39`, `${FILE}:4:62`, `${FILE}:5:27`, `${FILE}:6:1`, `${FILE}:2:65`],
  );
  const messages = result.warnings.map((w) => w.message);
  assert.match(messages[0]!, /no ModeAndPID and no VAL/);
  assert.match(messages[1]!, /^000_Drive Motor Speed 2: Equation: '\)' without a matching '\('; this PID is left out$/);
  // Column 62 is the stray ')' itself: the Equation field starts at column 46, the ')' is its 17th character.
  assert.equal(text.split('\n')[3]!.slice(61, 63), ')+');
  assert.match(messages[2]!, /AVG\(\) is not supported/);
  assert.match(messages[3]!, /BATTERY_CURRENT is already taken by line 1/);
  // The sensors a VAL{...} reads must exist: column 65 is the second VAL.
  assert.match(
    messages[4]!,
    /^000_Battery Power: Equation: VAL\{000_Battery DC Voltage\}: no sensor is named '000_Battery DC Voltage' in the Torque files; this PID is left out$/,
  );
});

test('VAL{...} reads another sensor of the same reply, in this file or another, through chains; across replies it is left out', () => {
  const bms = parseTorqueCsv(
    [
      '000_Battery Current,I,2101,((Signed(K)*256)+L)/10,-230,230,A,7E4',
      '000_Battery DC Voltage,U,2101,((M*256)+N)/10,0,500,V,7E4',
      '000_State of Health,SOH,2105,A/2,0,100,%,7E4',
    ].join('\n'),
    '/cars/bms.csv',
  );
  const extra = parseTorqueCsv(
    [
      '004_CALC Power kW,P,,val{004_CALC Power W}/1000,-90,90,kW,',
      '004_CALC Power W,P,,val{000_Battery Current}*val{000_Battery DC Voltage},-90000,90000,W,',
      '!_ABRP_Battery Current,I,,val{000_Battery Current},-230,230,A,',
      '004_CALC Mixed,M,,val{000_Battery Current}*val{000_State of Health},0,1,,',
      '004_CALC Loop A,A,,val{004_CALC Loop B},0,1,,',
      '004_CALC Loop B,B,,val{004_CALC Loop A},0,1,,',
      '004_CALC Other reply,O,2105,val{000_Battery Current},0,1,,7E4',
    ].join('\n'),
    '/cars/extra.csv',
  );
  resolveTorqueReferences([bms, extra]);
  assert.deepEqual(extra.errors, []);
  const byName = new Map(extra.commands.map((c) => [c.definition.name, c.definition]));
  assert.deepEqual([...byName.keys()].sort(), ['ABRP_BATTERY_CURRENT', 'CALC_POWER_KW', 'CALC_POWER_W']);
  for (const definition of byName.values())
    assert.deepEqual([definition.request, definition.header, definition.receive], ['2101', '7E4', '7EC']);
  assert.equal(byName.get('CALC_POWER_W')!.unit, 'watt');
  // One reply: current -10 A (FF 9C), voltage 354.5 V (0D D9).
  const data = Array.from({ length: 16 }, () => 0);
  [data[10], data[11], data[12], data[13]] = [0xff, 0x9c, 0x0d, 0xd9];
  const value = (name: string): number | null => {
    const decoding = byName.get(name)!.decoding;
    const result = decoding.kind === 'equation' ? decoding.equation.evaluate(data) : null;
    return result?.ok ? result.value : null;
  };
  assert.equal(value('CALC_POWER_W'), -3545);
  assert.equal(value('CALC_POWER_KW'), -3.545);
  assert.equal(value('ABRP_BATTERY_CURRENT'), -10);
  // The source spells VAL{...} out, so two files computing the same thing have the same command.
  const power = byName.get('CALC_POWER_KW')!.decoding;
  assert.equal(power.kind === 'equation' ? power.equation.source : null, '((((Signed(K)*256)+L)/10)*(((M*256)+N)/10))/1000');
  assert.deepEqual(
    extra.warnings.map((w) => `${w.line}:${w.col} ${w.message.replace(/^[^:]*: Equation: /, '')}`),
    [
      '4:19 it needs 2 replies (2101 to 7E4, 2105 to 7E4), a value here comes from one; this PID is left out',
      '7:29 it needs 2 replies (2105 to 7E4, 2101 to 7E4), a value here comes from one; this PID is left out',
      '5:20 VAL{...} reads back to this sensor (a cycle); this PID is left out',
      '6:20 VAL{...} reads back to this sensor (a cycle); this PID is left out',
    ],
  );
});

test("a file not shaped like Torque's is an error at line:col, and loads no command", () => {
  const cases: Array<[string, string, RegExp]> = [
    ['A,B,2101,A\n', '1:1', /has 8 fields .* this one has 4/],
    ['ok,ok,2101,A,0,1,,7E4\nbad,bad,21G1,A,0,1,,7E4\n', '2:9', /ModeAndPID '21G1' is not a request in hex/],
    ['bad,bad,2101,A,0,1,,7E44\n', '1:21', /Header '7E44' is not a header/],
    ['"open,b,2101,A,0,1,,7E4\n', '1:1', /quoted field is never closed/],
    ['{"commands": []}\n', '1:1', /has 8 fields/],
  ];
  for (const [text, position, message] of cases) {
    const result = parseTorqueCsv(text, FILE);
    assert.equal(result.commands.length, 0, text);
    assert.equal(result.errors.length, 1, text);
    const [error] = result.errors;
    assert.equal(`${error!.line}:${error!.col}`, position, text);
    assert.match(error!.message, message);
  }
});
