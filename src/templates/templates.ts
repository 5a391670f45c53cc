/**
 * The Handlebars templates of obdio.yaml: one environment with the helpers users may call,
 * templates compiled once per reload, and the load-time checks the config loader runs through
 * `checkSpecTemplates` (unknown helpers, partials, JSON payloads that can never be JSON).
 *
 * Output is never HTML-escaped (`noEscape`): it goes into Socket.IO events, room and command
 * names, not into a page. Prototype access stays blocked (Handlebars' default), so a template
 * can read the context's own data and nothing else.
 *
 * Payloads (`emit.data` of actions and callbacks) come in two kinds, decided by the source:
 * - JSON payloads: the source starts with `{` (not `{{`) or `[`, or is one `{{json ...}}`.
 *   The output must parse as JSON; the parsed value is sent. A template that cannot produce
 *   JSON whatever the values is a load error; otherwise a bad output fails at run time.
 * - Other payloads: the output is sent parsed when it is JSON (`{{RPM.value}}` sends a number,
 *   `{{args}}` with args "5" sends 5), else as text. `{{json x}}` keeps x's type exactly.
 */
import { readFileSync } from 'node:fs';
import type { HelperDelegate } from 'handlebars';
import { handlebars, type Handlebars } from '../config/handlebars.js';
import { formatPath, type PathSegment } from '../config/errors.js';
import type { ActionSpec, Spec } from '../config/spec.js';
import { packagePath } from '../config/package-files.js';

/**
 * Short display symbols of python-OBD's (pint's) unit names, for the `unit` helper: the table
 * the dashboard shows, read from its folder.
 */
const UNIT_SYMBOLS = JSON.parse(readFileSync(packagePath('dashboard', 'lib', 'unit-symbols.json'), 'utf8')) as Readonly<
  Record<string, string>
>;

/** Handlebars passes an options object last; helpers see only what the template gave. */
function params(args: unknown[]): unknown[] {
  return args.slice(0, -1);
}

function roundTo(value: unknown, digits: number): unknown {
  if (Array.isArray(value)) return value.map((v) => roundTo(v, digits));
  if (typeof value !== 'number' || !Number.isFinite(value)) return value ?? null;
  // Shifting through the decimal exponent rounds 1.005 to 1.01, as people expect.
  const shifted = String(value).includes('e') ? value * 10 ** digits : Number(`${value}e${digits}`);
  const rounded = Math.round(shifted);
  return String(rounded).includes('e') ? rounded / 10 ** digits : Number(`${rounded}e-${digits}`);
}

function unitSymbol(value: unknown): string {
  const unit = typeof value === 'string' ? value : typeof value === 'object' && value !== null ? (value as { unit?: unknown }).unit : null;
  if (typeof unit !== 'string') return '';
  if (unit.startsWith('<class ')) return ''; // a Python type, not a unit
  return Object.hasOwn(UNIT_SYMBOLS, unit) ? UNIT_SYMBOLS[unit] : unit;
}

const HELPERS: Record<string, (this: unknown, ...args: unknown[]) => unknown> = {
  /** `{{json x}}`: x as JSON (undefined becomes null); `{{json}}`: the whole context. */
  json(...args) {
    const [value] = params(args);
    return JSON.stringify(args.length === 1 ? this : (value ?? null)) ?? 'null';
  },
  /** `{{round RPM.value 1}}`: a number (or every number of a list) to that many decimals (0-15, default 0). */
  round(...args) {
    const [value, digits] = params(args);
    const places = typeof digits === 'number' && Number.isFinite(digits) ? Math.min(15, Math.max(0, Math.trunc(digits))) : 0;
    return roundTo(value, places);
  },
  /** `{{unit SPEED}}` or `{{unit "kilometer_per_hour"}}`: the short symbol ("km/h"); "" for plain types. */
  unit(...args) {
    return unitSymbol(params(args)[0]);
  },
  eq: (...args) => params(args)[0] === params(args)[1],
  ne: (...args) => params(args)[0] !== params(args)[1],
  gt: (...args) => compare(params(args), (a, b) => a > b),
  gte: (...args) => compare(params(args), (a, b) => a >= b),
  lt: (...args) => compare(params(args), (a, b) => a < b),
  lte: (...args) => compare(params(args), (a, b) => a <= b),
  /** JavaScript's &&: the first falsy value, else the last one. */
  and: (...args) => params(args).reduce((a, b) => (a ? b : a), true),
  /** JavaScript's ||: the first truthy value, else the last one. */
  or: (...args) => {
    const values = params(args);
    return values.find(Boolean) ?? values.at(-1) ?? null;
  },
  not: (...args) => !params(args)[0],
  /** `{{default RPM.value 0}}`: the value unless it is null, undefined or empty text. */
  default: (...args) => {
    const [value, fallback] = params(args);
    return value === null || value === undefined || value === '' ? fallback : value;
  },
};

