/**
 * Torque Pro "extended PID" equations: arithmetic over the data bytes of a reply, parsed once
 * into a tree of closures (never eval / new Function, so a config file cannot run code).
 *
 * The notation, as Torque documents it:
 *  - bytes: A is the first data byte after the echo of the request (after 62 01 05 for 220105),
 *    B the second ... Z the 26th, then AA, AB ... AZ, BA ... as spreadsheet columns are named;
 *  - numbers (decimal), + - * / with the usual precedence, unary minus, parentheses,
 *    `^` (power), `&` (bitwise and), `<` and `>` (Torque's shift left / right, not comparisons);
 *  - `{A:7}`: bit 7 (the most significant; 0 is the least) of byte A, 0 or 1;
 *  - functions, any letter case, arguments separated by ':' (Torque's way) or ',':
 *    SIGNED(x) / SIGNED8(x) (x as an 8-bit two's complement number), SIGNED16(x),
 *    INT16(hi:lo) (two bytes as a signed 16-bit number), ABS, INT (truncates), SQRT, LOG (natural),
 *    LOG10, LOG1P, SIN, COS, TAN (radians).
 * Torque's functions that keep state between readings (TAVG, EWMAF, RAVG, AVG, TDLY, RDLY, TOT),
 * read other sensors ([0d], BARO(); VAL{...} unless the caller resolves it to a sensor of the
 * same reply, see ParseOptions.sensor) or the phone (RANDOM) are refused with a clear
 * message: a value here depends on one reply only.
 *
 * Precedence, loosest first: &, then shifts, then + -, then * /, then unary minus, then ^
 * (right-associative, so -A^2 is -(A^2) and 2^3^2 is 2^9).
 *
 * Two dialects read equations as other apps' users write them (see EquationDialect):
 *  - 'torque', for Torque Pro's CSV files: as above, plus byte names in any case (`aa/50`) and
 *    the functions its users' files carry: BIT(x:n) (= {x:n}), INT24 and INT32 (signed, like
 *    INT16), MIN(a:b), MAX(a:b);
 *  - 'abrp', for A Better Routeplanner's PID files, whose README lists its language: byte names
 *    A..ZZZ in any case, + - * /, `<<` `>>` (shifts), `<` `>` `<=` `>=` `==` (comparisons: 1 or 0),
 *    `&&` `||` (and `!`, which its files use), Signed(x), Int16(a,b) = a*256+b,
 *    Int24(a,b,c) = a*65536+b*256+c, and {A:n}, bit n counted from the least significant bit.
 *    Precedence as in C: || && == (< > <= >=) (<< >>) (+ -) (* /) then unary - + !.
 *
 * Equations come from downloaded files too, so their size is bounded: MAX_EQUATION_LENGTH
 * characters and MAX_EQUATION_DEPTH nested parentheses, calls and unary operators (the parser
 * and the compiled closures recurse; a bound keeps them far from the stack's end).
 */

export type EquationErrorCode =
  | 'EMPTY'
  | 'UNEXPECTED_CHARACTER'
  | 'BAD_NUMBER'
  | 'UNKNOWN_NAME'
  | 'LOWER_CASE_BYTE'
  | 'UNKNOWN_FUNCTION'
  | 'UNSUPPORTED_FUNCTION'
  | 'UNSUPPORTED_REFERENCE'
  | 'ARGUMENT_COUNT'
  | 'MISSING_OPERAND'
  | 'MISSING_OPERATOR'
  | 'UNCLOSED_PARENTHESIS'
  | 'UNEXPECTED_CLOSE'
  | 'BAD_BIT_ACCESS'
  | 'BYTE_OUT_OF_RANGE'
  | 'TOO_LONG'
  | 'TOO_DEEP';

/** Why an equation cannot be used, and where: `column` is 1-based within the equation text. */
export interface EquationError {
  readonly code: EquationErrorCode;
  readonly message: string;
  readonly column: number;
}

export type EvaluationErrorCode = 'DIVISION_BY_ZERO' | 'NOT_A_NUMBER' | 'MISSING_BYTE';

/** Why one reply gave no value (the reading becomes null; the stream goes on). */
export interface EvaluationError {
  readonly code: EvaluationErrorCode;
  readonly message: string;
}

