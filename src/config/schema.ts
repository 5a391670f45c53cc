/**
 * schemas/obdio.schema.json at run time: its validator (generated at build time from the schema,
 * see validator-source.ts) and the schema's annotations, standard and ours (schema-file.ts).
 */
import type { ValidateFunction } from 'ajv';
import { validate } from './generated/config-validator.js';
import { readSchemaFile } from './schema-file.js';

export { CUSTOM_KEYWORDS, SCHEMA_FILE } from './schema-file.js';

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

let schema: SchemaNode | undefined;

export function configSchema(): SchemaNode {
  schema ??= readSchemaFile() as SchemaNode;
  return schema;
}

export function configValidator(): ValidateFunction {
  return validate as ValidateFunction;
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

/** Every fixed-property key marked with x-restart (a marked section or sub-object stands for all its keys). */
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
