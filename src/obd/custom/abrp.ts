/**
 * A Better Routeplanner's PID files (github.com/iternio/ev-obd-pids) as command definitions:
 *   { "init_commands": { "command": ["ATZ", "ATSH7E4", ...] }, "obd_protocol": "6",
 *     "data_commands": { "command": ["ATCRA7EC", "220101", ...] },
 *     "soc": { "equation": "ag/2", "command": "220105", "ecu": "7E4", "minValue": "-5", "maxValue": "105", "type": "Number" },
 *     ... }
 * The two command lists may be spelt in any case (Init_Commands); every other key is one value,
 * queried with `command` sent to `ecu` (the header; or, when it is one of the ids ECUs answer
 * from, 7E8-7EF, the ECU answering there, asked at its id less 8). A value without `ecu` takes the header
 * (ATSH, with ATCP's priority in front of a 6-digit one) and the receive filter (ATCRA) in force
 * where its command stands in data_commands, as ABRP would send it. A command written as a
 * whole CAN frame for ATCAF0 ("03221E3D55555555": length, request, padding) is its request
 * (221E3D). minValue, maxValue and type only scale ABRP's own display: not used; the unit is
 * that of the telemetry name (soc: percent), none for a name ABRP does not define. Equations are
 * read in ABRP's notation (equation.ts, dialect 'abrp').
 *
 * JSON is read with the YAML parser (JSON is YAML), which keeps positions, so every error and
 * warning names the file, line and column. As with Torque files, a value whose equation cannot
 * be computed is left out with a warning; a file of the wrong shape is an error.
 */
