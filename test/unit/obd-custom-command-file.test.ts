import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { commandFileFormat, loadCommandFile } from '../../src/obd/custom/command-file.js';

test('a commands_from file is read by its name and content: .csv is Torque, JSON with init/data_commands (any case) ABRP, other JSON OBDb', () => {
  assert.equal(commandFileFormat('/a/Kia_Soul_EV_BMS_data.csv', '000_Name,Short,2101,A,0,1,,7E4'), 'torque');
  assert.equal(commandFileFormat('/a/pids.CSV', '{"commands": []}'), 'torque');
  assert.equal(commandFileFormat('/a/pids.txt', '000_Name,Short,2101,A,0,1,,7E4'), 'torque');
  assert.equal(commandFileFormat('/a/hkmc2017.json', '{"Init_Commands": {"command": []}}'), 'abrp');
  assert.equal(commandFileFormat('/a/zoe.json', '{"data_commands": {"command": []}}'), 'abrp');
  assert.equal(commandFileFormat('/a/car', '  {"data_commands": {"command": []}}'), 'abrp');
  assert.equal(commandFileFormat('/a/default.json', '{"commands": []}'), 'obdb');
  assert.equal(commandFileFormat('/a/broken.json', '{"commands": ['), 'obdb');
});

test('the OBDb demo signal set still loads through the dispatcher, with no warnings', () => {
  const demo = fileURLToPath(new URL('../../examples/signalsets/demo-car.json', import.meta.url));
  const result = loadCommandFile(demo);
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.warnings, []);
  assert.ok(result.commands.some((c) => c.definition.name === 'DEMO_HVBAT_SOC'));
});

test('a missing file is an error about the whole file (line 0)', () => {
  const result = loadCommandFile('/nowhere/at/all.csv');
  assert.equal(result.errors.length, 1);
  assert.equal(result.errors[0]!.line, 0);
  assert.match(result.errors[0]!.message, /cannot read the command file \/nowhere\/at\/all\.csv: it does not exist/);
});
