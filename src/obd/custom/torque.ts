/**
 * Torque Pro's extended-PID CSV files (its "extendedpids" folder) as command definitions, one
 * command per row. A row is
 *   Name, ShortName, ModeAndPID, Equation, Min Value, Max Value, Units, Header
 * with no header row as Torque writes them (one found anyway, as in files edited in a
 * spreadsheet, is skipped); fields may be quoted ("a, b" with "" for a quote); later Torque
 * versions' extra columns are ignored. ModeAndPID is the request in hex (2101, 0x220101), Header
 * the ATSH header (7E4; empty: the default). Min and Max only scale Torque's gauges: not used.
 * Equations are read in Torque's notation (equation.ts, dialect 'torque').
 *
 * A row reading other sensors (VAL{...}) is computed from the same reply when all it reads
 * comes from one request (resolveTorqueReferences). A row the gateway cannot compute from one
 * reply (VAL{...} across requests, AVG(...); an equation Torque's users left broken) is left
 * out with a warning at its line and column, so a downloaded file loads as it is. A file that is
 * not shaped like Torque's (a row of fewer fields, a request or header that is not hex) is an
 * error, also at line and column.
 */
import { ECU } from '../../elm327/message.js';
import { derivedReceive, type CustomCommandDefinition } from './command.js';
import { parseEquation, type CompiledEquation } from './equation.js';
import { headerHex, requestHex, torqueCommandName, unitFromSymbol, type CommandFileResult } from './file-format.js';
import type { SignalSetError } from './obdb.js';

/** The columns of a Torque row, in order. */
const COLUMNS = ['Name', 'ShortName', 'ModeAndPID', 'Equation', 'Min Value', 'Max Value', 'Units', 'Header'] as const;

interface Field {
  text: string;
  /** 1-based column of the field's first character (after an opening quote). */
  col: number;
}

