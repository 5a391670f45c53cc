/**
 * Every command the gateway answers to: python-OBD's tables plus the vehicle-specific commands
 * of obdio.yaml (`commands:`) and of `commands_from:` files (OBDb signal sets, Torque Pro CSV,
 * ABRP PID files; see custom/command-file.ts). Built once per
 * configuration, so a reload swaps the whole table at once.
 *
 * Name rules: a `commands:` entry may replace a built-in command or a signal-set command only
 * with `override: true` (the config layer reports the built-in case, this module the signal-set
 * one); a signal-set command may not reuse a built-in name, nor one from another file unless it
 * is the same command (then the copy is left out with a warning).
 */
import type { OBDCommand } from './command.js';
import { allCommands, commandByName } from './commands/index.js';
import {
  createCustomCommand,
  customDefinition,
  isCustomCommand as isConfigCommand,
  definitionSignature,
  derivedReceive,
  type CustomCommandDefinition,
  type CustomDecoding,
} from './custom/command.js';
import { parseEquation } from './custom/equation.js';
import { signalBytes, signalFormatProblems, type SignalFormat } from './custom/fields.js';
import { loadCommandFile, resolveReferences } from './custom/command-file.js';
import type { SignalSetError } from './custom/obdb.js';
import {
  bindComputedSources,
  compileComputed,
  computedDefinition,
  computedSignature,
  isComputedCommand,
  type ComputedSpec,
} from './computed.js';

/** Whether a command came from the config (commands:, computed:) or a signal set rather than python-OBD's tables. */
export function isCustomCommand(cmd: OBDCommand): boolean {
  return isConfigCommand(cmd) || isComputedCommand(cmd);
}

/** A problem in obdio.yaml, placed at a path (and `offset` characters into the value's text). */
export interface RegistryProblem {
  path: Array<string | number>;
  message: string;
  offset?: number;
  target?: 'key' | 'value';
}

export interface RegistryBuild {
  registry: CommandRegistry;
  /** Problems in obdio.yaml's commands: / commands_from: entries. */
  problems: RegistryProblem[];
  /** Problems inside signal-set files. */
  fileErrors: SignalSetError[];
  /** Entries of commands_from files left out (each says why); the rest of their files loaded. */
  fileWarnings: SignalSetError[];
  /** Commands loaded from each commands_from file, in order. */
  fileCounts: Array<{ file: string; commands: number; leftOut: number }>;
}

interface CustomEntry {
  cmd: OBDCommand;
  signature: string;
  /** Suggested seconds between polls (a signal set's freq), null when none. */
  period: number | null;
}

export class CommandRegistry {
  private readonly list: readonly OBDCommand[];

  private constructor(private readonly custom: ReadonlyMap<string, CustomEntry>) {
    this.list = Object.freeze([...allCommands.filter((cmd) => !custom.has(cmd.name)), ...[...custom.values()].map((e) => e.cmd)]);
    // Computed commands read their sources by name from the table they are in.
    for (const { cmd } of custom.values()) bindComputedSources(cmd, (name) => this.byName(name));
  }

  /** The table with python-OBD's commands only. */
  static builtinOnly(): CommandRegistry {
    return new CommandRegistry(new Map());
  }

  /** @internal used by buildCommandRegistry */
  static of(custom: ReadonlyMap<string, CustomEntry>): CommandRegistry {
    return new CommandRegistry(custom);
  }

  /** The command of that exact (case-sensitive) name: a custom one first, else a built-in one. */
  byName(name: string): OBDCommand | undefined {
    return this.custom.get(name)?.cmd ?? commandByName(name);
  }

  /** Built-in commands (those not replaced), then the custom ones. */
  all(): readonly OBDCommand[] {
    return this.list;
  }

  /** The custom commands only, in definition order (obdio.yaml's, then each signal set's). */
  customCommands(): OBDCommand[] {
    return [...this.custom.values()].map((e) => e.cmd);
  }

  /** Changes exactly when a custom command's definition changes; undefined for built-in names. */
  signature(name: string): string | undefined {
    return this.custom.get(name)?.signature;
  }

  /**
   * This table, with the command objects of `previous` wherever a definition is unchanged, so
   * a reload that leaves a command alone leaves it watched, cached and streaming as it was.
   */
  keepingCommandsOf(previous: CommandRegistry): CommandRegistry {
    let reused = false;
    const merged = new Map<string, CustomEntry>();
    for (const [name, entry] of this.custom) {
      const old = previous.custom.get(name);
      const same = old !== undefined && old.signature === entry.signature && old.period === entry.period;
      reused ||= same;
      merged.set(name, same ? old : entry);
    }
    return reused ? new CommandRegistry(merged) : this;
  }

