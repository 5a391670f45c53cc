/** Writes docs/config.md, the reference of every obdio.yaml key, from the schema (`npm run docs`). */
import { readFile, writeFile } from 'node:fs/promises';
import { readSchemaFile } from '../src/config/schema-file.js';
import { CONFIG_DOC, renderConfigReference } from './config-reference.js';

const file = new URL(`../${CONFIG_DOC}`, import.meta.url);
const text = renderConfigReference(readSchemaFile() as Parameters<typeof renderConfigReference>[0]);
// Rewritten only when it changed, like the generated validator.
if ((await readFile(file, 'utf8').catch(() => null)) !== text) {
  await writeFile(file, text);
  console.log(`wrote ${CONFIG_DOC}`);
}
