/**
 * Loads every command file (Torque .csv, ABRP or OBDb .json) under the given files or folders
 * as `commands_from:` would, and prints per file the commands loaded, the entries left out
 * (with why, given --verbose) and any error. Exits 1 when a file has an error.
 *
 *   node --import tsx scripts/check-command-files.ts [--verbose] <file or folder>...
 *
 * For files the repository cannot carry (a checkout of JejuSoul/OBD-PIDs-for-HKMC-EVs, whose
 * files have no licence): `npm test` covers only what is committed.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { formatConfigError } from '../src/config/errors.js';
import { loadCommandFile } from '../src/obd/custom/command-file.js';

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

const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const roots = args.filter((a) => a !== '--verbose');
if (roots.length === 0) {
  process.stderr.write('usage: check-command-files.ts [--verbose] <file or folder>...\n');
  process.exit(2);
}
let failed = 0;
let files = 0;
let commands = 0;
let leftOut = 0;
for (const root of roots) {
  for (const file of commandFiles(root)) {
    const result = loadCommandFile(file);
    files++;
    commands += result.commands.length;
    leftOut += result.warnings.length;
    const name = relative(root, file) || file;
    process.stdout.write(`${String(result.commands.length).padStart(4)} commands ${String(result.warnings.length).padStart(3)} left out  ${name}\n`);
    for (const error of result.errors) process.stdout.write(`       error: ${formatConfigError(error)}\n`);
    if (verbose) for (const warning of result.warnings) process.stdout.write(`       left out: ${formatConfigError(warning)}\n`);
    if (result.errors.length > 0) failed++;
  }
}
process.stdout.write(`${files} files: ${commands} commands, ${leftOut} left out, ${failed} with errors\n`);
process.exit(failed > 0 ? 1 : 0);