  /** A signal set's suggested polling period for the command, in seconds. */
  suggestedPeriod(name: string): number | null {
    return this.custom.get(name)?.period ?? null;
  }
}

/**
 * A vehicle-specific command as the config describes it (obdio.yaml's `commands.<NAME>`,
 * normalized). Its decoder is `equation` (Torque notation) or, when `len` is set, an
 * OBDb-style bit field; with neither the value is the reply's data bytes. The config's
 * CustomCommandSpec has this shape; the OBD layer states its own so that it does not depend on
 * the YAML config (load-config.ts's commandTableOptions is where the compiler checks they agree).
 */
export interface CustomCommandOptions {
  /** Upper-case hex, e.g. "220105". */
  request: string;
  /** Upper-case hex CAN id / header; null: the default header. */
  header: string | null;
  /** Upper-case hex id the answers must come from; null: derived from the header where certain. */
  receive: string | null;
  /** Expected response length, echo included; 0 = variable. */
  bytes: number;
  equation: string | null;
  bix: number;
  len: number | null;
  signed: boolean;
  mul: number;
  div: number;
  add: number;
  min: number | null;
  max: number | null;
  /** Raw value (a whole number, as written) -> word; null: the value is a number. */
  map: Record<string, string> | null;
  unit: string | null;
  desc: string;
  /** python-OBD ECU bit mask. */
  ecu: number;
  /** May replace a built-in or signal-set command of the same name. */
  override: boolean;
}

/** What the command table is built from. Problems are placed at obdio.yaml paths (commands.<NAME>, commands_from[i]). */
export interface CommandTableOptions {
  /** Custom commands by upper-case name. */
  commands: Readonly<Record<string, CustomCommandOptions>>;
  /** Signal-set files (OBDb JSON, Torque CSV, ABRP), absolute paths. */
  files: readonly string[];
  /** Keeps the signal-set commands of this model year; null: every command. */
  modelYear: number | null;
  /** Commands computed from other commands' values (`computed:`). */
  computed?: Readonly<Record<string, ComputedSpec>>;
}

/** Data bytes a reply carries after the echo when `bytes` fixes its length; undefined when variable. */
function dataBytes(spec: CustomCommandOptions): number | undefined {
  return spec.bytes > 0 ? spec.bytes - spec.request.length / 2 : undefined;
}

function compileCommand(name: string, spec: CustomCommandOptions, problems: RegistryProblem[]): CustomCommandDefinition | null {
  const at = (key: string): Array<string | number> => ['commands', name, key];
  const before = problems.length;
  const echo = spec.request.length / 2;
  if (spec.bytes > 0 && spec.bytes <= echo) {
    problems.push({
      path: at('bytes'),
      message: `commands.${name}.bytes: ${spec.bytes} leaves no data byte: it counts the whole response, its ${echo}-byte echo of ${spec.request} included (0: any length)`,
    });
  }
  const available = spec.bytes > echo ? dataBytes(spec) : undefined;
  let decoding: CustomDecoding = { kind: 'raw' };
  if (spec.equation !== null) {
    const parsed = parseEquation(spec.equation, { dataBytes: available });
    if (parsed.ok) decoding = { kind: 'equation', equation: parsed.equation };
    else
      problems.push({
        path: at('equation'),
        offset: parsed.error.column - 1,
        message: `commands.${name}.equation: ${parsed.error.message} (column ${parsed.error.column} of the equation)`,
      });
  } else if (spec.len !== null) {
    const map = new Map<number, string>();
    for (const [raw, word] of Object.entries(spec.map ?? {})) {
      if (/^-?\d+$/.test(raw)) map.set(Number(raw), word);
      else
        problems.push({
          path: ['commands', name, 'map', raw],
          target: 'key',
          message: `commands.${name}.map: '${raw}' is not a raw value (a whole number)`,
        });
    }
    const format: SignalFormat = {
      bix: spec.bix,
      len: spec.len,
      signed: spec.signed,
      mul: spec.mul,
      div: spec.div,
      add: spec.add,
      min: spec.min,
      max: spec.max,
      map: spec.map ? map : null,
    };
    for (const problem of signalFormatProblems(format))
      problems.push({ path: at(problem.key), message: `commands.${name}.${problem.key}: ${problem.message}` });
    if (available !== undefined && signalBytes(format) > available) {
      problems.push({
        path: at(spec.bix > 0 ? 'bix' : 'len'),
        message: `commands.${name}: bits ${spec.bix}..${spec.bix + spec.len - 1} are past the reply's ${available} data byte${available === 1 ? '' : 's'} (bytes: ${spec.bytes})`,
      });
    }
    decoding = { kind: 'signal', format };
  }
  if (problems.length > before) return null;
  return {
    name,
    desc: spec.desc,
    request: spec.request,
    header: spec.header,
    receive: spec.receive ?? derivedReceive(spec.header),
    bytes: spec.bytes,
    decoding,
    unit: spec.unit,
    ecu: spec.ecu,
  };
}

