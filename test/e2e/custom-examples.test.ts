/**
 * The custom-command examples run as shipped: each loads with every check (equations,
 * signal-set files) and, on the built-in simulator they configure, every custom command has a
 * value in the range its simulated ECU produces.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { Gateway } from '../../src/gateway.js';
import { parseConfig } from '../../src/load-config.js';
import { onFreePort } from '../helpers/gateway.js';

const examples = fileURLToPath(new URL('../../examples/', import.meta.url));

/** [min, max] for numbers, or the exact text of a word. */
type Expected = readonly [number, number] | string;

async function valuesOf(name: string, expected: Record<string, Expected>): Promise<void> {
  const file = `${examples}${name}`;
  const loaded = parseConfig(await readFile(file, 'utf8'), file, {});
  if (!loaded.ok) assert.fail(loaded.errors.map((e) => `${e.file}:${e.line}:${e.col} ${e.message}`).join('\n'));
  const gateway = await Gateway.start(loaded.spec, { registry: loaded.registry, adjust: onFreePort });
  try {
    await gateway.ready();
    const custom = gateway.service.commands.customCommands().map((cmd) => cmd.name);
    assert.deepEqual(custom.sort(), Object.keys(expected).sort());
    for (const [command, want] of Object.entries(expected)) {
      const { response, failure } = await gateway.service.query(gateway.service.command(command)!);
      assert.equal(failure, undefined, `${command}: ${failure?.message}`);
      if (typeof want === 'string') assert.equal(response.value, want, command);
      else {
        const value = response.value as number;
        assert.ok(typeof value === 'number' && value >= want[0] && value <= want[1], `${command}: ${value} not in ${want.join('..')}`);
      }
    }
  } finally {
    await gateway.stop();
  }
}

test('examples/ev-battery.yaml: every battery value from the simulated BMS', async () => {
  await valuesOf('ev-battery.yaml', {
    BATTERY_SOC: [20, 95],
    BATTERY_VOLTAGE: [350, 390],
    BATTERY_CURRENT: [-150, 250],
    BATTERY_POWER: [-150 * 0.39, 250 * 0.39],
    BATTERY_TEMP_MAX: [25, 35],
    BATTERY_TEMP_MIN: [16, 24],
    CHARGE_PLUG: 'plugged',
  });
});

test('examples/obdb-signalset.yaml: every signal of the demo signal set', async () => {
  await valuesOf('obdb-signalset.yaml', {
    DEMO_HVBAT_SOC: [40, 95],
    DEMO_HVBAT_V: [350, 390],
    DEMO_HVBAT_I: [-150, 250],
    DEMO_HVBAT_T_MAX: [25, 35],
    DEMO_HVBAT_T_MIN: [15, 22],
    DEMO_CHARGER_STATE: 'CHARGING',
    DEMO_CHARGER_PWR: [0, 72],
  });
});
