import assert from 'node:assert/strict';
import { test } from 'node:test';
import { healthReport, type HealthInput } from '../../src/server/health.js';

const healthy: HealthInput = {
  adapterState: 'connected',
  status: 'Car Connected',
  carConnected: true,
  watching: 3,
  streaming: true,
  paused: false,
  lastValueAgeMs: 120,
  staleAfterMs: 10_000,
  uptimeMs: 65_000,
};

const verdict = (changes: Partial<HealthInput>) => {
  const report = healthReport({ ...healthy, ...changes });
  return [report.httpStatus, report.body.status];
};

test('200 while values flow, with the age of the last one', () => {
  const report = healthReport(healthy);
  assert.equal(report.httpStatus, 200);
  assert.deepEqual(report.body, {
    status: 'ok',
    message: 'values are flowing',
    adapter: { state: 'connected', status: 'Car Connected' },
    last_value_age_s: 0.1,
    watching: 3,
    streaming: true,
    uptime_s: 65,
  });
});

test('503 when the adapter is away, the car does not answer, or values are stale', () => {
  assert.deepEqual(verdict({ adapterState: 'retrying', status: 'Not Connected', carConnected: false }), [503, 'adapter_down']);
  assert.deepEqual(verdict({ adapterState: null, status: 'Not Connected', carConnected: false }), [503, 'adapter_down']);
  assert.deepEqual(verdict({ status: 'ELM Connected', carConnected: false }), [503, 'no_vehicle']);
  assert.deepEqual(verdict({ lastValueAgeMs: 10_001 }), [503, 'stale']);
  assert.deepEqual(verdict({ lastValueAgeMs: null }), [503, 'stale']);
});

test('200 when nothing is asked of the car, or polling is paused on purpose', () => {
  assert.deepEqual(verdict({ watching: 0, lastValueAgeMs: null }), [200, 'idle']);
  assert.deepEqual(verdict({ streaming: false, lastValueAgeMs: 99_000 }), [200, 'idle']);
  assert.deepEqual(verdict({ paused: true, lastValueAgeMs: 99_000 }), [200, 'paused']);
});
