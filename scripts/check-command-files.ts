/**
 * Loads every command file (Torque .csv, ABRP or OBDb .json) under the given files or folders
 * through the full config check, as `commands_from:` would: each file alone (printing the
 * commands loaded, the entries left out - with why, given --verbose - and any error), then the
 * Torque files of each folder together, as Torque users import a car's whole folder. Exits 1
 * on any error.
 *
 *   node --import tsx scripts/check-command-files.ts [--verbose] <file or folder>...
 *
 * For files the repository cannot carry (a checkout of JejuSoul/OBD-PIDs-for-HKMC-EVs, whose
 * files have no licence): `npm test` covers only what is committed.
 */
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { formatConfigError, type ConfigError } from '../src/config/errors.js';
import { parseConfig } from '../src/load-config.js';

function commandFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const child = join(path, entry.name);
      if (entry.isDirectory()) return entry.name.startsWith('.') ? [] : commandFiles(child);
      return /\.(csv|json)$/i.test(entry.name) ? [child] : [];
    });
}

/** Checks a config made of these commands_from files; the errors, or the commands and warnings. */
function check(files: string[]): { errors: ConfigError[]; commands: number; warnings: ConfigError[] } {
  const loaded = parseConfig(`commands_from: ${JSON.stringify(files)}\n`, resolve('check-command-files.yaml'), {});
  if (!loaded.ok) return { errors: loaded.errors, commands: 0, warnings: [] };
  return { errors: [], commands: loaded.registry.customCommands().length, warnings: loaded.warnings };
}

const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const roots = args.filter((a) => a !== '--verbose');
if (roots.length === 0) {
  process.stderr.write('usage: check-command-files.ts [--verbose] <file or folder>...\n');
  process.exit(2);
}
let failed = 0;
let commands = 0;
let leftOut = 0;
const folders = new Map<string, string[]>();
const files = roots.flatMap((root) => commandFiles(root).map((file) => ({ root, file: resolve(file) })));
for (const { root, file } of files) {
  const result = check([file]);
  commands += result.commands;
  leftOut += result.warnings.length;
  // Torque users import a car's whole extendedpids folder; an ABRP file is one car.
  if (/\.csv$/i.test(file)) folders.set(dirname(file), [...(folders.get(dirname(file)) ?? []), file]);
  process.stdout.write(
    `${String(result.commands).padStart(4)} commands ${String(result.warnings.length).padStart(3)} warnings  ${relative(root, file) || file}\n`,
  );
  for (const error of result.errors) process.stdout.write(`       error: ${formatConfigError(error)}\n`);
  if (verbose) for (const warning of result.warnings) process.stdout.write(`       warning: ${formatConfigError(warning)}\n`);
  if (result.errors.length > 0) failed++;
}
for (const [folder, together] of folders) {
  if (together.length < 2) continue;
  const result = check(together);
  process.stdout.write(
    `${result.errors.length > 0 ? 'FAILS' : 'ok   '} ${together.length} files together: ${result.commands} commands  ${folder}\n`,
  );
  for (const error of result.errors) process.stdout.write(`       error: ${formatConfigError(error)}\n`);
  if (result.errors.length > 0) failed++;
}
process.stdout.write(`${files.length} files: ${commands} commands, ${leftOut} warnings; ${failed} failing checks\n`);
process.exit(failed > 0 ? 1 : 0);
