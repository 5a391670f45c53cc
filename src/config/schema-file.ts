/**
 * Where schemas/obdio.schema.json lives and the keywords of ours it uses. Kept apart from
 * schema.ts, which needs the generated validator, so that the generator can read the schema
 * before any validator exists.
 */
import { readFileSync } from 'node:fs';
import { packagePath } from './package-files.js';

export const SCHEMA_FILE = packagePath('schemas', 'obdio.schema.json');

/**
 * Annotation keywords besides the standard ones:
 *   x-restart  — which running part (a Part's name, config/part.ts) restarts when the key, or any key
 *                of the marked section, changes ("connection", "server", "mqtt");
 *   x-expected — what a valid value looks like, for error messages ("a duration like 0.1, 250ms or 2s").
 */
export const CUSTOM_KEYWORDS = ['x-restart', 'x-expected'] as const;

export function readSchemaFile(): unknown {
  return JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
}