export type Evaluation = { ok: true; value: number } | { ok: false; error: EvaluationError };

export interface CompiledEquation {
  /** The text, with each VAL{name} written out as that sensor's equation (so equal sources compute alike). */
  readonly source: string;
  /** Highest byte index used (A = 0), or -1 when the equation reads no byte. */
  readonly lastByte: number;
  /** Evaluates over the data bytes after the request's echo. */
  evaluate(data: ArrayLike<number>): Evaluation;
}

export type ParseResult = { ok: true; equation: CompiledEquation } | { ok: false; error: EquationError };

/** Whose notation: obdio.yaml's own (Torque's, upper-case bytes), Torque Pro's files', or ABRP's. */
export type EquationDialect = 'obdio' | 'torque' | 'abrp';

export interface ParseOptions {
  /** Data bytes the reply is known to carry (after the echo); a byte past them is an error at load time. */
  dataBytes?: number;
  /** 'obdio' unless told. */
  dialect?: EquationDialect;
  /**
   * Torque's VAL{name}: the equation of another sensor read from the same reply, or why it
   * cannot be used. Without it, VAL{...} is refused.
   */
  sensor?: (name: string) => CompiledEquation | string;
  /**
   * Named inputs instead of bytes: other commands' values, for computed commands (MAF / 14.7)
   * and alert conditions (COOLANT_TEMP > 105). Each name maps to its slot in the array
   * `evaluate` is given, or to why it cannot be read; with this option every name is a variable
   * (MAF is a command, not byte 9 of 14) and bit access is refused. A slot without a finite
   * value fails the evaluation ("has no value yet").
   */
  variable?: (name: string) => number | string;
}

/** The longest equation accepted (the longest in the real Torque and ABRP files is about 600). */
export const MAX_EQUATION_LENGTH = 2000;
/** The deepest nesting of parentheses, calls and unary operators accepted. */
export const MAX_EQUATION_DEPTH = 64;

/** A byte name as Torque writes it: 0 → "A", 25 → "Z", 26 → "AA", 52 → "BA". */
export function byteName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** The index of a byte name ("A" → 0, "AA" → 26), or null when it is not one. */
export function byteIndex(name: string): number | null {
  if (!/^[A-Z]{1,3}$/.test(name)) return null;
  // ZZZ is the last name ABRP documents; 18278 bytes is far beyond any reply.
  let n = 0;
  for (const c of name) n = n * 26 + (c.charCodeAt(0) - 64);
  return n - 1;
}

/** Parses and compiles an equation; never throws. */
export function parseEquation(source: string, options: ParseOptions = {}): ParseResult {
  if (source.length > MAX_EQUATION_LENGTH) {
    return {
      ok: false,
      error: {
        code: 'TOO_LONG',
        message: `the equation is ${source.length} characters long; at most ${MAX_EQUATION_LENGTH} are accepted`,
        column: MAX_EQUATION_LENGTH + 1,
      },
    };
  }
  try {
    const parser = new Parser(source, options);
    const node = parser.parse();
    const lastByte = parser.lastByte;
    return {
      ok: true,
      equation: Object.freeze({
        source:
          parser.sensors.size === 0
            ? source
            : source.replace(/val\{([^}]*)\}/gi, (text, name: string) => `(${parser.sensors.get(name)?.source ?? text})`),
        lastByte,
        evaluate: (data: ArrayLike<number>) => evaluate(node, data),
      }),
    };
  } catch (error) {
    if (error instanceof SyntaxFailure) return { ok: false, error: error.detail };
    throw error;
  }
}

// ---------------------------------------------------------------- evaluation

/** A compiled node: reads the data bytes, returns a number or throws an EvalFailure. */
type Node = (data: ArrayLike<number>) => number;

class EvalFailure {
  constructor(readonly detail: EvaluationError) {}
}

function evaluate(node: Node, data: ArrayLike<number>): Evaluation {
  try {
    const value = node(data);
    if (!Number.isFinite(value)) {
      return { ok: false, error: { code: 'NOT_A_NUMBER', message: `the equation gives ${String(value)} for this reply` } };
    }
    // -0 reads oddly on the wire; it is 0.
    return { ok: true, value: value === 0 ? 0 : value };
  } catch (error) {
    if (error instanceof EvalFailure) return { ok: false, error: error.detail };
    throw error;
  }
}

