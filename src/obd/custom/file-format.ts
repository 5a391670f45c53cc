/**
 * What the readers of downloaded command files (Torque Pro CSV, ABRP JSON) share: the result
 * shape, the limits that keep an untrusted file from exhausting memory or the stack, the rule
 * that turns a file's names into command names, and unit symbols as pint names.
 */
import { readFileSync, statSync } from 'node:fs';
import { commandByName } from '../commands/index.js';
import type { SignalSetCommand, SignalSetError } from './obdb.js';

/** Commands read from a file; `warnings` are rows left out while the rest of the file loads. */
export interface CommandFileResult {
  commands: SignalSetCommand[];
  errors: SignalSetError[];
  warnings: SignalSetError[];
}

/** The largest command file read (the largest real one, an OBDb signal set, is under 200 KB). */
export const MAX_COMMAND_FILE_BYTES = 1024 * 1024;
/** The deepest nesting of JSON objects and lists read (real files nest 3 to 8 deep). */
export const MAX_JSON_DEPTH = 32;

/** A file's text, or an error at line 0 (the whole file) when it cannot or should not be read. */
export function readCommandFile(file: string, what: string): { text: string } | { error: SignalSetError } {
  const whole = (message: string): { error: SignalSetError } => ({ error: { file, line: 0, col: 0, path: '', message } });
  try {
    const size = statSync(file).size;
    if (size > MAX_COMMAND_FILE_BYTES) return whole(`${file} is ${size} bytes; a ${what} may be at most ${MAX_COMMAND_FILE_BYTES} bytes`);
    // A BOM (Excel writes one into CSV files) is not part of the first field.
    return { text: readFileSync(file, 'utf8').replace(/^\uFEFF/, '') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder' : (error as Error).message;
    return whole(`cannot read the ${what} ${file}: it ${why}`);
  }
}

/**
 * The 0-based offset where JSON text first nests deeper than `limit`, or -1. Scanned before
 * parsing, so a file of a million '[' never reaches the (recursive) parser.
 */
export function jsonNestingPastLimit(text: string, limit: number = MAX_JSON_DEPTH): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (++depth > limit) return i;
    } else if (c === '}' || c === ']') depth--;
  }
  return -1;
}

/** 1-based line and column of an offset. */
export function linePos(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: offset - start + 1 };
}

const COMMAND_NAME = /^[A-Z][A-Z0-9_]*$/;

/** Upper case, every run of other characters than letters and digits as one '_', none at the ends. */
function upperWords(label: string): string {
  return label
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/**
 * A Torque PID's command name, from its Name: upper case, other characters as '_', without the
 * number users put first to sort their list ("000_Battery Current" → BATTERY_CURRENT,
 * "!_ABRP_Battery Current" → ABRP_BATTERY_CURRENT); a name still starting with a digit gets
 * PID_ in front, and one that python-OBD already has gets TORQUE_ ("000_Odometer" →
 * TORQUE_ODOMETER, as ODOMETER is mode 01's). Null when nothing is left.
 */
export function torqueCommandName(name: string): string | null {
  let words = upperWords(name);
  const unsorted = words.replace(/^\d+_/, '');
  if (unsorted !== '') words = unsorted;
  if (/^\d/.test(words)) words = `PID_${words}`;
  if (commandByName(words)) words = `TORQUE_${words}`;
  return COMMAND_NAME.test(words) ? words : null;
}

/**
 * An ABRP value's command name, from its key: ABRP_ and the key in upper case ("soc" → ABRP_SOC,
 * "_SOC_BMS" → ABRP_SOC_BMS). The prefix is there because ABRP's keys are its telemetry names,
 * the same for every car and some python-OBD's own (speed → SPEED).
 */
export function abrpCommandName(key: string): string | null {
  const words = upperWords(key);
  return words === '' ? null : `ABRP_${words}`;
}

/** Unit symbols as Torque and ABRP users write them → pint's names (what the wire carries). */
const UNIT_SYMBOLS: Readonly<Record<string, string>> = {
  v: 'volt',
  mv: 'millivolt',
  a: 'ampere',
  ma: 'milliampere',
  ah: 'ampere_hour',
  c: 'degree_Celsius',
  '°c': 'degree_Celsius',
  degc: 'degree_Celsius',
  f: 'degree_Fahrenheit',
  '°f': 'degree_Fahrenheit',
  '%': 'percent',
  w: 'watt',
  kw: 'kilowatt',
  wh: 'watt_hour',
  kwh: 'kilowatt_hour',
  rpm: 'revolutions_per_minute',
  'km/h': 'kilometer_per_hour',
  kph: 'kilometer_per_hour',
  mph: 'mile_per_hour',
  km: 'kilometer',
  mi: 'mile',
  miles: 'mile',
  psi: 'pound_force_per_square_inch',
  kpa: 'kilopascal',
  bar: 'bar',
  nm: 'newton_meter',
  hz: 'hertz',
  ohm: 'ohm',
  kohm: 'kiloohm',
  s: 'second',
  sec: 'second',
  seconds: 'second',
  min: 'minute',
  minutes: 'minute',
  h: 'hour',
  hours: 'hour',
};

/** A pint unit name for a unit symbol; one not listed is passed on as written, none is null. */
export function unitFromSymbol(symbol: string): string | null {
  const trimmed = symbol.trim();
  if (trimmed === '') return null;
  return UNIT_SYMBOLS[trimmed.toLowerCase()] ?? trimmed;
}

/** Hex bytes of a request as written ("0x220101", "22b002", " 2101") in upper case, or null. */
export function requestHex(text: string): string | null {
  const hex = text.replace(/\s+/g, '').replace(/^0x/i, '').toUpperCase();
  return /^([0-9A-F]{2}){1,7}$/.test(hex) ? hex : null;
}

/** A header (ATSH) as written, in upper case, or null when it is not 3, 6 or 8 hex digits. */
export function headerHex(text: string): string | null {
  const hex = text.replace(/\s+/g, '').toUpperCase();
  return /^([0-9A-F]{3}|[0-9A-F]{6}|[0-9A-F]{8})$/.test(hex) ? hex : null;
}
