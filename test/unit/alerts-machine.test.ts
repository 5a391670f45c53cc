/**
 * The alert state machine on a virtual clock: hysteresis (raise and clear test different
 * thresholds), the minimum duration (`for`), flapping, and the conditions compiled from rules.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AlertMachine, type AlertEvent } from '../../src/alerts/machine.js';
import { alertProblems, compileCondition, type Readings } from '../../src/alerts/conditions.js';
import type { AlertRuleSpec } from '../../src/config/spec.js';
import { VirtualClock } from '../helpers/virtual-clock.js';

const RULE: AlertRuleSpec = { when: null, clear: null, dtc: null, adapter: null, battery: null, for: 0, message: 'm' };

function readings(values: Record<string, number>, extra: Partial<Readings> = {}): Readings {
  return { value: (name) => values[name] ?? null, dtcs: null, adapter: 'connected', voltage: values.ELM_VOLTAGE ?? null, ...extra };
}

/** Feeds COOLANT_TEMP samples at the given virtual times through a rule; returns the changes with their times. */
async function run(
  rule: Partial<AlertRuleSpec>,
  samples: Array<[ms: number, temp: number | null]>,
  until: number,
): Promise<Array<[number, boolean, unknown]>> {
  const clock = new VirtualClock();
  const events: AlertEvent[] = [];
  const condition = compileCondition({ ...RULE, ...rule });
  const machine = new AlertMachine('HOT', 'hot', rule.for ?? 0, clock, (e) => events.push(e));
  for (const [at, temp] of samples) {
    clock.setTimeout(() => machine.feed(condition.judge(readings(temp === null ? {} : { COOLANT_TEMP: temp }))), at);
  }
  await clock.runUntil(until);
  return events.map((e) => [e.since, e.active, e.value]);
}

test('hysteresis: raised over the when threshold, cleared only under the clear threshold', async () => {
  const changes = await run(
    { when: 'COOLANT_TEMP > 105', clear: 'COOLANT_TEMP < 100' },
    [
      [0, 90],
      [1000, 106],
      [2000, 103],
      [3000, 101],
      [4000, 99],
      [5000, 104],
    ],
    6000,
  );
  assert.deepEqual(changes, [
    [1000, true, 106],
    [4000, false, 99],
  ]);
});

test('without clear, the alert clears as soon as when is false', async () => {
  const changes = await run(
    { when: 'COOLANT_TEMP > 105' },
    [
      [0, 106],
      [1000, 105],
    ],
    2000,
  );
  assert.deepEqual(changes, [
    [0, true, 106],
    [1000, false, 105],
  ]);
});

test('minimum duration: raised only after the condition held for `for`, with the latest value', async () => {
  const changes = await run(
    { when: 'COOLANT_TEMP > 105', for: 10_000 },
    [
      [0, 106],
      [4000, 110],
      [9000, 112],
    ],
    20_000,
  );
  assert.deepEqual(changes, [[10_000, true, 112]]);
});

test('minimum duration: a dip during the wait starts it again', async () => {
  const changes = await run(
    { when: 'COOLANT_TEMP > 105', for: 10_000 },
    [
      [0, 106],
      [8000, 104],
      [9000, 107],
      [18_000, 108],
    ],
    30_000,
  );
  assert.deepEqual(changes, [[19_000, true, 108]]);
});

test('flapping around one threshold raises once when clear has its own threshold', async () => {
  const samples: Array<[number, number]> = [];
  for (let i = 0; i < 40; i++) samples.push([i * 500, i % 2 === 0 ? 105.5 : 104.5]);
  const changes = await run({ when: 'COOLANT_TEMP > 105', clear: 'COOLANT_TEMP < 100' }, samples, 30_000);
  assert.deepEqual(changes, [[0, true, 105.5]]);
  // The same signal without hysteresis flaps on every sample: what the clear threshold prevents.
  const flapping = await run({ when: 'COOLANT_TEMP > 105' }, samples, 30_000);
  assert.equal(flapping.length, 40);
});