function readByte(index: number): Node {
  return (data) => {
    if (index >= data.length) {
      throw new EvalFailure({
        code: 'MISSING_BYTE',
        message: `byte ${byteName(index)} is missing: the reply has ${data.length} data byte${data.length === 1 ? '' : 's'}`,
      });
    }
    return data[index]!;
  };
}

function readVariable(index: number, name: string): Node {
  return (data) => {
    const value = data[index];
    if (value === undefined || !Number.isFinite(value))
      throw new EvalFailure({ code: 'MISSING_BYTE', message: `${name} has no value yet` });
    return value;
  };
}

const divide =
  (left: Node, right: Node): Node =>
  (data) => {
    const divisor = right(data);
    if (divisor === 0) throw new EvalFailure({ code: 'DIVISION_BY_ZERO', message: 'division by zero' });
    return left(data) / divisor;
  };

/** Two's complement of the low `bits` bits of a (truncated) number. */
function signedBits(value: number, bits: number): number {
  const modulus = 2 ** bits;
  const low = ((Math.trunc(value) % modulus) + modulus) % modulus;
  return low >= modulus / 2 ? low - modulus : low;
}

/** Integer operands for & and shifts, as Torque (Java) would see them. */
const toInt = (value: number): number => Math.trunc(value);

interface FunctionDef {
  arity: number;
  apply: (args: number[]) => number;
}

/** The n-th bit (0: least significant) of a number. */
const bitOf = (value: number, bit: number): number => (Math.floor(toInt(value) / 2 ** toInt(bit)) % 2 === 0 ? 0 : 1);

/** Bytes as one unsigned number, most significant first. */
const joinBytes = (bytes: number[]): number => bytes.reduce((sum, byte) => sum * 256 + toInt(byte), 0);

const FUNCTIONS: Readonly<Record<string, FunctionDef>> = {
  SIGNED: { arity: 1, apply: ([x]) => signedBits(x!, 8) },
  SIGNED8: { arity: 1, apply: ([x]) => signedBits(x!, 8) },
  SIGNED16: { arity: 1, apply: ([x]) => signedBits(x!, 16) },
  INT16: { arity: 2, apply: ([hi, lo]) => signedBits(toInt(hi!) * 256 + toInt(lo!), 16) },
  ABS: { arity: 1, apply: ([x]) => Math.abs(x!) },
  INT: { arity: 1, apply: ([x]) => Math.trunc(x!) },
  SQRT: { arity: 1, apply: ([x]) => Math.sqrt(x!) },
  LOG: { arity: 1, apply: ([x]) => Math.log(x!) },
  LOG10: { arity: 1, apply: ([x]) => Math.log10(x!) },
  LOG1P: { arity: 1, apply: ([x]) => Math.log1p(x!) },
  SIN: { arity: 1, apply: ([x]) => Math.sin(x!) },
  COS: { arity: 1, apply: ([x]) => Math.cos(x!) },
  TAN: { arity: 1, apply: ([x]) => Math.tan(x!) },
};

/** Functions found in Torque Pro users' files beyond those above. */
const TORQUE_FUNCTIONS: Readonly<Record<string, FunctionDef>> = {
  ...FUNCTIONS,
  BIT: { arity: 2, apply: ([x, n]) => bitOf(x!, n!) },
  INT24: { arity: 3, apply: (bytes) => signedBits(joinBytes(bytes), 24) },
  INT32: { arity: 4, apply: (bytes) => signedBits(joinBytes(bytes), 32) },
  MIN: { arity: 2, apply: ([a, b]) => Math.min(a!, b!) },
  MAX: { arity: 2, apply: ([a, b]) => Math.max(a!, b!) },
};

/** ABRP's functions, as its README defines them (Int16 and Int24 unsigned: A*256+B, A*65536+B*256+C). */
const ABRP_FUNCTIONS: Readonly<Record<string, FunctionDef>> = {
  SIGNED: FUNCTIONS.SIGNED!,
  INT16: { arity: 2, apply: joinBytes },
  INT24: { arity: 3, apply: joinBytes },
};

