/**
 * OBDb signal sets (the open vehicle database's per-car JSON files) as command definitions:
 * one command per signal, so each signal is queried, watched and streamed under its own name.
 *
 * The part of the format read here:
 *   { "commands": [ { "hdr": "7E4", "rax": "7EC", "cmd": { "22": "0101" }, "freq": 1,
 *                     "signals": [ { "id": "CAR_SOC", "name": "State of charge", "path": "Battery",
 *                                    "fmt": { "bix": 0, "len": 8, "sign": false, "mul": 1, "div": 2,
 *                                             "add": 0, "min": 0, "max": 100, "unit": "percent",
 *                                             "map": { "1": { "value": "ON" } } } } ] } ] }
 * `hdr` is the header (ATSH), `rax` the id answers come from, `cmd` the service and PID (an object
 * {service: pid}, or the request as one hex string), `freq` the suggested polling period in
 * seconds, `fmt` the bit field (see fields.ts). Other keys (filters by model year, ECU lists,
 * debug flags) are left alone; `eax` (extended addressing) is refused because the adapter
 * would then talk to another ECU than the file means.
 *
 * JSON is read with the YAML parser (JSON is YAML), which keeps every node's position, so an
 * error names the file, line, column and JSON path.
 */
import { readFileSync } from 'node:fs';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { ECU } from '../../elm327/message.js';
import type { CustomCommandDefinition } from './command.js';
import { signalFormatProblems, type SignalFormat } from './fields.js';

/** An error in a signal-set file, placed like a config error. */
export interface SignalSetError {
  file: string;
  /** 1-based; 0 when the whole file is concerned (it cannot be read). */
  line: number;
  col: number;
  /** JSON path, e.g. "commands[2].signals[0].fmt.len". */
  path: string;
  message: string;
}

export interface SignalSetCommand {
  definition: CustomCommandDefinition;
  /** Seconds between polls the file suggests (OBDb's freq); null when absent. */
  period: number | null;
  /** Where the signal is, for errors about it (a name collision). */
  at: SignalSetError;
}

export interface SignalSetResult {
  commands: SignalSetCommand[];
  errors: SignalSetError[];
}

const COMMAND_NAME = /^[A-Z][A-Z0-9_]*$/;
const HEX_BYTES = /^([0-9A-F]{2})+$/;
const HEADER = /^([0-9A-F]{3}|[0-9A-F]{6}|[0-9A-F]{8})$/;
const RECEIVE = /^([0-9A-F]{2}|[0-9A-F]{3}|[0-9A-F]{8})$/;

/**
 * OBDb's unit names → pint's, the names the wire carries (python-OBD's units come from pint).
 * A unit not listed here is passed on as written.
 */
const OBDB_UNITS: Readonly<Record<string, string | null>> = {
  amps: 'ampere',
  milliamps: 'milliampere',
  volts: 'volt',
  millivolts: 'millivolt',
  watts: 'watt',
  kilowatts: 'kilowatt',
  wattHours: 'watt_hour',
  kilowattHours: 'kilowatt_hour',
  celsius: 'degree_Celsius',
  fahrenheit: 'degree_Fahrenheit',
  percent: 'percent',
  psi: 'pound_force_per_square_inch',
  kilopascal: 'kilopascal',
  kilopascals: 'kilopascal',
  bars: 'bar',
  hertz: 'hertz',
  rpm: 'revolutions_per_minute',
  newtonMeters: 'newton_meter',
  meters: 'meter',
  kilometers: 'kilometer',
  miles: 'mile',
  kilometersPerHour: 'kilometer_per_hour',
  milesPerHour: 'mile_per_hour',
  seconds: 'second',
  minutes: 'minute',
  hours: 'hour',
  days: 'day',
  degrees: 'degree',
  liters: 'liter',
  ohms: 'ohm',
  scalar: null,
};

/** A pint unit name for an OBDb one. */
export function pintUnit(obdbUnit: string | undefined): string | null {
  if (obdbUnit === undefined) return null;
  return Object.hasOwn(OBDB_UNITS, obdbUnit) ? OBDB_UNITS[obdbUnit]! : obdbUnit;
}

