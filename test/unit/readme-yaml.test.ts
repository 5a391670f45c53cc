import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseConfig } from '../../src/load-config.js';

// Every YAML block of the README is a config a user may paste: each must load as it is. A block
// that names another program's file after the language (```yaml prometheus.yml) is not ours.
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

test('the README has YAML examples', () => {
  assert.ok(blocks.length >= 4, `${blocks.length} blocks`);
});

for (const [index, block] of blocks.entries()) {
  test(`README YAML block ${index + 1} is a valid config`, () => {
    const result = parseConfig(block, new URL('../../obdio.yaml', import.meta.url).pathname);
    assert.ok(result.ok, result.ok ? '' : result.errors.map((e) => `${e.line}:${e.col} ${e.message}`).join('\n'));
  });
}
