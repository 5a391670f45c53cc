/**
 * One `commands_from:` file, whatever its format: a Torque Pro CSV (by its .csv name, or text
 * that is not JSON), an ABRP PID file (JSON with init_commands / data_commands, any case) or an
 * OBDb signal set (any other JSON). Every format is read under the same limits on size and
 * nesting, because these files are downloaded.
 */
import { extname } from 'node:path';
import { parseAbrpFile } from './abrp.js';
import { jsonNestingPastLimit, linePos, MAX_JSON_DEPTH, readCommandFile, type CommandFileResult } from './file-format.js';
import { parseSignalSet, type SignalSetOptions } from './obdb.js';
import { parseTorqueCsv, resolveTorqueReferences, type TorqueFileResult } from './torque.js';

export type CommandFileFormat = 'torque' | 'abrp' | 'obdb';

/** Which reader a file's name and text call for. */
export function commandFileFormat(file: string, text: string): CommandFileFormat {
  const extension = extname(file).toLowerCase();
  if (extension === '.csv' || (extension !== '.json' && !/^\s*[{[]/.test(text))) return 'torque';
  // Only the top level's keys decide. JSON.parse does not recurse (V8 parses JSON iteratively),
  // so a deeply nested file is safe here; the position-keeping YAML parser is what needs the limit.
  try {
    const data: unknown = JSON.parse(text);
    if (typeof data === 'object' && data !== null && Object.keys(data).some((key) => /^(init|data)_commands$/i.test(key))) return 'abrp';
  } catch {
    // Not JSON: the OBDb reader reports where.
  }
  return 'obdb';
}

/** A file as read: a Torque file may still hold rows that read other files' sensors. */
export type LoadedCommandFile = CommandFileResult & Partial<Pick<TorqueFileResult, 'pending'>>;

/**
 * Reads a commands_from file; never throws. Pass every file of a config to
 * resolveReferences before using the commands: Torque rows may read other files' sensors.
 */
export function loadCommandFile(file: string, options: SignalSetOptions = {}): LoadedCommandFile {
  const read = readCommandFile(file, 'command file');
  if ('error' in read) return { commands: [], errors: [read.error], warnings: [] };
  return parseCommandFile(read.text, file, options);
}

/** Turns the Torque rows that read other sensors into commands or warnings, across all the files. */
export function resolveReferences(files: readonly LoadedCommandFile[]): void {
  resolveTorqueReferences(files.filter((f): f is TorqueFileResult => f.pending !== undefined));
}

/** Parses command-file text (`file` names it in errors and tells CSV from JSON); never throws. */
export function parseCommandFile(text: string, file: string, options: SignalSetOptions = {}): LoadedCommandFile {
  const format = commandFileFormat(file, text);
  if (format === 'torque') return parseTorqueCsv(text, file);
  // ABRP's reader checks the nesting itself; OBDb's (obdb.ts) is given only text that passed.
  if (format === 'abrp') return parseAbrpFile(text, file);
  const tooDeep = jsonNestingPastLimit(text);
  if (tooDeep !== -1) {
    return {
      commands: [],
      errors: [{ file, ...linePos(text, tooDeep), path: '', message: `the JSON nests deeper than ${MAX_JSON_DEPTH} levels here` }],
      warnings: [],
    };
  }
  return parseSignalSet(text, file, options);
}
