import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatConfigError } from '../../src/config/errors.js';
import { parseConfig } from '../../src/load-config.js';
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

test('the same PID in two files of a folder (a merged list beside per-ECU lists) loads once, with a warning; a different one is left out with another', () => {
  const dir = mkdtempSync(join(tmpdir(), 'obdio-torque-folder-'));
  const write = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const bms = write('000_BMS.csv', '000_Niro_Battery Current,Current,2101,((Signed(K)*256)+L)/10,-230,230,A,7E4\n');
  const merged = write(
    '0_final.csv',
    'Name,ShortName,ModeAndPID,Equation,Min Value,Max Value,Units,Header\n0_Niro_Battery Current,Batt A,2101,((Signed(K)*256)+L)/10,-230,230,A,7E4\n',
  );
  const other = write('other.csv', 'Niro Battery Current,A,2101,L/10,0,1,A,7E4\n');
  const config = join(dir, 'obdio.yaml');

  const same = parseConfig(`commands_from: [${bms}, ${merged}]\n`, config, {});
  assert.ok(same.ok, same.ok ? '' : same.errors.map(formatConfigError).join('\n'));
  assert.deepEqual(same.warnings.map(formatConfigError), [
    `${merged}:2:1 0_Niro_Battery Current: NIRO_BATTERY_CURRENT is the same as in ${bms}:1:1; this copy is left out`,
  ]);

  // A name taken by a different definition: the first file's wins, the rest of the second loads.
  const clash = parseConfig(`commands_from: [${bms}, ${other}]\n`, config, {});
  assert.ok(clash.ok, clash.ok ? '' : clash.errors.map(formatConfigError).join('\n'));
  assert.deepEqual(clash.warnings.map(formatConfigError), [
    `${other}:1:1 Niro Battery Current: NIRO_BATTERY_CURRENT is already defined in ${bms}:1:1; this signal is left out`,
  ]);
});
