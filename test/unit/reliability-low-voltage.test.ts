import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/load-config.js';
import { LowVoltageGuard } from '../../src/link/low-voltage.js';

test('low-voltage guard: pauses below pause_below, resumes only above resume_above (hysteresis)', () => {
  const guard = new LowVoltageGuard({ pause_below: 12.2, resume_above: 12.8 });
  const verdicts = [13.9, 12.5, 12.21, 12.19, 12.5, 12.8, 12.6, 12.81, 12.3, 12.1].map((v) => guard.update(v));
  assert.deepEqual(verdicts, [null, null, null, 'pause', null, null, null, 'resume', null, 'pause']);
  assert.equal(guard.paused, true);
  guard.reset();
  assert.equal(guard.paused, false);
  assert.equal(guard.update(Number.NaN), null, 'an unreadable voltage changes nothing');
});

function connectionOf(yaml: string) {
  const result = parseConfig(yaml, null, {});
  if (!result.ok) assert.fail(result.errors.map((e) => `${e.line}:${e.col} ${e.message}`).join('\n'));
  return result.spec.connection;
}

test('config: connection.low_voltage is off by default; true takes 12.2 / 12.8 V; a mapping sets either', () => {
  assert.equal(connectionOf('').low_voltage, null);
  assert.equal(connectionOf('connection: { low_voltage: false }').low_voltage, null);
  assert.deepEqual(connectionOf('connection: { low_voltage: true }').low_voltage, { pause_below: 12.2, resume_above: 12.8 });
  assert.deepEqual(connectionOf('connection: { low_voltage: { pause_below: 11.9 } }').low_voltage, {
    pause_below: 11.9,
    resume_above: 12.8,
  });
});

test('config: resume_above not above pause_below is an error at its line', () => {
  const result = parseConfig('connection:\n  low_voltage:\n    pause_below: 13\n    resume_above: 12.5\n', null, {});
  assert.equal(result.ok, false);
  if (result.ok) return;
  const error = result.errors.find((e) => e.message.includes('resume_above'));
  assert.ok(error, JSON.stringify(result.errors));
  assert.equal(error.line, 4);
});

test('config: a voltage that is not a number is refused with what was expected', () => {
  const result = parseConfig('connection: { low_voltage: { pause_below: low } }', null, {});
  assert.equal(result.ok, false);
  if (!result.ok) assert.match(result.errors[0].message, /voltage like 12\.2/);
});