function compare(values: unknown[], test: (a: number | string, b: number | string) => boolean): boolean {
  const [a, b] = values;
  const comparable = (v: unknown): v is number | string => typeof v === 'number' || typeof v === 'string';
  return comparable(a) && comparable(b) && typeof a === typeof b && test(a, b);
}

let environment: Handlebars | null = null;

/** The one Handlebars environment of the gateway (helpers registered here only), made on first use. */
function hb(): Handlebars {
  if (environment) return environment;
  environment = handlebars().create();
  for (const [name, helper] of Object.entries(HELPERS)) environment.registerHelper(name, helper as HelperDelegate);
  // Handlebars' `log` writes to the console on every render: not something a config should do.
  environment.unregisterHelper('log');
  return environment;
}

/** Helpers a template may call with arguments: Handlebars' own and ours. */
export const HELPER_NAMES: readonly string[] = ['if', 'unless', 'each', 'with', 'lookup', ...Object.keys(HELPERS)];

/** A template's output could not be used (JSON expected and not produced, or a helper failed). */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

export type TemplateContext = Record<string, unknown>;

export interface Template {
  readonly source: string;
  /** The output text; throws TemplateError when the template fails at run time. */
  text(context: TemplateContext): string;
}

export interface PayloadTemplate extends Template {
  /** Whether the output must be JSON (see the module comment). */
  readonly json: boolean;
  /** The output as a value: parsed JSON, or (non-JSON payloads only) the text itself. */
  value(context: TemplateContext): unknown;
}

type Render = (context: TemplateContext) => string;

/**
 * Compiles a template once (call again on every reload, not per use). With `json: true` its
 * `value()` must parse as JSON; with false, `value()` parses when it can and gives text otherwise.
 * Never throws: a template that does not compile fails each time it is used, with the reason.
 */
export function compileTemplate(source: string, options: { json: boolean }): PayloadTemplate {
  const render = compileRender(source);
  const json = options.json;
  const constant = source.includes('{{') ? null : source;
  // A literal payload is parsed once, here, instead of on every emit.
  const constantValue = constant === null ? undefined : parseOutput(constant, json);
  return {
    source,
    json,
    text: render,
    value(context) {
      if (constantValue !== undefined) {
        if (constantValue instanceof TemplateError) throw constantValue;
        return constantValue.value;
      }
      const result = parseOutput(render(context), json);
      if (result instanceof TemplateError) throw result;
      return result.value;
    },
  };
}

/** A payload template: JSON or not decided by its source (see expectsJson). */
export function compilePayload(source: string): PayloadTemplate {
  return compileTemplate(source, { json: expectsJson(source) });
}

/** A payload source asks for JSON when it starts like JSON, or is a single `{{json ...}}`. */
export function expectsJson(source: string): boolean {
  const text = source.trim();
  if (text.startsWith('[')) return true;
  if (text.startsWith('{') && !text.startsWith('{{')) return true;
  return /^\{\{~?\s*json(\s[^{}]*)?~?\}\}$/.test(text);
}

