/**
 * The one way in for a config: obdio.yaml -> a Spec and the command table it was checked with.
 * The config layer's own checks (src/config/load.ts), then those that need the command tables
 * (every command name in the file must exist). The CLI's `validate`, the start-up, every hot
 * reload, the benches and the public API go through here.
 */
import type { ConfigError } from './config/errors.js';
import { parseSpecText, readConfigFile, validateSpec } from './config/load.js';
import type { Spec } from './config/spec.js';
import { commandByName } from './obd/commands/index.js';
import { buildCommandRegistry, type CommandRegistry, type CommandTableOptions } from './obd/registry.js';
import { checkSpecTemplates } from './templates/templates.js';
import { alertProblems } from './alerts/conditions.js';

/** A completely checked config: the Spec and the command table its names were checked against. */
export interface LoadedConfig {
  spec: Spec;
  /** Built once, here: the gateway serves exactly the commands that were checked, even if a signal-set file changes later. */
  registry: CommandRegistry;
  warnings: ConfigError[];
}

export type ParseResult = ({ ok: true } & LoadedConfig) | { ok: false; errors: ConfigError[] };

/** Parses and completely checks config text. `file` (made absolute) is reported in errors and anchors relative paths; null: the working directory. */
export function parseConfig(text: string, file: string | null, env: NodeJS.ProcessEnv = process.env): ParseResult {
  const parsed = parseSpecText(text, file, env);
  if (!parsed.ok) return parsed;
  // The custom commands (equations, bit fields, signal-set files) are compiled here, once.
  const { registry, problems, fileErrors, fileWarnings } = buildCommandRegistry(commandTableOptions(parsed.spec));
  const known = (name: string) => registry.byName(name) !== undefined;
  // Alert conditions name commands too: they must parse and exist.
  const here = [...problems, ...alertProblems(parsed.spec.alerts, known)];
  const errors = validateSpec(parsed.spec, parsed.names, {
    knownCommand: known,
    builtinCommand: (name) => commandByName(name) !== undefined,
    commandNames: () => registry.all().map((cmd) => cmd.name),
    commandProblems: () => ({ here, elsewhere: fileErrors.map((e) => ({ ...e, code: 'semantic' as const })) }),
    templateProblems: checkSpecTemplates,
  });
  if (errors.length > 0) return { ok: false, errors };
  // A file command the gateway cannot serve is left out with a warning; the rest runs.
  const warnings = [...parsed.warnings, ...fileWarnings.map((w) => ({ ...w, code: 'semantic' as const }))];
  return { ok: true, spec: parsed.spec, registry, warnings };
}

/** Reads, parses and completely checks a config file; a missing or unreadable file is an error like any other. */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<ParseResult> {
  const read = await readConfigFile(file);
  return read.ok ? parseConfig(read.text, read.path, env) : read;
}

/** A Spec's commands, commands_from and vehicle as the command layer's plain options. */
export function commandTableOptions(spec: Pick<Spec, 'commands' | 'commands_from' | 'vehicle' | 'computed'>): CommandTableOptions {
  return { commands: spec.commands, files: spec.commands_from, modelYear: spec.vehicle.model_year, computed: spec.computed };
}
