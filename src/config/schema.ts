/**
 * schemas/obdio.schema.json at run time: the validator (compiled once) and the schema's own
 * annotations. Besides the standard keywords the schema uses two of ours:
 *   x-restart  — which running part must restart when the key changes ("connection", "server", "mqtt");
 *   x-expected — what a valid value looks like, for error messages ("a duration like 0.1, 250ms or 2s").
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';

/** The part of a JSON Schema node this program reads. */
export interface SchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  required?: string[];
  enum?: unknown[];
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  $ref?: string;
  'x-restart'?: string;
  'x-expected'?: string;
  [keyword: string]: unknown;
}

/** Where the schema lives: next to src/ and dist/ alike (both are two folders below the package). */
export const SCHEMA_FILE = fileURLToPath(new URL('../../schemas/obdio.schema.json', import.meta.url));

export const CUSTOM_KEYWORDS = ['x-restart', 'x-expected'] as const;

let schema: SchemaNode | undefined;
let validator: ValidateFunction | undefined;

export function configSchema(): SchemaNode {
  schema ??= JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as SchemaNode;
  return schema;
}

/**
 * An Ajv that accepts our schema in strict mode. `verbose` keeps the failing schema and data
 * on each error so messages can use x-expected and show what was found.
 */
export function createAjv(): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true, verbose: true, allowUnionTypes: true });
  for (const keyword of CUSTOM_KEYWORDS) ajv.addKeyword({ keyword, schemaType: 'string' });
  return ajv;
}

export function configValidator(): ValidateFunction {
  validator ??= createAjv().compile(configSchema());
  return validator;
}

/** Follows a local "#/definitions/x" reference; other nodes come back as they are. */
export function resolveRef(node: SchemaNode): SchemaNode {
  if (typeof node.$ref !== 'string') return node;
  const name = node.$ref.replace(/^#\/definitions\//, '');
  const definitions = configSchema().definitions as Record<string, SchemaNode> | undefined;
  const target = definitions?.[name];
  return target ? { ...target, ...node, $ref: undefined } : node;
}

export interface RestartMarker {
  /** Path of the marked key below the root, e.g. ["connection", "port"]. */
  path: string[];
  part: string;
}

let markers: RestartMarker[] | undefined;

/** Every fixed-property key marked with x-restart (the schema's sections and their sub-objects). */
export function restartMarkers(): RestartMarker[] {
  if (markers) return markers;
  const found: RestartMarker[] = [];
  const visit = (node: SchemaNode, path: string[]): void => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const resolved = resolveRef(child);
      const part = resolved['x-restart'];
      if (typeof part === 'string') found.push({ path: [...path, key], part });
      else visit(resolved, [...path, key]);
    }
  };
  visit(configSchema(), []);
  markers = found;
  return found;
}
