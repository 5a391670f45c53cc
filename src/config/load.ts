/**
 * obdio.yaml text -> Spec, or errors with line:col. Steps: YAML syntax -> ${ENV} substitution
 * (on the Document, so positions survive) -> JSON Schema (ajv) -> normalization and the checks
 * the schema cannot express. Nothing here throws on bad input: every problem is a ConfigError.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, visit, type Document, type Scalar } from 'yaml';
import type { ErrorObject } from 'ajv';
import { describeValue, didYouMean, formatPath, Locator, type ConfigError, type PathSegment } from './errors.js';
import { normalize, type CommandRef } from './normalize.js';
import { configSchema, configValidator, resolveRef, type SchemaNode } from './schema.js';
import type { Spec } from './spec.js';

export { formatConfigError, type ConfigError } from './errors.js';

/**
 * The config layer's half of a check: the Spec, plus what the command checks (validateSpec)
 * need to point at a name in this file. The complete check is loadConfig/parseConfig in
 * src/load-config.ts, which adds the command table.
 */
export type SpecParseResult = { ok: true; spec: Spec; warnings: ConfigError[]; names: SpecNames } | { ok: false; errors: ConfigError[] };

/** Where the literal command names of one parsed file are, for validateSpec's errors. */
export interface SpecNames {
  readonly locator: Locator;
  readonly commandRefs: readonly CommandRef[];
}

/** Reads a config file's text. A missing or unreadable file is an error like any other. */
export async function readConfigFile(
  file: string,
): Promise<{ ok: true; path: string; text: string } | { ok: false; errors: ConfigError[] }> {
  const path = resolve(file);
  try {
    return { ok: true, path, text: await readFile(path, 'utf8') };
  } catch (error) {
    return { ok: false, errors: [{ file: path, line: 0, col: 0, message: readFailure(path, error), path: '', code: 'read' }] };
  }
}

