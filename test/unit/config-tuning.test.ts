/**
 * The config keys of adapter tuning and the watch loop's batching and bus-rate cap: what they
 * normalize to, and the errors for values the adapter cannot take.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSpecText } from '../../src/config/load.js';
import type { Spec } from '../../src/config/spec.js';

function specOf(yaml: string): Spec {
  const result = parseSpecText(yaml, null, {});
  if (!result.ok) assert.fail(result.errors.map((e) => `${e.line}:${e.col} ${e.message}`).join('\n'));
  return result.spec;
}

function errorsOf(yaml: string): string[] {
  const result = parseSpecText(yaml, null, {});
  assert.equal(result.ok, false, 'expected errors');
  return result.ok ? [] : result.errors.map((e) => `${e.line}:${e.col} ${e.message}`);
}

test("defaults: headers on, the adapter's own timing, no baud change, batching auto, no rate cap", () => {
  const spec = specOf('');
  assert.equal(spec.connection.headers, true);
  assert.deepEqual(spec.connection.adapter_timing, { at: 1, st: null });
  assert.equal(spec.connection.upgrade_baudrate, 'off');
  assert.equal(spec.watch.batch, 'auto');
  assert.equal(spec.watch.max_rate, null);
});

test('values normalize: durations to ms, rates to Hz, booleans to off/auto', () => {
  const spec = specOf(`
connection:
  headers: false
  adapter_timing: { at: 0, st: 0.1 }
  upgrade_baudrate: auto
watch: { batch: off, max_rate: 25hz }
`);
  assert.equal(spec.connection.headers, false);
  assert.deepEqual(spec.connection.adapter_timing, { at: 0, st: 100 });
  assert.equal(spec.connection.upgrade_baudrate, 'auto');
  assert.equal(spec.watch.batch, 'off');
  assert.equal(spec.watch.max_rate, 25);
  assert.equal(specOf('connection: { upgrade_baudrate: 500000 }').connection.upgrade_baudrate, 500000);
  assert.equal(specOf('connection: { upgrade_baudrate: false }').connection.upgrade_baudrate, 'off');
  assert.equal(specOf('watch: { max_rate: 12.5 }').watch.max_rate, 12.5);
});

test('errors point at the value: ATST range, ATAT levels, batch modes, rates, baud rates', () => {
  assert.match(errorsOf('connection:\n  adapter_timing: { st: 2s }\n').join('\n'), /^2:\d+ .*4ms to 1020ms/m);
  assert.match(errorsOf('connection:\n  adapter_timing: { st: 1ms }\n').join('\n'), /4ms to 1020ms/);
  assert.equal(errorsOf('connection:\n  adapter_timing: { at: 3 }\n').length, 1);
  assert.equal(errorsOf('watch:\n  batch: sometimes\n').length, 1);
  assert.equal(errorsOf('watch:\n  max_rate: 0hz\n').length, 1);
  assert.equal(errorsOf('connection:\n  upgrade_baudrate: fast\n').length, 1);
});
