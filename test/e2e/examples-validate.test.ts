/**
 * Every shipped config passes the CLI's `validate` as shipped: a user copies these first, so an
 * example that names a file the repository lacks, or a key the schema refuses, fails here.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';

const shipped = [
  ...readdirSync(new URL('../../examples/', import.meta.url))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => `examples/${f}`),
  'obdio.yaml',
];

test('the examples are all here', () => {
  assert.ok(shipped.length >= 10, shipped.join(', '));
});

for (const file of shipped) {
  test(`obdio-gateway validate ${file} exits 0`, async () => {
    const run = runCli(['validate', file]);
    const code = await run.exited;
    assert.equal(code, 0, run.text());
  });
}
