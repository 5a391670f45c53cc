/**
 * OBDb signal sets (the open vehicle database's per-car JSON files, format v3) as command
 * definitions: one command per signal, so each signal is queried, watched and streamed under
 * its own name (the signal id as OBDb writes it, "4RUNNER_GEAR" included).
 *
 * The part of the format read here:
 *   { "commands": [ { "hdr": "7E4", "rax": "7EC", "cmd": { "22": "0101" }, "freq": 1,
 *                     "eax": "07", "tst": "F1", "fcm1": true, "tmo": "32", "pri": "18",
 *                     "filter": { "from": 2018, "to": 2022, "years": [2015] },
 *                     "signals": [ { "id": "CAR_SOC", "name": "State of charge", "path": "Battery",
 *                                    "fmt": { "bix": 0, "len": 8, "sign": false, "mul": 1, "div": 2,
 *                                             "add": 0, "min": 0, "max": 100, "unit": "percent",
 *                                             "blsb": false, "nullmin": 0, "nullmax": 255,
 *                                             "map": { "1": { "value": "ON" } } } } ] } ] }
 * `hdr` is the header: 3 digits on 11-bit CAN, 4 on 29-bit (DA60 is sent as 18 DA 60 F1, and
 * `rax` 60 is answered from 18 DA F1 60, OBDb's rule). `eax` is the ISO-TP extended address
 * (ATCEA, with a receive filter on rax), `tst` the tester address, `fcm1` has the adapter send
 * flow control itself, `tmo` the answer timeout (ATST), `pri` the 29-bit priority. `filter`
 * keeps a command to the model years it names (obdio.yaml's vehicle.model_year; unset: every
 * command); `dbgfilter` names the years a command is still being checked and, as in OBDb's own
 * decoder, selects nothing. `fmt` is the bit field (see fields.ts), decoded as OBDb's reference
 * decoder does: min is 0 when absent, clamping only applies to a range with max above min, and
 * a map's unlisted value is null.
 *
 * A command the gateway cannot serve (another protocol, a diagnostic session, a malformed
 * entry) is a warning placed at its file:line:col, and the rest of the file loads. Only a file
 * that cannot be read as a signal set at all is an error.
 *
 * JSON is read with the YAML parser (JSON is YAML), which keeps every node's position, so a
 * problem names the file, line, column and JSON path.
 */
import { readFileSync } from 'node:fs';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { ECU } from '../../elm327/message.js';
import type { Addressing } from '../../elm327/addressing.js';
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
  /**
   * The id is already a signal of an earlier command (OBDb lists one quantity under each
   * request that carries it): a name serves one command, so this one is not served (a
   * warning says so), but it decodes its request's answers like any other. Only OBDb's
   * reader sets it.
   */
  duplicate?: boolean;
}

export interface SignalSetResult {
  commands: SignalSetCommand[];
  /** The file cannot be used at all (unreadable, not JSON, no commands list). */
  errors: SignalSetError[];
  /** Commands or signals left out, each saying why; the rest of the file loaded. */
  warnings: SignalSetError[];
}

export interface SignalSetOptions {
  /** Keeps the commands whose `filter` includes this year; null or absent: every command. */
  modelYear?: number | null;
}

/** A command name: OBDb ids may start with a digit (4RUNNER_GEAR), but hold a letter. */
const COMMAND_NAME = /^(?=[0-9_]*[A-Z])[A-Z0-9][A-Z0-9_]*$/;
const HEX_BYTES = /^([0-9A-F]{2})+$/;
const BYTE = /^[0-9A-F]{2}$/;
/** 3 digits: 11-bit CAN; 4: OBDb's 29-bit form (DA60); 6 or 8: a header as ATSH takes it. */
const HEADER = /^([0-9A-F]{3}|[0-9A-F]{4}|[0-9A-F]{6}|[0-9A-F]{8})$/;
const RECEIVE = /^([0-9A-F]{2}|[0-9A-F]{3}|[0-9A-F]{8})$/;
const TESTER = 'F1';

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

/** A command's addressing as read from the file, before its signals. */
interface CommandAddress {
  header: string | null;
  receive: string | null;
  request: string;
  period: number | null;
  addressing: Addressing | null;
}

/** Whether a model year is among those an OBDb filter names (from..to, to, from, years). */
export function filterIncludes(filter: { from?: number; to?: number; years?: readonly number[] }, year: number): boolean {
  const { from, to } = filter;
  if (from !== undefined && to !== undefined) {
    // from above to: the years outside (to, from), as OBDb reads it.
    if (from < to ? year >= from && year <= to : year >= from || year <= to) return true;
  } else if (to !== undefined) {
    if (year <= to) return true;
  } else if (from !== undefined && year >= from) {
    return true;
  }
  return filter.years?.includes(year) ?? false;
}