type Combine = (left: Node, right: Node) => Node;

const truth = (value: boolean): number => (value ? 1 : 0);
// Multiplying by a power of two keeps values past 32 bits exact, unlike JavaScript's << and >>.
const shiftLeft: Combine = (l, r) => (d) => toInt(l(d)) * 2 ** toInt(r(d));
const shiftRight: Combine = (l, r) => (d) => Math.floor(toInt(l(d)) / 2 ** toInt(r(d)));
const ARITHMETIC: ReadonlyArray<Readonly<Record<string, Combine>>> = [
  { '+': (l, r) => (d) => l(d) + r(d), '-': (l, r) => (d) => l(d) - r(d) },
  { '*': (l, r) => (d) => l(d) * r(d), '/': (l, r) => divide(l, r) },
];

interface Dialect {
  /** Binary operators by precedence, loosest first. */
  levels: ReadonlyArray<Readonly<Record<string, Combine>>>;
  functions: Readonly<Record<string, FunctionDef>>;
  /** Whether `a` is byte A (Torque's and ABRP's users write either case). */
  anyCaseBytes: boolean;
  /** `^` power (Torque) binds tighter than unary minus. */
  power: boolean;
  unary: readonly string[];
  /** Every operator text the tokenizer knows, longest first (derived from the above). */
  operators: readonly string[];
}

function defineDialect(rules: Omit<Dialect, 'operators'>): Dialect {
  const texts = new Set([...rules.levels.flatMap((level) => Object.keys(level)), ...rules.unary, ...(rules.power ? ['^'] : [])]);
  return { ...rules, operators: [...texts].sort((a, b) => b.length - a.length) };
}

const OBDIO = defineDialect({
  levels: [
    { '&': (l, r) => (d) => toInt(l(d)) & toInt(r(d)) },
    // Torque's < and > shift; << and >> are accepted as the same.
    { '<': shiftLeft, '<<': shiftLeft, '>': shiftRight, '>>': shiftRight },
    ...ARITHMETIC,
  ],
  functions: FUNCTIONS,
  anyCaseBytes: false,
  power: true,
  unary: ['-', '+'],
});

const DIALECTS: Readonly<Record<EquationDialect, Dialect>> = {
  obdio: OBDIO,
  torque: defineDialect({ ...OBDIO, functions: TORQUE_FUNCTIONS, anyCaseBytes: true }),
  abrp: defineDialect({
    levels: [
      { '||': (l, r) => (d) => truth(l(d) !== 0 || r(d) !== 0) },
      { '&&': (l, r) => (d) => truth(l(d) !== 0 && r(d) !== 0) },
      { '==': (l, r) => (d) => truth(l(d) === r(d)) },
      {
        '<': (l, r) => (d) => truth(l(d) < r(d)),
        '>': (l, r) => (d) => truth(l(d) > r(d)),
        '<=': (l, r) => (d) => truth(l(d) <= r(d)),
        '>=': (l, r) => (d) => truth(l(d) >= r(d)),
      },
      { '<<': shiftLeft, '>>': shiftRight },
      ...ARITHMETIC,
    ],
    functions: ABRP_FUNCTIONS,
    anyCaseBytes: true,
    power: false,
    unary: ['-', '+', '!'],
  }),
};

/** Torque functions we know but refuse, with why. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  TAVG: 'averages over time',
  RAVG: 'averages over time',
  AVG: 'averages over readings',
  EWMAF: 'filters over readings',
  TDLY: 'delays readings',
  RDLY: 'delays readings',
  TOT: 'totals over time',
  RANDOM: 'reads the phone',
  BARO: "reads another sensor's value",
  LOOKUP: 'maps values to words; use len and map instead of equation',
  VAL: "reads another sensor's value",
};

// ---------------------------------------------------------------- parsing

class SyntaxFailure {
  constructor(readonly detail: EquationError) {}
}

type TokenKind = 'number' | 'name' | 'sensor' | 'op' | '(' | ')' | '{' | '}' | ':' | 'end';

interface Token {
  kind: TokenKind;
  text: string;
  /** 0-based offset into the source. */
  at: number;
}