import { isNode, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { ECU } from '../../elm327/message.js';
import { derivedReceive } from './command.js';
import { parseEquation } from './equation.js';
import {
  abrpCommandName,
  headerHex,
  jsonNestingPastLimit,
  linePos,
  MAX_JSON_DEPTH,
  requestHex,
  type CommandFileResult,
} from './file-format.js';
import type { SignalSetError } from './obdb.js';

type Path = Array<string | number>;

/** What ABRP's adapter has been told when it sends a command. */
interface AdapterState {
  header: string | null;
  priority: string | null;
  receive: string | null;
}

const RECEIVE = /^([0-9A-F]{2}|[0-9A-F]{3}|[0-9A-F]{8})$/;
/**
 * Units of ABRP's telemetry names (its Telemetry API: soc in %, voltage in V, current in A,
 * power in kW, speed in km/h, temperatures in °C, energy in kWh, odometer in km).
 */
const TELEMETRY_UNITS: Readonly<Record<string, string>> = {
  soc: 'percent',
  soh: 'percent',
  voltage: 'volt',
  current: 'ampere',
  power: 'kilowatt',
  speed: 'kilometer_per_hour',
  batt_temp: 'degree_Celsius',
  ext_temp: 'degree_Celsius',
  soe: 'kilowatt_hour',
  capacity: 'kilowatt_hour',
  kwh_charged: 'kilowatt_hour',
  odometer: 'kilometer',
};

/** The 11-bit ids ECUs answer from under ISO 15765-4. */
const RESPONSE_ID = /^7E[89A-F]$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A data command as a request: hex bytes, or the payload of a padded single CAN frame. */
export function abrpRequest(command: string): string | null {
  const hex = command.replace(/\s+/g, '').toUpperCase();
  const frame = /^0([1-7])((?:[0-9A-F]{2}){7})$/.exec(hex);
  if (frame) return requestHex(frame[2]!.slice(0, Number(frame[1]) * 2));
  return requestHex(hex);
}

/** The header ABRP's adapter sends with: ATCP's priority before a 6-digit ATSH header (29-bit CAN). */
function fullHeader(header: string, priority: string | null): string {
  return header.length === 6 && priority !== null ? priority + header : header;
}

class AbrpReader {
  readonly result: CommandFileResult = { commands: [], errors: [], warnings: [] };

  constructor(
    private readonly file: string,
    private readonly text: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** A placed problem at `path` (the nearest node that exists), at 1-based `column` of a string's text. */
  at(path: Path, message: string, column = 0): SignalSetError {
    const where = path
      .map((p) => (typeof p === 'number' ? `[${p}]` : p))
      .join('.')
      .replace(/\.\[/g, '[');
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) {
        let start = node.range[0];
        // `column` into a string written without escapes: point at that character (after the quote).
        const value = isScalar(node) ? node.value : undefined;
        if (
          column > 0 &&
          depth === path.length &&
          typeof value === 'string' &&
          this.text.slice(start + 1, start + 1 + value.length) === value
        ) {
          start += column;
        }
        const { line, col } = this.lines.linePos(start);
        return { file: this.file, line, col, path: where, message: where ? `${where}: ${message}` : message };
      }
    }
    return { file: this.file, line: 1, col: 1, path: where, message };
  }

  error(path: Path, message: string): void {
    this.result.errors.push(this.at(path, message));
  }

  warn(path: Path, message: string, column = 0): void {
    this.result.warnings.push(this.at(path, `${message}; this value is left out`, column));
  }

  read(data: unknown): void {
    if (!isRecord(data)) {
      this.error([], 'an ABRP PID file is an object with init_commands, data_commands and one entry per value');
      return;
    }
    const keyOf = (wanted: string): string | undefined => Object.keys(data).find((k) => k.toLowerCase() === wanted);
    const initKey = keyOf('init_commands');
    const dataKey = keyOf('data_commands');
    const init = initKey === undefined ? [] : this.commandList(data[initKey], [initKey]);
    const sent = dataKey === undefined ? [] : this.commandList(data[dataKey], [dataKey]);

    // Replay the AT commands as the adapter would see them, noting the state each request is sent in.
    const state: AdapterState = { header: null, priority: null, receive: null };
    const apply = (command: string): boolean => {
      const at = command.replace(/\s+/g, '').toUpperCase();
      if (!at.startsWith('AT')) return false;
      const header = /^ATSH([0-9A-F]+)$/.exec(at);
      if (header) state.header = headerHex(header[1]!);
      const priority = /^ATCP([0-9A-F]{2})$/.exec(at);
      if (priority) state.priority = priority[1]!;
      const receive = /^ATCRA([0-9A-F]*)$/.exec(at);
      if (receive) state.receive = RECEIVE.test(receive[1]!) ? receive[1]! : null;
      return true;
    };
    init.forEach(({ text, path }) => {
      if (!apply(text))
        this.result.warnings.push(
          this.at(path, `'${text}' is not an AT command: the gateway sets up the adapter itself and does not send it`),
        );
    });
    const afterInit = { ...state };
    const sentIn = new Map<string, AdapterState>();
    for (const { text } of sent) {
      if (apply(text)) continue;
      const request = abrpRequest(text);
      if (request !== null && !sentIn.has(request)) sentIn.set(request, { ...state });
    }

    const names = new Map<string, string>();
    for (const [key, entry] of Object.entries(data)) {
      if (key === initKey || key === dataKey || key.toLowerCase() === 'obd_protocol') continue;
      this.value(key, entry, sentIn.get.bind(sentIn), afterInit, names);
    }
    if (this.result.errors.length > 0) this.result.commands = [];
  }

  private commandList(raw: unknown, path: Path): Array<{ text: string; path: Path }> {
    const list = isRecord(raw) ? raw.command : raw;
    const listPath = isRecord(raw) ? [...path, 'command'] : path;
    if (!Array.isArray(list)) {
      this.error(listPath, 'expected {"command": [...]}, a list of commands');
      return [];
    }
    const commands: Array<{ text: string; path: Path }> = [];
    list.forEach((item, i) => {
      if (typeof item === 'string') commands.push({ text: item, path: [...listPath, i] });
      else this.error([...listPath, i], `expected a command (text), got ${JSON.stringify(item)}`);
    });
    return commands;
  }

  private value(
    key: string,
    raw: unknown,
    stateOf: (request: string) => AdapterState | undefined,
    initState: AdapterState,
    names: Map<string, string>,
  ): void {
    if (!isRecord(raw) || raw.equation === undefined) {
      this.result.warnings.push(this.at([key], 'not a value (no "equation"), ignored'));
      return;
    }
    if (typeof raw.equation !== 'string')
      return this.error([key, 'equation'], `expected the equation as text, got ${JSON.stringify(raw.equation)}`);
    if (typeof raw.command !== 'string')
      return this.error([key, 'command'], `expected the command (text) like "220101", got ${JSON.stringify(raw.command)}`);
    const request = abrpRequest(raw.command);
    if (request === null) return this.error([key, 'command'], `'${raw.command}' is not a request in hex like 220101`);
    if (raw.ecu !== undefined && typeof raw.ecu !== 'string')
      return this.error([key, 'ecu'], `expected the ECU's header (text) like "7E4", got ${JSON.stringify(raw.ecu)}`);
    const ecuText = (raw.ecu ?? '').trim();
    const ecu = ecuText === '' ? null : headerHex(ecuText);
    if (ecuText !== '' && ecu === null) return this.error([key, 'ecu'], `'${ecuText}' is not a header of 3, 6 or 8 hex digits like 7E4`);

    const sentWith = stateOf(request) ?? initState;
    let header: string | null;
    let receive: string | null;
    if (ecu !== null && RESPONSE_ID.test(ecu)) {
      // Some files name the ECU by the id it answers from (hkmc2019: "7EC", with ATCRA7EC):
      // ISO 15765-4's 7E8-7EF only ever answer, to the request id 8 below.
      header = (parseInt(ecu, 16) - 8).toString(16).toUpperCase();
      receive = ecu;
    } else {
      const shortHeader = ecu ?? sentWith.header;
      header = shortHeader === null ? null : fullHeader(shortHeader, sentWith.priority);
      receive = ecu === null && sentWith.receive !== null ? sentWith.receive : derivedReceive(header);
    }

    const parsed = parseEquation(raw.equation, { dialect: 'abrp' });
    if (!parsed.ok) return this.warn([key, 'equation'], `equation: ${parsed.error.message}`, parsed.error.column);
    const name = abrpCommandName(key);
    if (name === null) return this.warn([key], 'the key has no letter or digit to make a command name of');
    const earlier = names.get(name);
    if (earlier !== undefined) return this.warn([key], `its command name ${name} is already taken by "${earlier}"`);
    names.set(name, key);
    const at = this.at([key], '');
    this.result.commands.push({
      definition: {
        name,
        desc: key,
        request,
        header,
        receive,
        bytes: 0,
        decoding: { kind: 'equation', equation: parsed.equation },
        unit: Object.hasOwn(TELEMETRY_UNITS, key) ? TELEMETRY_UNITS[key]! : null,
        ecu: ECU.ALL,
      },
      period: null,
      at: { ...at, path: key, message: '' },
    });
  }
}

/** Parses ABRP PID JSON text (`file` names it in errors); never throws. */
export function parseAbrpFile(text: string, file: string): CommandFileResult {
  const empty = (error: SignalSetError): CommandFileResult => ({ commands: [], errors: [error], warnings: [] });
  const tooDeep = jsonNestingPastLimit(text);
  if (tooDeep !== -1)
    return empty({ file, ...linePos(text, tooDeep), path: '', message: `the JSON nests deeper than ${MAX_JSON_DEPTH} levels here` });
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const [syntax] = doc.errors;
  if (syntax)
    return empty({ file, ...lines.linePos(syntax.pos[0]), path: '', message: `not valid JSON: ${syntax.message.split('\n')[0]}` });
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    return empty({ file, line: 1, col: 1, path: '', message: `not valid JSON: ${(error as Error).message}` });
  }
  const reader = new AbrpReader(file, text, doc, lines);
  reader.read(data);
  return reader.result;
}