/** One CSV line as fields, or the column of an unclosed quote. */
function splitCsvLine(line: string): Field[] | { unclosedQuote: number } {
  const fields: Field[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      const open = i;
      let text = '';
      i++;
      for (;;) {
        const close = line.indexOf('"', i);
        if (close === -1) return { unclosedQuote: open + 1 };
        text += line.slice(i, close);
        if (line[close + 1] === '"') {
          text += '"';
          i = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
      fields.push({ text, col: open + 2 });
      // Anything between the closing quote and the comma belongs to the field, as spreadsheets read it.
      const comma = line.indexOf(',', i);
      fields[fields.length - 1]!.text += line.slice(i, comma === -1 ? line.length : comma);
      if (comma === -1) return fields;
      i = comma + 1;
    } else {
      const comma = line.indexOf(',', i);
      fields.push({ text: line.slice(i, comma === -1 ? line.length : comma), col: i + 1 });
      if (comma === -1) return fields;
      i = comma + 1;
    }
  }
}

/**
 * A row whose equation reads other sensors (VAL{...}): it can only be compiled once every
 * Torque file of the config is read (see resolveTorqueReferences).
 */
export interface PendingTorqueRow {
  file: string;
  line: number;
  label: string;
  /** Its own request and header, when the row has a ModeAndPID. */
  request: string | null;
  header: string | null;
  unit: string | null;
  equation: string;
  /** 1-based columns of the Equation and Name fields. */
  equationCol: number;
  nameCol: number;
}

export interface TorqueFileResult extends CommandFileResult {
  /** Rows that read other sensors: neither commands nor warnings until resolved. */
  pending: PendingTorqueRow[];
}

function placed(file: string, line: number, col: number, path: string, message: string): SignalSetError {
  return { file, line, col, path, message: path ? `${path}: ${message}` : message };
}

/** Adds a command for a Torque row to its file's result, unless its name is taken there (then a warning). */
function addCommand(
  result: CommandFileResult,
  row: { file: string; line: number; label: string; nameCol: number; request: string; header: string | null; unit: string | null },
  equation: CompiledEquation,
): boolean {
  const warn = (message: string): boolean => {
    result.warnings.push(placed(row.file, row.line, row.nameCol, row.label, `${message}; this PID is left out`));
    return false;
  };
  const name = torqueCommandName(row.label);
  if (name === null) return warn('the Name has no letter or digit to make a command name of');
  const earlier = result.commands.find((c) => c.definition.name === name);
  if (earlier) return warn(`its command name ${name} is already taken by line ${earlier.at.line}`);
  result.commands.push({
    definition: {
      name,
      desc: row.label,
      request: row.request,
      header: row.header,
      receive: derivedReceive(row.header),
      bytes: 0,
      decoding: { kind: 'equation', equation },
      unit: row.unit,
      ecu: ECU.ALL,
    },
    period: null,
    at: { file: row.file, line: row.line, col: row.nameCol, path: row.label, message: '' },
  });
  return true;
}

/**
 * Parses Torque CSV text (`file` names it in errors); never throws. Rows reading other sensors
 * come back as `pending`: pass the result to resolveTorqueReferences (with the config's other
 * Torque files) to turn them into commands or warnings.
 */
export function parseTorqueCsv(text: string, file: string): TorqueFileResult {
  const result: TorqueFileResult = { commands: [], errors: [], warnings: [], pending: [] };
  const place = (line: number, col: number, path: string, message: string): SignalSetError => placed(file, line, col, path, message);

  text.split(/\r\n|\r|\n/).forEach((line, index) => {
    const lineNo = index + 1;
    if (line.trim() === '') return;
    const fields = splitCsvLine(line);
    if (!Array.isArray(fields)) {
      result.errors.push(place(lineNo, fields.unclosedQuote, '', 'a quoted field is never closed (a Torque row is one line)'));
      return;
    }
    if (fields.length < COLUMNS.length) {
      result.errors.push(
        place(lineNo, 1, '', `a Torque PID row has ${COLUMNS.length} fields (${COLUMNS.join(', ')}); this one has ${fields.length}`),
      );
      return;
    }
    const [nameField, , requestField, equationField, , , unitField, headerField] = fields as [
      Field,
      Field,
      Field,
      Field,
      Field,
      Field,
      Field,
      Field,
    ];
    // A header row, as spreadsheets add: skipped wherever it is (files are often concatenated).
    if (requestField.text.trim().toLowerCase() === 'modeandpid') return;
    const label = nameField.text.trim();
    const warn = (field: Field, message: string, offset = 0): void => {
      result.warnings.push(place(lineNo, field.col + offset, label, `${message}; this PID is left out`));
    };
    if (label === '') {
      result.warnings.push(place(lineNo, nameField.col, '', 'a PID without a Name is left out'));
      return;
    }
    const request = requestField.text.trim() === '' ? null : requestHex(requestField.text);
    if (requestField.text.trim() !== '' && request === null) {
      result.errors.push(
        place(lineNo, requestField.col, label, `ModeAndPID '${requestField.text.trim()}' is not a request in hex like 2101 or 0x220101`),
      );
      return;
    }
    const headerText = headerField.text.trim();
    const header = headerText === '' ? null : headerHex(headerText);
    if (headerText !== '' && header === null) {
      result.errors.push(place(lineNo, headerField.col, label, `Header '${headerText}' is not a header of 3, 6 or 8 hex digits like 7E4`));
      return;
    }
    const unit = unitFromSymbol(unitField.text);
    if (/val\{/i.test(equationField.text)) {
      result.pending.push({
        file,
        line: lineNo,
        label,
        request,
        header,
        unit,
        equation: equationField.text,
        equationCol: equationField.col,
        nameCol: nameField.col,
      });
      return;
    }
    if (request === null) {
      warn(requestField, 'no ModeAndPID and no VAL{...}: nothing to read this value from');
      return;
    }
    if (equationField.text.trim() === '') {
      warn(equationField, 'no Equation');
      return;
    }
    const parsed = parseEquation(equationField.text, { dialect: 'torque' });
    if (!parsed.ok) {
      warn(equationField, `Equation: ${parsed.error.message}`, parsed.error.column - 1);
      return;
    }
    addCommand(result, { file, line: lineNo, label, nameCol: nameField.col, request, header, unit }, parsed.equation);
  });
  if (result.errors.length > 0) {
    result.commands = [];
    result.pending = [];
  }
  return result;
}

/**
 * Compiles the rows that read other sensors (VAL{name}), across all the config's Torque files
 * (a file often reads the sensors of another, as Torque imports them all): a sensor is found
 * by its Name, and its equation is evaluated over the same reply. That works when every sensor
 * read (and the row's own ModeAndPID, if any) is one request to one header; a row that would
 * need several replies, a sensor that does not exist or is left out, or a cycle, is left out
 * with a warning at its line and column. Chains (a VAL of a VAL) resolve in any order.
 */
export function resolveTorqueReferences(results: readonly TorqueFileResult[]): void {
  const sensors = new Map<string, CustomCommandDefinition>();
  for (const result of results)
    for (const { definition } of result.commands) if (!sensors.has(definition.desc)) sensors.set(definition.desc, definition);
  let waiting = results.flatMap((result) => result.pending.map((row) => ({ row, result })));
  for (const result of results) result.pending = [];
  const failed = new Set<string>();

  const leaveOut = ({ row, result }: (typeof waiting)[number], message: string, column: number): void => {
    failed.add(row.label);
    result.warnings.push(placed(row.file, row.line, row.equationCol + column - 1, row.label, `Equation: ${message}; this PID is left out`));
  };

  for (let progress = true; progress && waiting.length > 0;) {
    progress = false;
    const stillWaiting: typeof waiting = [];
    for (const entry of waiting) {
      const { row, result } = entry;
      const routes = new Map<string, { request: string; header: string | null }>();
      if (row.request !== null)
        routes.set(`${row.request} to ${row.header ?? 'the default header'}`, { request: row.request, header: row.header });
      let blocked = false;
      const parsed = parseEquation(row.equation, {
        dialect: 'torque',
        sensor: (name) => {
          const sensor = sensors.get(name);
          if (sensor === undefined) {
            if (failed.has(name)) return 'that sensor is left out too';
            if (waiting.some((w) => w.row.label === name)) {
              blocked = true;
              return 'not read yet';
            }
            return `no sensor is named '${name}' in the Torque files`;
          }
          routes.set(`${sensor.request} to ${sensor.header ?? 'the default header'}`, { request: sensor.request, header: sensor.header });
          return sensor.decoding.kind === 'equation' ? sensor.decoding.equation : `'${name}' has no equation`;
        },
      });
      if (blocked) {
        stillWaiting.push(entry);
        continue;
      }
      progress = true;
      if (!parsed.ok) {
        leaveOut(entry, parsed.error.message, parsed.error.column);
        continue;
      }
      const [route, ...others] = [...routes.values()];
      if (route === undefined || others.length > 0) {
        const why =
          route === undefined
            ? 'it reads no sensor and has no ModeAndPID'
            : `it needs ${routes.size} replies (${[...routes.keys()].join(', ')}), a value here comes from one`;
        leaveOut(entry, why, 1);
        continue;
      }
      if (addCommand(result, { ...row, ...route }, parsed.equation))
        sensors.set(row.label, result.commands[result.commands.length - 1]!.definition);
      else failed.add(row.label);
    }
    waiting = stillWaiting;
  }
  // What still waits reads itself, through others.
  for (const entry of waiting) leaveOut(entry, 'VAL{...} reads back to this sensor (a cycle)', 1);
}
