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
 * A row Torque can show but the gateway cannot compute from one reply (no ModeAndPID: a value
 * made of other sensors; VAL{...}, AVG(...); an equation Torque's users left broken) is left
 * out with a warning at its line and column, so a downloaded file loads as it is. A file that is
 * not shaped like Torque's (a row of fewer fields, a request or header that is not hex) is an
 * error, also at line and column.
 */
import { ECU } from '../../elm327/message.js';
import { derivedReceive } from './command.js';
import { parseEquation } from './equation.js';
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

/** Parses Torque CSV text (`file` names it in errors); never throws. */
export function parseTorqueCsv(text: string, file: string): CommandFileResult {
  const result: CommandFileResult = { commands: [], errors: [], warnings: [] };
  const names = new Map<string, number>();
  const place = (line: number, col: number, path: string, message: string): SignalSetError => ({ file, line, col, path, message: path ? `${path}: ${message}` : message });

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
    const [nameField, , requestField, equationField, , , unitField, headerField] = fields as [Field, Field, Field, Field, Field, Field, Field, Field];
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
    if (requestField.text.trim() === '') {
      warn(requestField, 'no ModeAndPID: Torque computes this value from other sensors, which needs more than one reply');
      return;
    }
    const request = requestHex(requestField.text);
    if (request === null) {
      result.errors.push(place(lineNo, requestField.col, label, `ModeAndPID '${requestField.text.trim()}' is not a request in hex like 2101 or 0x220101`));
      return;
    }
    const headerText = headerField.text.trim();
    const header = headerText === '' ? null : headerHex(headerText);
    if (headerText !== '' && header === null) {
      result.errors.push(place(lineNo, headerField.col, label, `Header '${headerText}' is not a header of 3, 6 or 8 hex digits like 7E4`));
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
    const name = torqueCommandName(label);
    if (name === null) {
      warn(nameField, 'the Name has no letter or digit to make a command name of');
      return;
    }
    const earlier = names.get(name);
    if (earlier !== undefined) {
      warn(nameField, `its command name ${name} is already taken by line ${earlier}`);
      return;
    }
    names.set(name, lineNo);
    result.commands.push({
      definition: {
        name,
        desc: label,
        request,
        header,
        receive: derivedReceive(header),
        bytes: 0,
        decoding: { kind: 'equation', equation: parsed.equation },
        unit: unitFromSymbol(unitField.text),
        ecu: ECU.ALL,
      },
      period: null,
      at: { file, line: lineNo, col: nameField.col, path: label, message: '' },
    });
  });
  if (result.errors.length > 0) result.commands = [];
  return result;
}