function tokenize(source: string, dialect: Dialect): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (code: EquationErrorCode, message: string, at: number): never => {
    throw new SyntaxFailure({ code, message, column: at + 1 });
  };
  while (i < source.length) {
    const c = source[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (/[0-9.]/.test(c)) {
      const match = /^[0-9.]+/.exec(source.slice(i))![0];
      if (!/^(\d+(\.\d*)?|\.\d+)$/.test(match)) fail('BAD_NUMBER', `'${match}' is not a number`, i);
      tokens.push({ kind: 'number', text: match, at: i });
      i += match.length;
      continue;
    }
    const sensor = /^val\{([^}]*)\}/i.exec(source.slice(i));
    if (sensor) {
      // A sensor's name may hold anything but '}' ("000_Battery DC Voltage").
      tokens.push({ kind: 'sensor', text: sensor[1]!, at: i });
      i += sensor[0].length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i))![0];
      tokens.push({ kind: 'name', text: match, at: i });
      i += match.length;
      continue;
    }
    const op = dialect.operators.find((o) => source.startsWith(o, i));
    if (op) {
      tokens.push({ kind: 'op', text: op, at: i });
      i += op.length;
      continue;
    }
    if (c === ',') {
      // Torque separates arguments with ':'; ',' is accepted as the same thing.
      tokens.push({ kind: ':', text: c, at: i });
      i++;
      continue;
    }
    if (c === '[')
      fail('UNSUPPORTED_REFERENCE', 'references to other PIDs ([XX]) are not supported: a value here depends on its own reply only', i);
    if ('(){}:'.includes(c)) {
      tokens.push({ kind: c as TokenKind, text: c, at: i });
      i++;
      continue;
    }
    const hint =
      dialect === DIALECTS.abrp
        ? c === '&' || c === '|'
          ? ` (ABRP's logical operators are && and ||)`
          : c === '='
            ? ' (ABRP compares with ==)'
            : ''
        : c === '%'
          ? ' (Torque has no remainder operator)'
          : c === '='
            ? ' (an equation is a value, not a comparison)'
            : '';
    fail('UNEXPECTED_CHARACTER', `unexpected '${c}'${hint}`, i);
  }
  tokens.push({ kind: 'end', text: '', at: source.length });
  return tokens;
}

class Parser {
  private readonly tokens: Token[];
  private readonly dialect: Dialect;
  private pos = 0;
  /** The sensors VAL{...} read, by name. */
  readonly sensors = new Map<string, CompiledEquation>();
  /** Open parentheses, calls and unary operators around the current token. */
  private depth = 0;
  lastByte = -1;

  constructor(
    source: string,
    private readonly options: ParseOptions,
  ) {
    this.dialect = DIALECTS[options.dialect ?? 'obdio'];
    this.tokens = source.trim() === '' ? [] : tokenize(source, this.dialect);
  }

