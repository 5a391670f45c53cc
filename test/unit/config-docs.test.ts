/**
 * docs/config.md is generated from schemas/obdio.schema.json (npm run docs): it must match the
 * schema, and the generator must document every key, its default and what a change restarts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readSchemaFile } from '../../src/config/schema-file.js';
import { restartMarkers } from '../../src/config/schema.js';
import { CONFIG_DOC, renderConfigReference } from '../../scripts/config-reference.js';

type Schema = Parameters<typeof renderConfigReference>[0];

const DOC = new URL(`../../${CONFIG_DOC}`, import.meta.url);

test('docs/config.md is what the schema generates (run `npm run docs` after changing the schema)', () => {
  const expected = renderConfigReference(readSchemaFile() as Schema);
  assert.ok(readFileSync(DOC, 'utf8') === expected, `${CONFIG_DOC} is stale: run \`npm run docs\` and commit it`);
});

test('every key of every section has its entry, and every key marked x-restart says what it restarts', () => {
  const doc = renderConfigReference(readSchemaFile() as Schema);
  const schema = readSchemaFile() as { properties: Record<string, { properties?: Record<string, unknown> }> };
  for (const [section, node] of Object.entries(schema.properties)) {
    assert.match(doc, new RegExp(`^## ${section}$`, 'm'), `section ${section}`);
    for (const key of Object.keys(node.properties ?? {})) assert.ok(doc.includes(`### \`${section}.${key}\``), `key ${section}.${key}`);
  }
  const entry = (path: string): string => {
    const start = doc.indexOf(path.includes('.') ? `### \`${path}\`` : `## ${path}\n`);
    assert.notEqual(start, -1, path);
    const next = doc.indexOf('\n##', start + 1);
    return doc.slice(start, next === -1 ? undefined : next);
  };
  assert.ok(restartMarkers().length > 0);
  for (const { path, part } of restartMarkers())
    assert.match(entry(path.join('.')), new RegExp(`On change: restarts the ${part}`, 'i'), path.join('.'));
  assert.match(entry('server.cors_allowed_origins'), /On change: applies live/);
  assert.match(entry('connection.port'), /Default: `sim`/);
});

test('the generator: types, defaults, examples, inherited restarts, references followed once', () => {
  const schema: Schema = {
    description: 'A test config.',
    properties: {
      link: {
        description: 'The link.',
        type: 'object',
        'x-restart': 'connection',
        properties: { speed: { description: 'Baud rate.', type: ['string', 'integer'], default: 'auto', examples: ['auto', 38400] } },
      },
      steps: { description: 'Steps.', type: 'array', items: { $ref: '#/definitions/step' } },
      names: { description: 'Names.', type: 'array', items: { type: 'string' }, default: [] },
      token: { description: 'A token.', type: ['string', 'null'], default: '' },
    },
    definitions: {
      step: {
        description: 'One step.',
        type: 'object',
        properties: {
          say: { description: 'What to say.', type: 'string' },
          then: { description: 'Nested steps.', type: 'array', items: { $ref: '#/definitions/step' } },
        },
      },
    },
  };
  const doc = renderConfigReference(schema);
  assert.match(
    doc,
    /### `link\.speed`\n\nBaud rate\.\n\n- Type: text or whole number\n- Default: `auto`\n- Examples: `auto`, `38400`\n- On change: restarts the connection/,
  );
  assert.match(doc, /### `steps\[\]\.say`\n\nWhat to say\.\n\n- Type: text\n- On change: applies live/);
  assert.match(doc, /### `steps\[\]\.then\[\]`\n\nThe same as `steps\[\]` above\./);
  assert.doesNotMatch(doc, /steps\[\]\.then\[\]\.say/);
  assert.match(doc, /## names\n[^#]*- Type: list of texts\n- Default: `\[\]`/);
  assert.match(doc, /## token\n[^#]*- Default: empty text \(`""`\)/);
});