function readFailure(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT')
    return `cannot read the config file: ${path} does not exist (an empty file runs on the simulator; examples/reference.yaml shows every key)`;
  if (code === 'EISDIR') return `cannot read the config file: ${path} is a folder, not a file`;
  if (code === 'EACCES' || code === 'EPERM') return `cannot read the config file: permission denied for ${path}`;
  return `cannot read the config file ${path}: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * Parses config text. `file` (made absolute) is reported in errors and anchors relative
 * paths; with null, paths are relative to the working directory.
 */
export function parseSpecText(text: string, file: string | null, env: NodeJS.ProcessEnv = process.env): SpecParseResult {
  const path = file === null ? null : resolve(file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true });
  const locator = new Locator(doc, lineCounter, path);
  const fail = (errors: ConfigError[]): SpecParseResult => ({ ok: false, errors });

  if (doc.errors.length > 0) {
    return fail(
      doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        // The yaml parser recurses per level and reports running out of stack as a syntax error.
        const message = /Maximum call stack size exceeded/.test(e.message) ? 'lists or mappings nested too deeply to read' : e.message;
        return { file: path, line, col, message: `YAML syntax: ${message}`, path: '', code: 'yaml' };
      }),
    );
  }
  const warnings: ConfigError[] = doc.warnings.map((w) => {
    const { line, col } = lineCounter.linePos(w.pos[0]);
    return { file: path, line, col, message: `YAML: ${w.message}`, path: '', code: 'yaml' };
  });

  const substituted = new Map<Scalar, string>();
  const envErrors = substituteEnv(doc, env, locator, substituted);
  if (envErrors.length > 0) return fail(envErrors);

  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    // toJS refuses documents whose aliases expand exponentially ("billion laughs").
    return fail([{ file: path, line: 1, col: 1, message: `YAML: ${(error as Error).message}`, path: '', code: 'yaml' }]);
  }
  data ??= {};
  dropEmptyContainers(data, configSchema());
  keepTextAsWritten(data, configSchema(), [], doc, substituted);

  const validate = configValidator();
  if (!validate(data)) return fail(schemaErrors(validate.errors ?? [], data, locator));

  const baseDir = path === null ? process.cwd() : dirname(path);
  const result = normalize(data as Record<string, unknown>, path, baseDir, locator);
  if (result.errors.length > 0) return fail(sortByPosition(result.errors));
  return {
    ok: true,
    spec: result.spec,
    warnings: sortByPosition([...warnings, ...result.warnings]),
    names: { locator, commandRefs: result.commandRefs },
  };
}

/** What the gateway knows about command names, for validateSpec. */
export interface CommandHooks {
  /** Whether a name is a command (built-in or from commands_from); `commands:` names count without it. */
  knownCommand(name: string): boolean;
  /** Whether a name is built in: a custom command with that name then needs `override: true`. */
  builtinCommand?(name: string): boolean;
  /** Every known name, for "did you mean" suggestions. */
  commandNames?(): Iterable<string>;
  /**
   * Problems with the `commands:` / `commands_from:` entries that need the command layer
   * (equations, bit fields, signal-set files): `here` are placed in this file at their path,
   * `offset` characters into the value (a column inside an equation); `elsewhere` are already
   * placed in another file (a signal set).
   */
  commandProblems?(spec: Spec): { here: CommandProblem[]; elsewhere: ConfigError[] };
  /** Template checks beyond syntax (helpers, JSON payloads) by the layer that renders them; paths are YAML paths. */
  templateProblems?(spec: Spec): Array<{ path: PathSegment[]; message: string }>;
}

export interface CommandProblem {
  path: PathSegment[];
  message: string;
  offset?: number;
  target?: 'key' | 'value';
}

/**
 * Checks that need the command table (which the config layer does not own): every literal
 * command name in watch, actions, callbacks and mqtt must exist. Errors point at the name.
 * `names` comes from the same parseSpecText result as `spec`.
 */
export function validateSpec(spec: Spec, info: SpecNames, hooks: CommandHooks): ConfigError[] {
  const errors: ConfigError[] = [];
  for (const ref of info.commandRefs) {
    if (ref.name in spec.commands || hooks.knownCommand(ref.name)) continue;
    const guess = didYouMean(ref.name, [...Object.keys(spec.commands), ...(hooks.commandNames?.() ?? [])]);
    const hint = guess ? ` (did you mean '${guess}'?)` : '';
    errors.push(
      info.locator.error(
        ref.path,
        `${formatPath(ref.path)}: unknown command '${ref.name}'${hint}`,
        'unknown_command',
        ref.isKey ? 'key' : 'value',
      ),
    );
  }
  for (const [name, command] of Object.entries(spec.commands)) {
    if (!command.override && hooks.builtinCommand?.(name)) {
      errors.push(
        info.locator.error(
          ['commands', name],
          `commands: ${name} is a built-in command; add override: true to replace it, or pick another name`,
          'semantic',
          'key',
        ),
      );
    }
  }
  for (const problem of hooks.templateProblems?.(spec) ?? []) errors.push(info.locator.error(problem.path, problem.message, 'template'));
  const problems = hooks.commandProblems?.(spec);
  for (const problem of problems?.here ?? []) {
    errors.push(
      problem.offset === undefined
        ? info.locator.error(problem.path, problem.message, 'semantic', problem.target ?? 'value')
        : info.locator.errorInValue(problem.path, problem.offset, problem.message, 'semantic'),
    );
  }
  return [...sortByPosition(errors), ...(problems?.elsewhere ?? [])];
}

function sortByPosition(errors: ConfigError[]): ConfigError[] {
  return [...errors].sort((a, b) => a.line - b.line || a.col - b.col);
}

/**
 * ${NAME} and ${NAME:-default} in string values (not keys); $${ is a literal "${". An unset
 * variable without a default is an error at its string. A plain (unquoted) scalar that
 * becomes a number or true/false takes that type, so `port: ${PORT:-48484}` is a number.
 */
function substituteEnv(doc: Document, env: NodeJS.ProcessEnv, locator: Locator, substituted: Map<Scalar, string>): ConfigError[] {
  const errors: ConfigError[] = [];
  visit(doc, {
    Scalar(key, node, ancestry) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return;
      const path = pathOf(ancestry, node);
      const problems: string[] = [];
      const text = node.value.replace(/\$\$\{|\$\{([^}]*)\}?/g, (match: string, body: string | undefined) => {
        if (match === '$${') return '${';
        const parts = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s.exec(body ?? '');
        if (!parts || !match.endsWith('}')) {
          problems.push(`malformed '${match}': write \${NAME} or \${NAME:-default} (and $\${ for a literal \${)`);
          return match;
        }
        const [, name, fallback] = parts;
        const value = env[name];
        if (value !== undefined && !(fallback !== undefined && value === '')) return value;
        if (fallback !== undefined) return fallback;
        problems.push(`environment variable ${name} is not set (give a default with \${${name}:-default})`);
        return match;
      });
      for (const problem of problems) {
        const where = formatPath(path);
        errors.push(locator.error(path, `${where ? `${where}: ` : ''}${problem}`, 'env'));
      }
      node.value = node.type === 'PLAIN' ? retype(text) : text;
      substituted.set(node, text);
    },
  });
  return errors;
}

function retype(text: string): string | number | boolean {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}

/** The YAML path of a scalar from visit()'s ancestry (Document, maps, pairs, seqs). */
function pathOf(ancestry: readonly unknown[], node: Scalar): PathSegment[] {
  const path: PathSegment[] = [];
  const chain = [...ancestry, node];
  for (let i = 1; i < chain.length; i++) {
    const parent = chain[i - 1] as { items?: unknown[]; key?: unknown };
    const child = chain[i];
    if (isMap(parent)) continue; // the Pair below it carries the key
    if (parent && 'key' in parent && 'value' in parent) {
      const key = parent.key;
      path.push(String(isScalar(key) ? key.value : key));
    } else if (parent && Array.isArray(parent.items)) {
      path.push(parent.items.indexOf(child));
    }
  }
  return path;
}

/**
 * `server:` with every child commented out parses as null; treat such an empty mapping or
 * list as absent (its defaults), instead of an error about null. Scalars stay as written.
 */
function dropEmptyContainers(data: unknown, schema: SchemaNode): void {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return;
  const record = data as Record<string, unknown>;
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    const node = resolveRef(property);
    const types = [node.type ?? []].flat();
    if (record[key] === null && !types.includes('null') && (types.includes('object') || types.includes('array'))) delete record[key];
    else dropEmptyContainers(record[key], node);
  }
}

/**
 * YAML reads `header: 7e4` as 70000 and `request: 0100` as 100. Where the schema wants text
 * (and no number), take the scalar as it was written instead.
 */
function keepTextAsWritten(
  data: unknown,
  schema: SchemaNode,
  path: PathSegment[],
  doc: Document,
  substituted: Map<Scalar, string>,
): unknown {
  const node = resolveRef(schema);
  if (typeof data === 'number' || typeof data === 'boolean') {
    const types = [node.type ?? []].flat();
    const wantsText = types.includes('string') && !types.some((t) => t === 'number' || t === 'integer' || t === 'boolean');
    const scalar = doc.getIn(path, true);
    if (!wantsText || !isScalar(scalar)) return data;
    return substituted.get(scalar) ?? scalar.source ?? String(data);
  }
  if (Array.isArray(data)) {
    if (node.items)
      data.forEach((item, i) => (data[i] = keepTextAsWritten(item, node.items as SchemaNode, [...path, i], doc, substituted)));
  } else if (typeof data === 'object' && data !== null) {
    const record = data as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const extra = typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined;
      const child = node.properties?.[key] ?? extra;
      if (child) record[key] = keepTextAsWritten(record[key], child, [...path, key], doc, substituted);
    }
  }
  return data;
}

// ---- ajv errors -> messages a user can act on ----

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value)',
  null: 'nothing',
};

function schemaErrors(errors: ErrorObject[], data: unknown, locator: Locator): ConfigError[] {
  // A failing oneOf/anyOf also reports why each branch failed: keep only its own message.
  const branches = new Set<unknown>();
  for (const e of errors)
    if ((e.keyword === 'oneOf' || e.keyword === 'anyOf') && Array.isArray(e.schema)) for (const b of e.schema) branches.add(b);
  let kept = errors.filter((e) => !branches.has(e.parentSchema));
  // ...and where the same value has a more precise error (an unknown key, a missing 'if'), that one explains it.
  const precise = new Set(kept.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf').map((e) => e.instancePath));
  kept = kept.filter((e) => !((e.keyword === 'oneOf' || e.keyword === 'anyOf') && precise.has(e.instancePath)));

  const seen = new Set<string>();
  const result: ConfigError[] = [];
  for (const e of kept) {
    const error = schemaError(e, pointerToPath(e.instancePath, data), locator);
    const id = `${error.line}:${error.col}:${error.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    result.push(error);
  }
  return sortByPosition(result);
}

function schemaError(e: ErrorObject, path: PathSegment[], locator: Locator): ConfigError {
  const where = formatPath(path);
  const prefix = where ? `${where}: ` : '';
  const parent = (e.parentSchema ?? {}) as SchemaNode;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = Object.keys(parent.properties ?? {});
      const guess = didYouMean(key, known);
      const hint = guess ? ` (did you mean '${guess}'?)` : known.length > 0 ? ` (known keys: ${known.join(', ')})` : '';
      const message = path.length === 0 ? `unknown section '${key}'${hint}` : `unknown key '${key}' in ${where}${hint}`;
      return locator.error([...path, key], message, 'schema', 'key');
    }
    case 'required':
      return locator.error(path, `${prefix}missing key '${String(params.missingProperty)}'`, 'schema');
    case 'dependencies':
      return locator.error(path, `${prefix}'${String(params.property)}' needs '${String(params.missingProperty)}' next to it`, 'schema');
    default:
      break;
  }
  if (path.length === 0 && e.keyword === 'type') {
    return locator.error(
      path,
      `the file must be a mapping of sections like connection: and server: (got ${describeValue(e.data)})`,
      'schema',
    );
  }
  const expected = parent['x-expected'] ?? genericExpectation(e);
  if (e.keyword === 'oneOf' && Array.isArray(params.passingSchemas) && typeof e.data === 'object' && e.data !== null) {
    // Several branches matched: for actions, several action keys in one item.
    const keys = (e.schema as SchemaNode[]).flatMap((b) => b.required ?? []).filter((k) => k in (e.data as object));
    const inList = typeof path[path.length - 1] === 'number';
    return locator.error(
      path,
      `${prefix}expected ${expected}; found ${keys.join(' and ')}${inList ? ' (make them separate list items)' : ''}`,
      'schema',
    );
  }
  return locator.error(path, `${prefix}expected ${expected} (got ${describeValue(e.data)})`, 'schema');
}

function genericExpectation(e: ErrorObject): string {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type':
      return String(params.type)
        .split(',')
        .map((t) => TYPE_WORDS[t] ?? t)
        .join(' or ');
    case 'enum':
      return `one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `a number ${String(params.comparison)} ${String(params.limit)}`;
    case 'minLength':
      return 'non-empty text';
    case 'minItems':
    case 'minProperties':
      return `at least ${String(params.limit)} ${e.keyword === 'minItems' ? 'item' : 'entry'}${params.limit === 1 ? '' : 's'}`;
    case 'pattern':
      return `text matching ${String(params.pattern)}`;
    default:
      return e.message ?? e.keyword;
  }
}

/** ajv's instancePath ("/events/custom/x/0") as YAML path segments (list indexes as numbers). */
function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const path: PathSegment[] = [];
  let current = data;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) {
      const index = Number(segment);
      path.push(index);
      current = current[index];
    } else {
      path.push(segment);
      current = typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[segment] : undefined;
    }
  }
  return path;
}
