/** Writes src/config/generated/config-validator.ts from the schema (run by build, typecheck and dev). */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { GENERATED_VALIDATOR, validatorSource } from '../src/config/validator-source.js';

const source = validatorSource();
const current = await readFile(GENERATED_VALIDATOR, 'utf8').catch(() => null);
// Rewritten only when it changed, so tsc and watchers do not see a new file on every run.
if (current !== source) {
  await mkdir(new URL('.', GENERATED_VALIDATOR), { recursive: true });
  await writeFile(GENERATED_VALIDATOR, source);
}
