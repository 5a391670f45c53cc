/**
 * Real vehicle files, as their users download them, work unchanged as `commands_from:` files:
 * every ABRP PID file of iternio/ev-obd-pids and excerpts of JejuSoul's Torque files (see
 * test/fixtures/vehicle-files/SOURCES.md). Each loads through the full config check; every
 * entry is either a command or a warning naming its line (nothing is dropped silently); and a
 * Kona Electric's recorded reply, served by the simulator, decodes through both formats to the
 * values OBDb's test case gives for it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { formatConfigError } from '../../src/config/errors.js';
import { Gateway } from '../../src/gateway.js';
import { parseConfig } from '../../src/load-config.js';
import { customDefinition } from '../../src/obd/custom/command.js';
import { onFreePort } from '../helpers/gateway.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/vehicle-files/', import.meta.url));

function filesUnder(dir: string, extension: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(extension))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

const abrpFiles = filesUnder(join(FIXTURES, 'abrp'), '.json');
const torqueFiles = filesUnder(join(FIXTURES, 'torque'), '.csv');

/** Loads one file the way a user's config does; fails the test on any error. */
function load(file: string) {
  const config = join(FIXTURES, 'obdio.yaml');
  const loaded = parseConfig(`commands_from: [${JSON.stringify(file)}]\n`, config, {});
  if (!loaded.ok) assert.fail(loaded.errors.map(formatConfigError).join('\n'));
  return { commands: loaded.registry.customCommands(), warnings: loaded.warnings };
}

/** Byte strings to decode every command over (longer than any reply the files read: Honda reads byte II, the 243rd). */
const SAMPLES: number[][] = [
  Array.from({ length: 400 }, () => 0),
  Array.from({ length: 400 }, () => 0xff),
  Array.from({ length: 400 }, (_, i) => i & 0xff),
  Array.from({ length: 400 }, (_, i) => (i * 167 + 13) & 0xff),
];

test('every ABRP vehicle file of iternio/ev-obd-pids loads: one command per value, decoding every sample to a number', (t) => {
  assert.equal(abrpFiles.length, 17, 'the 17 vehicle files');
  let total = 0;
  for (const file of abrpFiles) {
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { equation?: string; type?: string }>;
    const values = Object.entries(json).filter(([, entry]) => typeof entry?.equation === 'string');
    const { commands, warnings } = load(file);
    assert.equal(commands.length, values.length, `${file}: one command per value`);
    // The only warnings: init commands that are not AT commands (Renault's diagnostic session).
    for (const warning of warnings) assert.match(warning.message, /^init_commands\.command\[\d+\]: '10(C0|03)' is not an AT command/);
    for (const [key, entry] of values) {
      const definition = customDefinition(commands.find((cmd) => cmd.desc === key)!)!;
      assert.equal(definition.decoding.kind, 'equation');
      if (definition.decoding.kind !== 'equation') continue;
      for (const sample of SAMPLES) {
        // No equation of these files divides by a byte: every reply long enough gives a number.
        const result = definition.decoding.equation.evaluate(sample);
        if (!result.ok) assert.fail(`${file} ${key}: ${result.error.message}`);
        assert.ok(Number.isFinite(result.value));
        if (entry.type === 'Boolean') assert.ok(result.value === 0 || result.value === 1, `${file} ${key} is a Boolean: ${result.value}`);
      }
    }
    total += commands.length;
    t.diagnostic(`${relative(FIXTURES, file)}: ${commands.length} commands, ${warnings.length} warnings`);
  }
  t.diagnostic(`${abrpFiles.length} ABRP files: ${total} commands`);
});

test('the Torque CSV excerpts load: every row is a command or a warning at its line; nothing is dropped silently', (t) => {
  assert.ok(torqueFiles.length >= 4);
  for (const file of torqueFiles) {
    const rows = readFileSync(file, 'utf8')
      .split(/\r?\n/)
      .map((line, i) => ({ line, number: i + 1 }))
      .filter(({ line }) => line.trim() !== '' && line.split(',')[2]?.trim().toLowerCase() !== 'modeandpid');
    const { commands, warnings } = load(file);
    const definedAt = new Set(commands.map((cmd) => customDefinition(cmd)!.desc));
    for (const { line, number } of rows) {
      const name = line.split(',')[0]!.trim();
      const warned = warnings.some((w) => w.file === file && w.line === number);
      assert.ok(definedAt.has(name) !== warned, `${relative(FIXTURES, file)}:${number} is either a command or a warning: ${line}`);
    }
    for (const cmd of commands) {
      const definition = customDefinition(cmd)!;
      if (definition.decoding.kind !== 'equation') continue;
      for (const sample of SAMPLES) {
        const result = definition.decoding.equation.evaluate(sample);
        assert.ok(result.ok && Number.isFinite(result.value), `${cmd.name}: ${result.ok ? result.value : result.error.message}`);
      }
    }
    t.diagnostic(`${relative(FIXTURES, file)}: ${commands.length} commands, ${warnings.length} left out`);
  }
});