function parseOutput(text: string, json: boolean): { value: unknown } | TemplateError {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    if (!json) return { value: text };
    const shown = text.length > 120 ? `${text.slice(0, 117)}...` : text;
    return new TemplateError(`the output is not valid JSON (${jsonReason(error)}): ${shown}`);
  }
}

function jsonReason(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ');
}

function compileRender(source: string): Render {
  if (!source.includes('{{')) return () => source;
  let compiled: HandlebarsTemplateDelegate;
  try {
    compiled = hb().compile(source, { noEscape: true });
  } catch (error) {
    return failing(error);
  }
  try {
    // Handlebars compiles lazily on first use; a warm-up render makes "once per reload" true.
    compiled({});
  } catch (error) {
    // A syntax error: the template can never render. Anything else (a missing helper or
    // value) was for want of data, which run time will have.
    if (isSyntaxError(source)) return failing(error);
  }
  return (context) => {
    try {
      return compiled(context);
    } catch (error) {
      throw new TemplateError(`template error: ${firstLine(error)}`);
    }
  };
}

function isSyntaxError(source: string): boolean {
  try {
    hb().precompile(source, { noEscape: true });
    return false;
  } catch {
    return true;
  }
}

function failing(error: unknown): Render {
  const failure = new TemplateError(`template error: ${firstLine(error)}`);
  return () => {
    throw failure;
  };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

// ---- load-time checks ----

/** A problem found in a template, at the YAML path of the string. */
export interface TemplateProblem {
  path: PathSegment[];
  message: string;
}

/**
 * Checks every template of a (syntax-checked) Spec beyond syntax: helpers that do not exist,
 * partials (there are none), and JSON payloads that cannot produce JSON whatever the values.
 * Paths are YAML paths, so the config loader can point at line:col.
 */
export function checkSpecTemplates(spec: Spec): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const check = (source: string | null, path: PathSegment[], payload = false): void => {
    if (source === null) return;
    const message = checkTemplate(source, payload);
    if (message) problems.push({ path, message: `${formatWhere(path)}${message}` });
  };
  const actions = (list: readonly ActionSpec[], path: PathSegment[]): void => {
    list.forEach((action, i) => {
      const at = (...keys: PathSegment[]): PathSegment[] => [...path, i, ...keys];
      switch (action.kind) {
        case 'query':
        case 'watch':
        case 'unwatch':
          action.commands.forEach((name, j) => check(name, at(action.kind, j)));
          break;
        case 'emit':
          check(action.event, at('emit', 'event'));
          check(action.to, at('emit', 'to'));
          check(action.data, at('emit', 'data'), true);
          break;
        case 'join':
        case 'leave':
          check(action.room, at(action.kind));
          break;
        case 'set':
          for (const [name, value] of Object.entries(action.values)) if (typeof value === 'string') check(value, at('set', name));
          break;
        case 'if':
          check(action.condition, at('if'));
          actions(action.then, at('then'));
          actions(action.else, at('else'));
          break;
      }
    });
  };
  for (const [event, list] of Object.entries(spec.events.custom)) actions(list, ['events', 'custom', event]);
  spec.watch.callbacks.forEach((callback, i) => {
    if (!callback.emit) return;
    const at = (key: string): PathSegment[] => ['watch', 'callbacks', i, 'emit', key];
    check(callback.emit.event, at('event'));
    check(callback.emit.to, at('to'));
    check(callback.emit.data, at('data'), true);
  });
  return problems;
}

/**
 * Why a template cannot work, or null. `payload`: it is an emit's data, so a JSON-looking
 * source must be able to produce JSON. Syntax errors are the config loader's to report.
 */
export function checkTemplate(source: string, payload = false): string | null {
  let program: hbs.AST.Program | null = null;
  if (source.includes('{{')) {
    try {
      program = hb().parse(source);
    } catch {
      return null; // reported by the config loader with its own message
    }
    const problem = checkStatements(program.body);
    if (problem) return problem;
  }
  if (payload && expectsJson(source)) return checkJsonShape(source, program);
  return null;
}

