import { loadConfig, parseConfig, validateSpec, type ParseResult } from './config/load.js';
import { allCommands, commandByName } from './obd/commands/index.js';

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
  const errors = validateSpec(result.spec, result.doc, {
    knownCommand: (name) => commandByName(name) !== undefined,
    builtinCommand: (name) => commandByName(name) !== undefined,
    commandNames: () => allCommands.map((cmd) => cmd.name),
  });
  return errors.length > 0 ? { ok: false, errors } : result;
}
