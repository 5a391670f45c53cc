/**
 * Configuration errors as values, each pointing at a line and column of the YAML file, and
 * the helpers that find those positions in a parsed yaml Document.
 */
import { isMap, isNode, isScalar, type Document, type LineCounter, type Node } from 'yaml';

export type ConfigErrorCode =
  | 'read' // the file cannot be read
  | 'yaml' // YAML syntax
  | 'env' // ${VAR} substitution
  | 'schema' // rejected by schemas/obdio.schema.json
  | 'template' // Handlebars syntax
  | 'semantic' // checks the schema cannot express
  | 'unknown_command'; // a command name the gateway does not know (validateSpec)

export interface ConfigError {
  file: string | null;
  /** 1-based; 0 when the error concerns the whole file (e.g. it cannot be read). */
  line: number;
  /** 1-based; 0 with line 0. */
  col: number;
  message: string;
  /** Where in the config, e.g. "connection.timeout", "events.custom.snapshot[1].emit"; "" for the file. */
  path: string;
  code?: ConfigErrorCode;
}

/** "obdio.yaml:3:12 connection.timeout: expected ..." (or "obdio.yaml: ..." without a position). */
export function formatConfigError(e: ConfigError): string {
  const file = e.file ?? '<config>';
  return e.line > 0 ? `${file}:${e.line}:${e.col} ${e.message}` : `${file}: ${e.message}`;
}

export type PathSegment = string | number;

/** A YAML path as users read it: `events.custom.snapshot[1].emit`, `static["/assets"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** Finds line:col of YAML nodes by path, falling back to the nearest ancestor that exists. */
export class Locator {
  constructor(
    readonly doc: Document,
    readonly lineCounter: LineCounter,
    readonly file: string | null,
  ) {}

  /** Position of the value at `path` (or of its key, when the value is empty or `key` is asked). */
  position(path: readonly PathSegment[], target: 'value' | 'key' = 'value'): { line: number; col: number } {
    if (path.length > 0 && (target === 'key' || this.isEmptyValue(path))) {
      const key = this.keyNode(path);
      if (key) return this.linePos(key);
    }
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) return this.linePos(node);
    }
    return { line: 1, col: 1 };
  }

  error(path: readonly PathSegment[], message: string, code: ConfigErrorCode, target: 'value' | 'key' = 'value'): ConfigError {
    const { line, col } = this.position(path, target);
    return { file: this.file, line, col, message, path: formatPath(path), code };
  }

  /** An error at a node found by walking the document, reported under `path`. */
  errorAtNode(node: Node, path: readonly PathSegment[], message: string, code: ConfigErrorCode): ConfigError {
    const { line, col } = this.linePos(node);
    return { file: this.file, line, col, message, path: formatPath(path), code };
  }

  /**
   * An error `offset` characters into the text of the scalar at `path` (a column inside an
   * equation). Falls back to the scalar's start when its text is not one line as written
   * (block scalars, escapes, ${ENV} substitution).
   */
  errorInValue(path: readonly PathSegment[], offset: number, message: string, code: ConfigErrorCode): ConfigError {
    const error = this.error(path, message, code);
    const node = this.doc.getIn(path, true);
    if (!isScalar(node) || !node.range || typeof node.value !== 'string') return error;
    const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
    if (!quoted && node.type !== 'PLAIN') return error;
    const start = node.range[0] + (quoted ? 1 : 0);
    const written = node.range[1] - node.range[0] - (quoted ? 2 : 0);
    if (written !== node.value.length) return error;
    const begin = this.lineCounter.linePos(start);
    const at = this.lineCounter.linePos(start + Math.max(0, Math.min(offset, written)));
    if (at.line !== begin.line) return error;
    return { ...error, line: at.line, col: at.col };
  }

  /** The key node of the pair holding `path`'s value, when its parent is a mapping. */
  private keyNode(path: readonly PathSegment[]): Node | undefined {
    const parentPath = path.slice(0, -1);
    const parent = parentPath.length === 0 ? this.doc.contents : this.doc.getIn(parentPath, true);
    if (!isMap(parent)) return undefined;
    const last = String(path[path.length - 1]);
    for (const pair of parent.items) {
      const keyValue = isScalar(pair.key) ? pair.key.value : pair.key;
      if (String(keyValue) === last && isNode(pair.key)) return pair.key;
    }
    return undefined;
  }

  /** A key written with no value (`timeout:`): point at the key, the value has no text. */
  private isEmptyValue(path: readonly PathSegment[]): boolean {
    const node = this.doc.getIn(path, true);
    return isScalar(node) && node.value === null && (!node.range || node.range[0] === node.range[1]);
  }

  private linePos(node: Node): { line: number; col: number } {
    return this.lineCounter.linePos(node.range ? node.range[0] : 0);
  }
}

/** The closest candidate to a misspelt name, if one is close enough to be a good guess. */
export function didYouMean(name: string, candidates: Iterable<string>): string | null {
  const lower = name.toLowerCase();
  let best: string | null = null;
  let bestScore = Infinity;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    if (c === lower) return candidate;
    let score = editDistance(lower, c);
    // A prefix ("prot" for "protocol") is the strongest hint short of a match, even when many
    // letters are missing: it beats a one-letter typo of another key ("port").
    if (lower.length >= 3 && c.startsWith(lower)) score = 0.5;
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  const tolerance = Math.max(1, Math.min(3, Math.floor(name.length / 3)));
  return bestScore <= tolerance ? best : null;
}

/** Optimal-string-alignment distance: edits, with a swap of two neighbours ("qurey") counting as one. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** A short description of a value for "(got ...)" in messages. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return value.length > 40 ? `'${value.slice(0, 37)}...'` : `'${value}'`;
  return String(value);
}