function placeError(at: SignalSetError, message: string): SignalSetError {
  return { ...at, message: at.path ? `${at.path}: ${message}` : message };
}

/**
 * Builds the table for a configuration: compiles every `commands:` entry (equations parsed
 * once, here) and reads every `commands_from:` file. Never throws; what is wrong comes back
 * as problems, and the broken commands are left out.
 */
export function buildCommandRegistry(options: CommandTableOptions): RegistryBuild {
  const problems: RegistryProblem[] = [];
  const fileErrors: SignalSetError[] = [];
  const fileWarnings: SignalSetError[] = [];
  const fileCounts: RegistryBuild['fileCounts'] = [];
  const custom = new Map<string, CustomEntry>();
  /** Where each signal-set name came from, for collision messages. */
  const fromFile = new Map<string, SignalSetError>();
  /** What each file command does (its definition but for the description), to tell a copy from a clash. */
  const behaviour = (definition: CustomCommandDefinition): string => definitionSignature({ ...definition, desc: '' });

  const files = options.files.map((file) => loadCommandFile(file, { modelYear: options.modelYear }));
  // A Torque file's VAL{...} may read a sensor of another file.
  resolveReferences(files);
  options.files.forEach((file, i) => {
    const loaded = files[i]!;
    const warnings = [...loaded.warnings];
    fileCounts.push({ file, commands: loaded.commands.length, leftOut: loaded.warnings.length });
    for (const error of loaded.errors) {
      if (error.line === 0) problems.push({ path: ['commands_from', i], message: `commands_from: ${error.message}` });
      else fileErrors.push(error);
    }
    for (const { definition, period, at, duplicate } of loaded.commands) {
      if (duplicate) continue; // the loader's warning says why
      const name = definition.name;
      const earlier = fromFile.get(name);
      if (commandByName(name)) {
        warnings.push(
          placeError(at, `${name} is a built-in command: a signal set cannot replace it (rename the signal); this signal is left out`),
        );
      } else if (earlier && behaviour(customDefinition(custom.get(name)!.cmd)!) === behaviour(definition)) {
        // Vehicle folders often carry the same PIDs twice (a merged list beside the per-ECU ones).
        warnings.push(placeError(at, `${name} is the same as in ${earlier.file}:${earlier.line}:${earlier.col}; this copy is left out`));
      } else if (earlier) {
        warnings.push(
          placeError(at, `${name} is already defined in ${earlier.file}:${earlier.line}:${earlier.col}; this signal is left out`),
        );
      } else {
        fromFile.set(name, at);
        custom.set(name, { cmd: createCustomCommand(definition), signature: definitionSignature(definition), period });
      }
    }
    fileWarnings.push(...warnings.sort((a, b) => a.line - b.line || a.col - b.col));
  });

  for (const [name, command] of Object.entries(options.commands)) {
    const definition = compileCommand(name, command, problems);
    const signalSet = fromFile.get(name);
    if (signalSet && !command.override) {
      problems.push({
        path: ['commands', name],
        target: 'key',
        message: `commands: ${name} is also defined in ${signalSet.file}:${signalSet.line}:${signalSet.col}; add override: true to replace it, or pick another name`,
      });
      continue;
    }
    if (definition) custom.set(name, { cmd: createCustomCommand(definition), signature: definitionSignature(definition), period: null });
  }
  const computed = compileComputed(options.computed ?? {}, (name) => custom.has(name) || commandByName(name) !== undefined);
  for (const problem of computed.problems) {
    problems.push({ path: ['computed', problem.name, problem.key], offset: problem.offset, message: problem.message });
  }
  for (const [name, cmd] of computed.commands) {
    if (custom.has(name) || commandByName(name)) {
      problems.push({ path: ['computed', name], target: 'key', message: `computed: ${name} is already a command; pick another name` });
      continue;
    }
    custom.set(name, { cmd, signature: computedSignature(computedDefinition(cmd)!), period: null });
  }
  return { registry: CommandRegistry.of(custom), problems, fileErrors, fileWarnings, fileCounts };
}