/** The data after the echo in an ISO-TP reply recorded as "7EC103E620101..." CAN frames. */
function replyData(frames: string, echoBytes: number): string {
  const payloads = frames
    .trim()
    .split('\n')
    .map((frame) => frame.trim().slice(3));
  const first = payloads[0]!;
  const length = parseInt(first.slice(1, 4), 16);
  const hex =
    first.slice(4) +
    payloads
      .slice(1)
      .map((frame) => frame.slice(2))
      .join('');
  return hex.slice(echoBytes * 2, length * 2);
}

test("a Kona Electric's recorded reply decodes through the Torque files and the ABRP file to OBDb's values for it", async () => {
  const testCase = (
    parseYaml(readFileSync(join(FIXTURES, 'obdb-responses/kona-electric-2020-7E4.220101.yaml'), 'utf8')) as {
      test_cases: Array<{ response: string; expected_values: Record<string, number> }>;
    }
  ).test_cases[0]!;
  const expected = testCase.expected_values;
  const torque = join(FIXTURES, 'torque/kona-niro-ev-bms.excerpt.csv');
  // Its rows read the BMS file's sensors: VAL{000_Battery Current}.
  const torqueAbrp = join(FIXTURES, 'torque/kona-niro-ev-abrp.excerpt.csv');
  const abrp = join(FIXTURES, 'abrp/hkmc/hkmc2019.json');
  const yaml = `connection:
  port: sim
  sim:
    ecus:
      "7E4":
        "220101": "${replyData(testCase.response, 3)}"
commands_from: [${JSON.stringify(torque)}, ${JSON.stringify(torqueAbrp)}, ${JSON.stringify(abrp)}]
`;
  const loaded = parseConfig(yaml, join(FIXTURES, 'obdio.yaml'), {});
  if (!loaded.ok) assert.fail(loaded.errors.map(formatConfigError).join('\n'));
  // Our command (from the file's names) → OBDb's signal for the same quantity.
  const same: Record<string, string> = {
    STATE_OF_CHARGE_BMS: 'KONAEV_HVBAT_SOC',
    BATTERY_DC_VOLTAGE: 'KONAEV_HVBAT_VDC',
    BATTERY_CURRENT: 'KONAEV_HVBAT_CURR',
    AUXILLARY_BATTERY_VOLTAGE: 'KONAEV_VPWR',
    BATTERY_INLET_TEMPERATURE: 'KONAEV_HVBAT_INLET_T',
    BATTERY_MAX_TEMPERATURE: 'KONAEV_HVBAT_T_MAX',
    BATTERY_MIN_TEMPERATURE: 'KONAEV_HVBAT_T_MIN',
    BMS_IGNITION: 'KONAEV_IGN',
    CUMULATIVE_ENERGY_CHARGED: 'KONAEV_HVBAT_CHRG_TOT_E',
    CUMULATIVE_ENERGY_DISCHARGED: 'KONAEV_HVBAT_DSCH_TOT_E',
    HV_CHARGING: 'KONAEV_HVBAT_CHARGING',
    ISOLATION_RESISTANCE: 'KONAEV_ISO_R',
    MAXIMUM_CELL_VOLTAGE: 'KONAEV_C_V_MAX',
    MINIMUM_CELL_VOLTAGE: 'KONAEV_C_V_MIN',
    ABRP_BATTERY_CURRENT: 'KONAEV_HVBAT_CURR',
    ABRP_CURRENT: 'KONAEV_HVBAT_CURR',
    ABRP_VOLTAGE: 'KONAEV_HVBAT_VDC',
    ABRP_KWH_CHARGED: 'KONAEV_HVBAT_CHRG_TOT_E',
    ABRP_BATT_TEMP: 'KONAEV_HVBAT_T_MAX',
  };
  const gateway = await Gateway.start(loaded.spec, { registry: loaded.registry, adjust: onFreePort });
  try {
    await gateway.ready();
    for (const [name, signal] of Object.entries(same)) {
      const command = gateway.service.command(name);
      assert.ok(command, `${name} is a command`);
      const { response, failure } = await gateway.service.query(command);
      assert.equal(failure, undefined, `${name}: ${failure?.message}`);
      const value = response.value as number;
      assert.ok(Math.abs(value - expected[signal]!) < 1e-9, `${name} = ${value}, OBDb's ${signal} = ${expected[signal]}`);
    }
    const units = Object.fromEntries(
      ['STATE_OF_CHARGE_BMS', 'BATTERY_DC_VOLTAGE', 'ABRP_VOLTAGE', 'ABRP_KWH_CHARGED'].map((name) => [
        name,
        gateway.service.command(name)!,
      ]),
    );
    for (const [name, unit] of Object.entries({
      STATE_OF_CHARGE_BMS: 'percent',
      BATTERY_DC_VOLTAGE: 'volt',
      ABRP_VOLTAGE: 'volt',
      ABRP_KWH_CHARGED: 'kilowatt_hour',
    })) {
      const { response } = await gateway.service.query(units[name]!);
      assert.equal(response.unit, unit, name);
    }
  } finally {
    await gateway.stop();
  }
});
