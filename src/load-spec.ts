import { loadConfig, parseConfig, validateSpec, type ParseResult } from './config/load.js';
import { commandByName } from './obd/commands/index.js';
import { buildCommandRegistry, rememberRegistry } from './obd/registry.js';
import { checkSpecTemplates } from './templates/templates.js';
import { alertProblems } from './alerts/conditions.js';

/**
 * A config checked completely: the config layer's own checks, then those that need the command
 * tables (every command name in the file must exist). The CLI's `validate`, the start-up and
 * every hot reload go through here.
 */
export function parseSpec(text: string, file: string | null, env: NodeJS.ProcessEnv = process.env): ParseResult {
  return withCommandChecks(parseConfig(text, file, env));
}

export async function loadSpec(file: string, env: NodeJS.ProcessEnv = process.env): Promise<ParseResult> {
  return withCommandChecks(await loadConfig(file, env));
}

function withCommandChecks(result: ParseResult): ParseResult {
  if (!result.ok) return result;
  // The custom commands (equations, bit fields, signal-set files) are compiled here, once.
  const { registry, problems, fileErrors, fileWarnings } = buildCommandRegistry(result.spec);
  const known = (name: string) => registry.byName(name) !== undefined;
  // Alert conditions name commands too: they must parse and exist.
  const here = [...problems, ...alertProblems(result.spec.alerts, known)];
  const errors = validateSpec(result.spec, result.doc, {
    knownCommand: known,
    builtinCommand: (name) => commandByName(name) !== undefined,
    commandNames: () => registry.all().map((cmd) => cmd.name),
    commandProblems: () => ({ here, elsewhere: fileErrors.map((e) => ({ ...e, code: 'semantic' as const })) }),
    templateProblems: checkSpecTemplates,
  });
  if (errors.length > 0) return { ok: false, errors };
  rememberRegistry(result.spec, registry);
  // A file command the gateway cannot serve is left out with a warning; the rest runs.
  return { ...result, warnings: [...result.warnings, ...fileWarnings.map((w) => ({ ...w, code: 'semantic' as const }))] };
}
