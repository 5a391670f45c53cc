/** `alerts:` in obdio.yaml: defaults, units, and the errors a wrong rule gets, at file:line:col. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/load-config.js';

function errorsOf(yaml: string): string[] {
  const result = parseConfig(yaml, '/cfg/obdio.yaml');
  assert.ok(!result.ok, 'expected errors');
  return result.errors.map((e) => `${e.line}:${e.col} ${e.message}`);
}

test('a rule is normalized: durations in ms, one code as a list, clear_above filled in, the name as message', () => {
  const result = parseConfig(
    `alerts:
  webhook: { url: "http://127.0.0.1:9/h?token=\${HOOK}", timeout: 1.5s }
  rules:
    HOT: { when: COOLANT_TEMP > 105, clear: COOLANT_TEMP < 100, for: 10s }
    CODE: { dtc: P0420, message: Catalyst }
    LOW: { battery: { below: 11.8 } }
`,
    null,
    { HOOK: 's3cret' },
  );
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  const alerts = result.spec.alerts!;
  assert.deepEqual(alerts.webhook, { url: 'http://127.0.0.1:9/h?token=s3cret', timeout: 1500, retries: 3, headers: {} });
  assert.equal(alerts.dtc_every, 30_000);
  assert.deepEqual(alerts.rules.HOT, {
    when: 'COOLANT_TEMP > 105',
    clear: 'COOLANT_TEMP < 100',
    dtc: null,
    adapter: null,
    battery: null,
    for: 10_000,
    message: 'HOT',
  });
  assert.deepEqual(alerts.rules.CODE!.dtc, ['P0420']);
  assert.equal(alerts.rules.CODE!.message, 'Catalyst');
  assert.deepEqual(alerts.rules.LOW!.battery, { below: 11.8, clear_above: 12.2 });
  const empty = parseConfig('', null);
  assert.ok(empty.ok);
  assert.equal(empty.spec.alerts, null);
});

test('wrong rules: each error says which rule and where', () => {
  assert.deepEqual(errorsOf('alerts:\n  rules:\n    A: { when: RPM > 1, adapter: lost }\n'), [
    '3:5 alerts.rules.A: an alert needs exactly one of when, dtc, adapter, battery (it has when and adapter)',
  ]);
  assert.deepEqual(errorsOf('alerts:\n  rules:\n    A: { for: 2s }\n'), [
    '3:5 alerts.rules.A: an alert needs exactly one of when, dtc, adapter, battery',
  ]);
  assert.match(errorsOf('alerts:\n  rules:\n    A: { dtc: any, clear: RPM < 1 }\n')[0]!, /^3:20 alerts\.rules\.A: clear goes with when/);
  assert.match(errorsOf('alerts:\n  rules:\n    "A/B": { adapter: lost }\n')[0]!, /^3:5 .*'A\/B' is not an alert name/);
  assert.match(errorsOf('alerts:\n  rules:\n    A: { dtc: P9999X }\n')[0]!, /^3:15 /);
  assert.match(errorsOf('alerts:\n  rules:\n    A: { adapter: found }\n')[0]!, /^3:19 .*lost/);
  assert.match(errorsOf('alerts:\n  webhook: { url: "ftp://x" }\n')[0]!, /^2:19 .*http/);
});

test('expressions are checked with the command table: syntax at its column, unknown commands named', () => {
  assert.deepEqual(errorsOf('alerts:\n  rules:\n    A: { when: "RPM > (2" }\n'), ["3:23 alerts.rules.A.when: '(' is never closed"]);
  assert.deepEqual(errorsOf('alerts:\n  rules:\n    A: { when: SPED > 2 }\n'), ["3:16 alerts.rules.A.when: unknown command 'SPED'"]);
});