function checkStatements(statements: readonly hbs.AST.Statement[]): string | null {
  for (const statement of statements) {
    const problem = checkNode(statement);
    if (problem) return problem;
  }
  return null;
}

function checkNode(node: hbs.AST.Node): string | null {
  switch (node.type) {
    case 'PartialStatement':
    case 'PartialBlockStatement':
      return 'partials ({{> name}}) are not available in obdio.yaml templates';
    case 'Decorator':
    case 'DecoratorBlock':
      return 'decorators ({{* name}}) are not available in obdio.yaml templates';
    case 'MustacheStatement':
    case 'SubExpression':
    case 'BlockStatement': {
      const call = node as hbs.AST.SubExpression & Partial<Pick<hbs.AST.BlockStatement, 'program' | 'inverse'>>;
      const hasArguments = call.params.length > 0 || (call.hash?.pairs.length ?? 0) > 0;
      const path = call.path as hbs.AST.PathExpression;
      if (
        hasArguments &&
        path.type === 'PathExpression' &&
        !path.data &&
        path.parts.length === 1 &&
        !HELPER_NAMES.includes(path.original)
      ) {
        return `unknown helper '${path.original}' (helpers: ${HELPER_NAMES.join(', ')})`;
      }
      for (const param of [...call.params, ...(call.hash?.pairs.map((p) => p.value) ?? [])]) {
        const problem = checkNode(param);
        if (problem) return problem;
      }
      return (call.program && checkStatements(call.program.body)) || (call.inverse && checkStatements(call.inverse.body)) || null;
    }
    default:
      return null;
  }
}

/**
 * Whether a JSON payload can be JSON for some values: each `{{...}}` is filled with a
 * stand-in (0 inside a JSON string; outside, 0 everywhere, "0" everywhere, or nothing) and
 * the result parsed. Templates with blocks ({{#if}}, {{#each}}) are only checked at run time.
 */
function checkJsonShape(source: string, program: hbs.AST.Program | null): string | null {
  const pieces: Array<{ text: string } | { inString: boolean; at: hbs.AST.Position }> = [];
  if (program === null) {
    pieces.push({ text: source });
  } else {
    let inString = false;
    for (const statement of program.body) {
      if (statement.type === 'ContentStatement') {
        const text = (statement as hbs.AST.ContentStatement).value;
        pieces.push({ text });
        inString = endsInString(text, inString);
      } else if (statement.type === 'MustacheStatement') {
        pieces.push({ inString, at: statement.loc.start });
      } else if (statement.type !== 'CommentStatement') {
        return null; // blocks: too many shapes to try, checked when rendered
      }
    }
  }
  let firstFailure: string | null = null;
  for (const standIn of ['0', '"0"', '']) {
    const text = pieces.map((p) => ('text' in p ? p.text : p.inString ? '0' : standIn)).join('');
    try {
      JSON.parse(text);
      return null;
    } catch (error) {
      const filled =
        program && program.body.length > 1 ? ` (with 0 for each {{...}}: ${text.length > 80 ? `${text.slice(0, 77)}...` : text})` : '';
      firstFailure ??= jsonReason(error) + filled;
    }
  }
  const start = source.trim()[0];
  const why = start === '{' || start === '[' ? `it starts with '${start}'` : 'it is a {{json}} expression';
  return `this payload must be JSON (${why}) but can never be, whatever the values: ${firstFailure}` + tripleStashHint(source);
}

/** Whether JSON text that starts inside (or outside) a string literal ends inside one. */
function endsInString(text: string, inString: boolean): boolean {
  let state = inString;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (state && c === '\\') i++;
    else if (c === '"') state = !state;
  }
  return state;
}

function tripleStashHint(source: string): string {
  return source.trimEnd().endsWith('}}}')
    ? " (a template ending in '}}}' is read as a triple-stash close: put a space before the final '}')"
    : '';
}

function formatWhere(path: readonly PathSegment[]): string {
  const text = formatPath(path);
  return text ? `${text}: ` : '';
}