  parse(): Node {
    if (this.tokens.length === 0) this.fail('EMPTY', 'the equation is empty: write one such as (A*256+B)/10', 0);
    const node = this.expression();
    const next = this.peek();
    if (next.kind === ')') this.fail('UNEXPECTED_CLOSE', "')' without a matching '('", next.at);
    if (next.kind !== 'end') this.missingOperator(next);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private take(): Token {
    return this.tokens[this.pos++]!;
  }

  private fail(code: EquationErrorCode, message: string, at: number): never {
    throw new SyntaxFailure({ code, message, column: at + 1 });
  }

  private missingOperator(token: Token): never {
    const operators = this.dialect.levels.flatMap((level) => Object.keys(level)).join(' ');
    this.fail('MISSING_OPERATOR', `expected an operator (${operators}${this.dialect.power ? ' ^' : ''}) before '${token.text}'`, token.at);
  }

  /** Runs `parse` one level deeper, refusing nesting past MAX_EQUATION_DEPTH at `token`. */
  private nested<T>(token: Token, parse: () => T): T {
    if (++this.depth > MAX_EQUATION_DEPTH) {
      this.fail('TOO_DEEP', `the equation nests deeper than ${MAX_EQUATION_DEPTH} levels (parentheses, functions, signs) here`, token.at);
    }
    const result = parse();
    this.depth--;
    return result;
  }

  private expression(): Node {
    return this.binary(0);
  }

  private binary(level: number): Node {
    const operators = this.dialect.levels[level];
    if (operators === undefined) return this.unary();
    let left = this.binary(level + 1);
    for (let t = this.peek(); t.kind === 'op' && Object.hasOwn(operators, t.text); t = this.peek()) {
      this.take();
      left = operators[t.text]!(left, this.binary(level + 1));
    }
    return left;
  }

  private unary(): Node {
    const t = this.peek();
    if (t.kind === 'op' && this.dialect.unary.includes(t.text)) {
      this.take();
      const operand = this.nested(t, () => this.unary());
      if (t.text === '-') return (d) => -operand(d);
      if (t.text === '!') return (d) => truth(operand(d) === 0);
      return operand;
    }
    return this.power();
  }

  private power(): Node {
    const base = this.primary();
    if (!this.dialect.power || !(this.peek().kind === 'op' && this.peek().text === '^')) return base;
    const caret = this.take();
    const exponent = this.nested(caret, () => this.unary());
    return (d) => base(d) ** exponent(d);
  }

  private primary(): Node {
    const token = this.take();
    switch (token.kind) {
      case 'number': {
        const value = Number(token.text);
        return () => value;
      }
      case 'name':
        return this.name(token);
      case 'sensor':
        return this.sensor(token);
      case '(': {
        const inner = this.nested(token, () => this.expression());
        const close = this.peek();
        if (close.kind !== ')') {
          if (close.kind === 'end') this.fail('UNCLOSED_PARENTHESIS', "'(' is never closed", token.at);
          this.missingOperator(close);
        }
        this.take();
        return inner;
      }
      case '{':
        return this.bitAccess(token);
      case ')': {
        const before = this.tokens[this.pos - 2];
        if (before === undefined) return this.fail('UNEXPECTED_CLOSE', "')' without a matching '('", token.at);
        if (before.kind === '(') return this.fail('MISSING_OPERAND', "nothing between '(' and ')'", token.at);
        return this.fail('MISSING_OPERAND', "expected a value before ')'", token.at);
      }
      case 'end':
        return this.fail('MISSING_OPERAND', 'the equation ends where a value is expected', token.at);
      default:
        return this.fail('MISSING_OPERAND', `expected a value (a byte such as A, a number or '(') before '${token.text}'`, token.at);
    }
  }

  /** VAL{name}: the named sensor's equation over this same reply. */
  private sensor(token: Token): Node {
    const resolve = this.options.sensor;
    if (!resolve) this.fail('UNSUPPORTED_FUNCTION', `VAL{...} is not supported: it reads another sensor's value`, token.at);
    const found = resolve(token.text);
    if (typeof found === 'string') this.fail('UNKNOWN_NAME', `VAL{${token.text}}: ${found}`, token.at);
    this.lastByte = Math.max(this.lastByte, found.lastByte);
    this.sensors.set(token.text, found);
    return (d) => {
      const result = found.evaluate(d);
      if (!result.ok) throw new EvalFailure(result.error);
      return result.value;
    };
  }

  /** The byte a name stands for in this dialect, or null. */
  private byteOf(name: string): number | null {
    return byteIndex(this.dialect.anyCaseBytes ? name.toUpperCase() : name);
  }

  private name(token: Token): Node {
    if (this.peek().kind === '(') return this.call(token);
    const variable = this.options.variable;
    if (variable) {
      const slot = variable(token.text);
      if (typeof slot === 'string') this.fail('UNKNOWN_NAME', `'${token.text}': ${slot}`, token.at);
      return readVariable(slot, token.text);
    }
    if (this.peek().kind === '{' && token.text.toUpperCase() === 'VAL') {
      this.fail('UNSUPPORTED_FUNCTION', `VAL{...} is not supported: it reads another sensor's value`, token.at);
    }
    const index = this.byteOf(token.text);
    if (index === null) {
      const upper = token.text.toUpperCase();
      if (/^[a-z]{1,3}$/i.test(token.text) && byteIndex(upper) !== null) {
        this.fail('LOWER_CASE_BYTE', `'${token.text}': bytes are named in upper case (${upper})`, token.at);
      }
      if (upper in this.dialect.functions || upper in UNSUPPORTED)
        this.fail('MISSING_OPERAND', `${upper} is a function: write ${upper}(...)`, token.at);
      this.fail('UNKNOWN_NAME', `'${token.text}' is not a byte name (A, B, ... Z, AA, AB, ...) nor a function`, token.at);
    }
    return this.byte(index, token);
  }

  private byte(index: number, token: Token): Node {
    const available = this.options.dataBytes;
    if (available !== undefined && index >= available) {
      this.fail(
        'BYTE_OUT_OF_RANGE',
        `byte ${token.text} is past the reply: it carries ${available} data byte${available === 1 ? '' : 's'} (${available === 0 ? 'none' : `A..${byteName(available - 1)}`}) after the echo; raise bytes or use another byte`,
        token.at,
      );
    }
    this.lastByte = Math.max(this.lastByte, index);
    return readByte(index);
  }

  private call(nameToken: Token): Node {
    const upper = nameToken.text.toUpperCase();
    const functions = this.dialect.functions;
    const definition = Object.hasOwn(functions, upper) ? functions[upper] : undefined;
    if (!definition) {
      if (upper in UNSUPPORTED) {
        this.fail(
          'UNSUPPORTED_FUNCTION',
          `${upper}() is not supported: it ${UNSUPPORTED[upper]}, and a value here depends on one reply only`,
          nameToken.at,
        );
      }
      this.fail('UNKNOWN_FUNCTION', `unknown function '${nameToken.text}' (known: ${Object.keys(functions).join(', ')})`, nameToken.at);
    }
    const open = this.take();
    const args = this.nested(open, () => {
      const list: Node[] = [];
      if (this.peek().kind === ')') return list;
      for (;;) {
        list.push(this.expression());
        if (this.peek().kind !== ':') return list;
        this.take();
      }
    });
    const close = this.peek();
    if (close.kind !== ')') {
      if (close.kind === 'end') this.fail('UNCLOSED_PARENTHESIS', `'(' of ${upper} is never closed`, open.at);
      this.missingOperator(close);
    }
    this.take();
    if (args.length !== definition.arity) {
      const wanted = definition.arity === 1 ? 'one argument' : `${definition.arity} arguments separated by ':'`;
      this.fail('ARGUMENT_COUNT', `${upper} takes ${wanted}, got ${args.length}`, nameToken.at);
    }
    const { apply } = definition;
    if (args.length === 1) {
      const [only] = args as [Node];
      return (d) => apply([only(d)]);
    }
    return (d) => apply(args.map((arg) => arg(d)));
  }

  private bitAccess(open: Token): Node {
    const byteToken = this.take();
    if (this.options.variable)
      this.fail('BAD_BIT_ACCESS', 'bit access {byte:bit} reads reply bytes; an expression over commands has none', open.at);
    const index = byteToken.kind === 'name' ? this.byteOf(byteToken.text) : null;
    if (index === null)
      this.fail(
        'BAD_BIT_ACCESS',
        `bit access is {byte:bit}, e.g. {A:7}; '${byteToken.text || 'the end'}' is not a byte name`,
        byteToken.at,
      );
    const colon = this.take();
    if (colon.kind !== ':' || colon.text !== ':')
      this.fail('BAD_BIT_ACCESS', `bit access is {byte:bit}, e.g. {${byteToken.text}:7}: expected ':'`, colon.at);
    const bitToken = this.take();
    if (bitToken.kind !== 'number' || !/^[0-7]$/.test(bitToken.text)) {
      this.fail('BAD_BIT_ACCESS', `the bit in {${byteToken.text}:...} is a number from 0 (least significant) to 7`, bitToken.at);
    }
    const close = this.take();
    if (close.kind !== '}')
      this.fail(
        'BAD_BIT_ACCESS',
        `bit access ends with '}', e.g. {${byteToken.text}:${bitToken.text}}`,
        close.kind === 'end' ? open.at : close.at,
      );
    const read = this.byte(index, byteToken);
    const bit = Number(bitToken.text);
    return (d) => (read(d) >> bit) & 1;
  }
}