/** A signal id as a command name: upper case, other characters as '_' ("ioniq5-soc" → IONIQ5_SOC). */
export function commandNameOf(id: string): string {
  return id.toUpperCase().replace(/[^A-Z0-9_]+/g, '_');
}

type Path = Array<string | number>;

function formatJsonPath(path: Path): string {
  let text = '';
  for (const segment of path) text += typeof segment === 'number' ? `[${segment}]` : text === '' ? segment : `.${segment}`;
  return text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class SignalSetReader {
  readonly errors: SignalSetError[] = [];
  readonly commands: SignalSetCommand[] = [];
  private readonly names = new Set<string>();

  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  at(path: Path, message: string): SignalSetError {
    // The nearest node that exists: a missing key is reported at its parent.
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) {
        const { line, col } = this.lines.linePos(node.range[0]);
        return { file: this.file, line, col, path: formatJsonPath(path), message };
      }
    }
    return { file: this.file, line: 1, col: 1, path: formatJsonPath(path), message };
  }

  fail(path: Path, message: string): void {
    const where = formatJsonPath(path);
    this.errors.push(this.at(path, where ? `${where}: ${message}` : message));
  }

  read(data: unknown): void {
    if (!isRecord(data) || !Array.isArray(data.commands)) {
      this.fail([], 'a signal set is an object with a "commands" list (OBDb format)');
      return;
    }
    data.commands.forEach((command, i) => this.command(command, ['commands', i]));
  }

  private command(raw: unknown, path: Path): void {
    if (!isRecord(raw)) {
      this.fail(path, 'expected an object with hdr, cmd and signals');
      return;
    }
    const errorsBefore = this.errors.length;
    if (raw.eax !== undefined) this.fail([...path, 'eax'], 'extended addressing (eax) is not supported: leave this command out');
    const header = this.hex(raw.hdr, [...path, 'hdr'], HEADER, 'a header of 3, 6 or 8 hex digits like "7E4"', true);
    const receive = this.hex(raw.rax, [...path, 'rax'], RECEIVE, 'a CAN id like "7EC"', true);
    const request = this.request(raw.cmd, [...path, 'cmd']);
    let period: number | null = null;
    if (raw.freq !== undefined) {
      if (typeof raw.freq !== 'number' || !(raw.freq > 0)) this.fail([...path, 'freq'], `expected the polling period in seconds (a number above 0), got ${JSON.stringify(raw.freq)}`);
      else period = raw.freq;
    }
    if (!Array.isArray(raw.signals)) {
      this.fail([...path, 'signals'], 'expected a list of signals');
      return;
    }
    if (this.errors.length > errorsBefore || request === null) return;
    raw.signals.forEach((signal, i) => this.signal(signal, [...path, 'signals', i], { header, receive, request, period }));
  }

  private signal(raw: unknown, path: Path, command: { header: string | null; receive: string | null; request: string; period: number | null }): void {
    if (!isRecord(raw)) {
      this.fail(path, 'expected an object with id and fmt');
      return;
    }
    if (typeof raw.id !== 'string' || raw.id === '') {
      this.fail([...path, 'id'], 'expected the signal id (text)');
      return;
    }
    const name = commandNameOf(raw.id);
    if (!COMMAND_NAME.test(name)) {
      this.fail([...path, 'id'], `'${raw.id}' cannot be a command name: it must start with a letter`);
      return;
    }
    if (this.names.has(name)) {
      this.fail([...path, 'id'], `${name} is defined twice in this file`);
      return;
    }
    const format = this.format(raw.fmt, [...path, 'fmt']);
    if (format === null) return;
    this.names.add(name);
    const desc = typeof raw.name === 'string' && raw.name !== '' ? raw.name : name;
    const fmt = raw.fmt as Record<string, unknown>;
    this.commands.push({
      definition: {
        name,
        desc,
        request: command.request,
        header: command.header,
        receive: command.receive,
        bytes: 0,
        decoding: { kind: 'signal', format },
        unit: pintUnit(typeof fmt.unit === 'string' ? fmt.unit : undefined),
        ecu: ECU.ALL,
      },
      period: command.period,
      at: this.at([...path, 'id'], ''),
    });
  }

  private format(raw: unknown, path: Path): SignalFormat | null {
    if (!isRecord(raw)) {
      this.fail(path, 'expected the bit field: an object with len (and bix, sign, mul, div, add, min, max, unit, map)');
      return null;
    }
    const errorsBefore = this.errors.length;
    const number = (key: string, fallback: number | null): number | null => {
      const value = raw[key];
      if (value === undefined) return fallback;
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        this.fail([...path, key], `expected a number, got ${JSON.stringify(value)}`);
        return fallback;
      }
      return value;
    };
    if (raw.len === undefined) this.fail([...path, 'len'], 'missing len (the width in bits)');
    if (raw.sign !== undefined && typeof raw.sign !== 'boolean') this.fail([...path, 'sign'], 'expected true or false');
    if (raw.unit !== undefined && typeof raw.unit !== 'string') this.fail([...path, 'unit'], 'expected a unit name');
    const format: SignalFormat = {
      bix: number('bix', 0)!,
      len: number('len', 8)!,
      signed: raw.sign === true,
      mul: number('mul', 1)!,
      div: number('div', 1)!,
      add: number('add', 0)!,
      min: number('min', null),
      max: number('max', null),
      map: this.map(raw.map, [...path, 'map']),
    };
    for (const problem of signalFormatProblems(format)) this.fail([...path, problem.key], problem.message);
    return this.errors.length > errorsBefore ? null : format;
  }

  private map(raw: unknown, path: Path): ReadonlyMap<number, string> | null {
    if (raw === undefined) return null;
    if (!isRecord(raw)) {
      this.fail(path, 'expected an object of raw value -> word');
      return null;
    }
    const map = new Map<number, string>();
    for (const [key, entry] of Object.entries(raw)) {
      const word = typeof entry === 'string' ? entry : isRecord(entry) ? (entry.value ?? entry.description) : undefined;
      if (!/^-?\d+$/.test(key)) this.fail([...path, key], `'${key}' is not a raw value (a whole number)`);
      else if (typeof word !== 'string') this.fail([...path, key], 'expected a word, or an object with "value" (and "description")');
      else map.set(Number(key), word);
    }
    return map;
  }

  private hex(raw: unknown, path: Path, pattern: RegExp, expected: string, optional: boolean): string | null {
    if (raw === undefined && optional) return null;
    const text = typeof raw === 'string' ? raw.replace(/\s+/g, '').toUpperCase() : '';
    if (!pattern.test(text)) {
      this.fail(path, `expected ${expected}, got ${JSON.stringify(raw)}`);
      return null;
    }
    return text;
  }

  /** {"22": "0101"} or "220101" → "220101". */
  private request(raw: unknown, path: Path): string | null {
    if (typeof raw === 'string') return this.hex(raw, path, HEX_BYTES, 'the request as hex bytes like "220101"', false);
    if (isRecord(raw)) {
      const entries = Object.entries(raw);
      if (entries.length === 1) {
        const [service, pid] = entries[0]!;
        const text = `${service}${typeof pid === 'string' ? pid : ''}`.toUpperCase();
        if (/^[0-9A-F]{2}$/.test(service.toUpperCase()) && typeof pid === 'string' && HEX_BYTES.test(text)) return text;
      }
    }
    this.fail(path, `expected {"<service>": "<pid>"} like {"22": "0101"}, got ${JSON.stringify(raw)}`);
    return null;
  }
}

/** Reads a signal-set file; never throws. */
export function loadSignalSet(file: string): SignalSetResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder' : (error as Error).message;
    return { commands: [], errors: [{ file, line: 0, col: 0, path: '', message: `cannot read the signal set ${file}: it ${why}` }] };
  }
  return parseSignalSet(text, file);
}

/** Parses signal-set text (`file` names it in errors). */
export function parseSignalSet(text: string, file: string): SignalSetResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      commands: [],
      errors: doc.errors.slice(0, 1).map((e) => {
        const { line, col } = lines.linePos(e.pos[0]);
        return { file, line, col, path: '', message: `not valid JSON: ${e.message.split('\n')[0]}` };
      }),
    };
  }
  const reader = new SignalSetReader(file, doc, lines);
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    return { commands: [], errors: [{ file, line: 1, col: 1, path: '', message: `not valid JSON: ${(error as Error).message}` }] };
  }
  reader.read(data);
  return { commands: reader.errors.length > 0 ? [] : reader.commands, errors: reader.errors };
}
