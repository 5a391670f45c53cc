/**
 * Build-time half of config validation: compiles schemas/obdio.schema.json with Ajv and turns
 * the result into a standalone ES module (src/config/generated/config-validator.ts), so that
 * the gateway validates with plain generated code and never loads Ajv's compiler. Compiling at
 * start-up cost ~250 ms and ~13 MB of memory that stayed resident. Only the generator script
 * and the tests import this module.
 */
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { CUSTOM_KEYWORDS, readSchemaFile } from './schema-file.js';

/** Where the generated validator goes (two folders below the package, like the schema). */
export const GENERATED_VALIDATOR = new URL('./generated/config-validator.ts', import.meta.url);

/**
 * An Ajv that accepts our schema in strict mode. `verbose` keeps the failing schema and data
 * on each error so messages can use x-expected and show what was found.
 */
export function createAjv(options: { source?: boolean } = {}): Ajv {
  const ajv = new Ajv({
    strict: true,
    allErrors: true,
    verbose: true,
    allowUnionTypes: true,
    ...(options.source ? { code: { source: true, esm: true } } : {}),
  });
  for (const keyword of CUSTOM_KEYWORDS) ajv.addKeyword({ keyword, schemaType: 'string' });
  return ajv;
}

/** The generated module's text: Ajv's standalone code, made a TypeScript-compatible ES module. */
export function validatorSource(): string {
  const ajv = createAjv({ source: true });
  // A CommonJS module: its function is the default export's `default` under NodeNext.
  let code = standalone.default(ajv, ajv.compile(readSchemaFile() as object));
  // Ajv's ESM output still reaches its runtime helpers with require(); import them instead.
  const helpers = new Map<string, string>();
  code = code.replace(/require\("(ajv\/dist\/runtime\/[a-z0-9]+)"\)\.default/g, (_: string, path: string) => {
    const name = `runtime_${path.split('/').pop()}`;
    helpers.set(name, `${path}.js`);
    // A CommonJS module: its exports object is the default import, the function its `default`.
    return `${name}.default`;
  });
  if (/require\(/.test(code)) throw new Error('the standalone validator requires a module the generator does not know');
  const imports = [...helpers].map(([name, path]) => `import ${name} from '${path}';`).join('\n');
  return [
    '// @ts-nocheck',
    '// Generated from schemas/obdio.schema.json by `npm run generate` (src/config/validator-source.ts): do not edit.',
    imports,
    code.replace(/^"use strict";/, ''),
    '',
  ].join('\n');
}