class SignalSetReader {
  readonly errors: SignalSetError[] = [];
  readonly warnings: SignalSetError[] = [];
  readonly commands: SignalSetCommand[] = [];
  private readonly names = new Set<string>();
  /** Problems of the entry being read; reported as warnings when it is left out. */
  private problems: SignalSetError[] = [];

  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly modelYear: number | null,
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
    this.problems.push(this.at(path, where ? `${where}: ${message}` : message));
  }

  read(data: unknown): void {
    if (!isRecord(data) || !Array.isArray(data.commands)) {
      this.errors.push(this.at([], 'a signal set is an object with a "commands" list (OBDb format)'));
      return;
    }
    data.commands.forEach((command, i) => this.command(command, ['commands', i]));
  }

  /** Reads one entry with `read`; if it had problems, they become warnings and it is left out. */
  private entry(what: string, read: () => void): void {
    const outer = this.problems;
    this.problems = [];
    read();
    for (const problem of this.problems) this.warnings.push({ ...problem, message: `${problem.message}; ${what} left out` });
    this.problems = outer;
  }

  private command(raw: unknown, path: Path): void {
    this.entry('this command is', () => {
      if (!isRecord(raw)) {
        this.fail(path, 'expected an object with hdr, cmd and signals');
        return;
      }
      const filter = this.yearFilter(raw.filter, [...path, 'filter']);
      this.yearFilter(raw.dbgfilter, [...path, 'dbgfilter']);
      if (raw.proto !== undefined && raw.proto !== '15765-4-11bit' && raw.proto !== '15765-4-29bit') {
        this.fail(
          [...path, 'proto'],
          `protocol ${JSON.stringify(raw.proto)}: the gateway talks to the car over the one protocol the adapter found (CAN), and cannot switch per command`,
        );
      }
      for (const key of ['din', 'dout'] as const) {
        if (raw[key] !== undefined)
          this.fail([...path, key], `diagnostic session ${JSON.stringify(raw[key])}: the gateway does not open diagnostic sessions`);
      }
      const address = this.address(raw, path);
      if (!Array.isArray(raw.signals)) this.fail([...path, 'signals'], 'expected a list of signals');
      if (this.problems.length > 0 || address === null || !Array.isArray(raw.signals)) return;
      // Another model year's command is no problem: it is simply not this car's.
      if (filter && this.modelYear !== null && !filterIncludes(filter, this.modelYear)) return;
      raw.signals.forEach((signal, i) => this.entry('this signal is', () => this.signal(signal, [...path, 'signals', i], address)));
    });
  }

  /** hdr, rax, cmd, freq and the addressing keys of a command; null when one is unusable. */
  private address(raw: Record<string, unknown>, path: Path): CommandAddress | null {
    const before = this.problems.length;
    const hdr = this.hex(raw.hdr, [...path, 'hdr'], HEADER, 'a header of 3 hex digits (11-bit CAN) or 4 (29-bit, like "DA60")', true);
    const rax = this.hex(raw.rax, [...path, 'rax'], RECEIVE, 'a CAN id like "7EC" (or an address like "60" with a 4-digit header)', true);
    const eax = this.hex(raw.eax, [...path, 'eax'], BYTE, 'an extended address: one byte like "07"', true);
    const tst = this.hex(raw.tst, [...path, 'tst'], BYTE, 'a tester address: one byte like "F1"', true);
    const tmo = this.hex(raw.tmo, [...path, 'tmo'], BYTE, 'a timeout: one byte like "32" (4 ms steps)', true);
    const pri = this.hex(raw.pri, [...path, 'pri'], BYTE, 'a CAN priority: one byte like "18"', true);
    if (raw.fcm1 !== undefined && typeof raw.fcm1 !== 'boolean') this.fail([...path, 'fcm1'], 'expected true or false');
    const request = this.request(raw.cmd, [...path, 'cmd']);
    let period: number | null = null;
    if (raw.freq !== undefined) {
      if (typeof raw.freq !== 'number' || !(raw.freq > 0))
        this.fail([...path, 'freq'], `expected the polling period in seconds (a number above 0), got ${JSON.stringify(raw.freq)}`);
      else period = raw.freq;
    }
    if (this.problems.length > before || request === null) return null;

    // OBDb's 29-bit form: hdr DA60 is the request 18 DA 60 <tester>, rax 60 the answer 18 DA <tester> 60.
    const wide = hdr !== null && hdr.length === 4;
    const tester = tst ?? TESTER;
    const header = wide ? `${hdr}${tester}` : hdr;
    const receive = wide && rax !== null && rax.length === 2 ? `18DA${tester}${rax}` : rax;
    if (eax !== null && receive === null) {
      this.fail([...path, 'rax'], 'extended addressing (eax) needs rax, the id the ECU answers from: the adapter listens for it alone');
      return null;
    }
    const fcm1 = raw.fcm1 === true;
    const addressing: Addressing | null =
      eax === null && tst === null && tmo === null && pri === null && !fcm1
        ? null
        : {
            extendedAddress: eax,
            receiveFilter: eax !== null ? receive : null,
            tester: wide ? null : tst, // on 29-bit the tester address is part of the header
            flowControl:
              fcm1 && header !== null
                ? { header: header.length === 3 ? header : `${pri ?? '18'}${header.slice(-6)}`, data: `${eax ?? ''}300000` }
                : null,
            timeout: tmo,
            priority: pri,
          };
    return { header, receive, request, period, addressing };
  }

  /** An OBDb year filter ({from, to, years}); null when absent or malformed (then a problem). */
  private yearFilter(raw: unknown, path: Path): { from?: number; to?: number; years?: number[] } | null {
    if (raw === undefined) return null;
    const isYear = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
    if (!isRecord(raw)) {
      this.fail(path, 'expected {"from": year, "to": year, "years": [year, ...]}');
      return null;
    }
    const filter: { from?: number; to?: number; years?: number[] } = {};
    for (const key of ['from', 'to'] as const) {
      if (raw[key] === undefined) continue;
      if (isYear(raw[key])) filter[key] = raw[key];
      else this.fail([...path, key], `expected a year, got ${JSON.stringify(raw[key])}`);
    }
    if (raw.years !== undefined) {
      if (Array.isArray(raw.years) && raw.years.every(isYear)) filter.years = raw.years;
      else this.fail([...path, 'years'], `expected a list of years, got ${JSON.stringify(raw.years)}`);
    }
    return filter;
  }

  private signal(raw: unknown, path: Path, command: CommandAddress): void {
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
      this.fail([...path, 'id'], `'${raw.id}' cannot be a command name: it needs a letter, and must not start with '_'`);
      return;
    }
    const format = this.format(raw.fmt, [...path, 'fmt']);
    if (format === null) return;
    const duplicate = this.names.has(name);
    if (duplicate) {
      const first = this.commands.find((c) => c.definition.name === name && !c.duplicate)!.at;
      const where = formatJsonPath([...path, 'id']);
      this.warnings.push(
        this.at(
          [...path, 'id'],
          `${where}: ${name} is already the signal at ${first.path} (line ${first.line}); a name serves one command, so this one is not served`,
        ),
      );
    }
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
        addressing: command.addressing,
      },
      period: command.period,
      at: this.at([...path, 'id'], ''),
      duplicate,
    });
  }

  private format(raw: unknown, path: Path): SignalFormat | null {
    if (!isRecord(raw)) {
      this.fail(
        path,
        'expected the bit field: an object with len (and bix, blsb, sign, mul, div, add, min, max, nullmin, nullmax, unit, map)',
      );
      return null;
    }
    const before = this.problems.length;
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
    for (const key of ['sign', 'blsb']) {
      if (raw[key] !== undefined && typeof raw[key] !== 'boolean') this.fail([...path, key], 'expected true or false');
    }
    if (raw.unit !== undefined && typeof raw.unit !== 'string') this.fail([...path, 'unit'], 'expected a unit name');
    const map = this.map(raw.map, [...path, 'map']);
    // OBDb's reference decoder: min is 0 when absent, and only a range with max above min clamps.
    let min = number('min', 0);
    let max = number('max', null);
    if (max === null || min === null || max <= min) min = max = null;
    const format: SignalFormat =
      map === null
        ? {
            bix: number('bix', 0)!,
            len: number('len', 8)!,
            signed: raw.sign === true,
            blsb: raw.blsb === true,
            mul: number('mul', 1)!,
            div: number('div', 1)!,
            add: number('add', 0)!,
            min,
            max,
            nullMin: number('nullmin', null),
            nullMax: number('nullmax', null),
            map: null,
          }
        : // An enumeration is looked up as stored: no sign, byte order or scaling, and an unlisted value is null.
          {
            bix: number('bix', 0)!,
            len: number('len', 8)!,
            signed: false,
            mul: 1,
            div: 1,
            add: 0,
            min: null,
            max: null,
            map,
            unmapped: 'null',
          };
    for (const problem of signalFormatProblems(format)) this.fail([...path, problem.key], problem.message);
    return this.problems.length > before ? null : format;
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
export function loadSignalSet(file: string, options: SignalSetOptions = {}): SignalSetResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder' : (error as Error).message;
    return {
      commands: [],
      errors: [{ file, line: 0, col: 0, path: '', message: `cannot read the signal set ${file}: it ${why}` }],
      warnings: [],
    };
  }
  return parseSignalSet(text, file, options);
}

/** Parses signal-set text (`file` names it in errors). */
export function parseSignalSet(text: string, file: string, options: SignalSetOptions = {}): SignalSetResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      commands: [],
      errors: doc.errors.slice(0, 1).map((e) => {
        const { line, col } = lines.linePos(e.pos[0]);
        return { file, line, col, path: '', message: `not valid JSON: ${e.message.split('\n')[0]}` };
      }),
      warnings: [],
    };
  }
  const reader = new SignalSetReader(file, doc, lines, options.modelYear ?? null);
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    return {
      commands: [],
      errors: [{ file, line: 1, col: 1, path: '', message: `not valid JSON: ${(error as Error).message}` }],
      warnings: [],
    };
  }
  reader.read(data);
  return { commands: reader.commands, errors: reader.errors, warnings: reader.warnings };
}