test('a missing value changes nothing: neither raises, clears nor resets the wait', async () => {
  const changes = await run(
    { when: 'COOLANT_TEMP > 105', for: 5000 },
    [
      [0, 106],
      [2000, null],
      [6000, null],
      [7000, 90],
      [8000, null],
    ],
    10_000,
  );
  assert.deepEqual(changes, [
    [5000, true, 106],
    [7000, false, 90],
  ]);
});

test('expressions: &&, ||, arithmetic; units are the command values', () => {
  const condition = compileCondition({ ...RULE, when: 'RPM > 4000 && (SPEED < 10 || COOLANT_TEMP >= 2 * 50)' });
  assert.deepEqual([...condition.commands].sort(), ['COOLANT_TEMP', 'RPM', 'SPEED']);
  assert.equal(condition.judge(readings({ RPM: 4500, SPEED: 5, COOLANT_TEMP: 20 })).raise, true);
  assert.equal(condition.judge(readings({ RPM: 4500, SPEED: 50, COOLANT_TEMP: 99 })).raise, false);
  assert.equal(condition.judge(readings({ RPM: 4500, SPEED: 50, COOLANT_TEMP: 100 })).raise, true);
  // && stops at a false left side, as in C; a missing value it must read leaves the verdict open.
  assert.equal(condition.judge(readings({ RPM: 3000 })).raise, false);
  assert.equal(condition.judge(readings({ SPEED: 5 })).raise, null);
});

test('battery, trouble codes and the adapter', () => {
  const battery = compileCondition({ ...RULE, battery: { below: 11.8, clear_above: 12.2 } });
  assert.deepEqual(battery.judge(readings({ ELM_VOLTAGE: 11.7 })), { raise: true, clear: false, value: 11.7 });
  assert.deepEqual(battery.judge(readings({ ELM_VOLTAGE: 12 })), { raise: false, clear: false, value: 12 });
  assert.deepEqual(battery.judge(readings({ ELM_VOLTAGE: 12.2 })), { raise: false, clear: true, value: 12.2 });
  const one = compileCondition({ ...RULE, dtc: ['P0420'] });
  assert.equal(one.judge(readings({})).raise, null);
  assert.deepEqual(one.judge(readings({}, { dtcs: ['P0104', 'P0420'] })), { raise: true, clear: false, value: ['P0420'] });
  assert.deepEqual(one.judge(readings({}, { dtcs: ['P0104'] })), { raise: false, clear: true, value: [] });
  const any = compileCondition({ ...RULE, dtc: 'any' });
  assert.deepEqual(any.judge(readings({}, { dtcs: ['P0104'] })).value, ['P0104']);
  const adapter = compileCondition({ ...RULE, adapter: 'lost' });
  assert.deepEqual(adapter.judge(readings({}, { adapter: 'lost' })), { raise: true, clear: false, value: 'lost' });
  assert.equal(adapter.judge(readings({}, { adapter: 'retrying' })).raise, true);
  // Neither while the first connection is being made, nor after a client closed it on purpose.
  for (const state of ['connecting', 'closed'] as const)
    assert.deepEqual(adapter.judge(readings({}, { adapter: state })), { raise: false, clear: false, value: state });
  assert.deepEqual(adapter.judge(readings({}, { adapter: 'connected' })), { raise: false, clear: true, value: 'connected' });
});

test('load-time problems: syntax errors with their column, unknown commands, never eval', () => {
  const rules = (when: string) => ({ webhook: null, dtc_every: 30_000, rules: { X: { ...RULE, when } } });
  const known = (name: string) => ['RPM', 'SPEED'].includes(name);
  assert.deepEqual(alertProblems(rules('RPM > 1000'), known), []);
  const [syntax] = alertProblems(rules('RPM >> > 1'), known);
  assert.equal(syntax!.offset, 7);
  assert.match(syntax!.message, /^alerts\.rules\.X\.when: /);
  const [unknown] = alertProblems(rules('SPEED > 1 && RMP > 2'), known);
  assert.deepEqual([unknown!.message, unknown!.offset], ["alerts.rules.X.when: unknown command 'RMP'", 13]);
  assert.equal(alertProblems(rules('process.exit(1)'), known).length, 1);
});
