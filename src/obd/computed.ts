/**
 * Computed commands (obdio.yaml `computed:`): values derived from other commands' values, such
 * as fuel economy or trip distance, that behave like any command (query, watch, rates, MQTT,
 * the dashboard) but never go on the bus.
 *
 * Three kinds, each over an expression in the equation notation (custom/equation.ts, parsed
 * once, never evaluated as code) whose names are other commands (built-in, `commands:`,
 * signal-set or computed ones):
 *  - `expr`: the expression's value for the latest readings of its sources;
 *  - `integrate`: the running trapezoid integral over time of the expression, divided by `per`
 *    (SPEED in km/h integrated per hour gives km); starts at 0;
 *  - `average`: the time-weighted mean of the expression (its integral over the time counted).
 *
 * Semantics:
 *  - a computed value is produced when every source has answered since the last one (so a
 *    command read by two sources at different rates follows the slower); extra `sources` drive
 *    an expression that reads none (a trip clock: integrate "1" over SPEED's readings);
 *  - a missing source (null value, a string, an evaluation error such as division by zero)
 *    makes an `expr` null; for `integrate` and `average` it breaks the chain: no time is counted
 *    from the previous sample to the next good one, and the running figure stays;
 *  - two samples further apart than MAX_SAMPLE_GAP_MS (adapter lost, command unwatched) are a
 *    gap, not driving: that stretch is not counted either;
 *  - time is each reading's `time` (a replayed drive's recorded time, so a drive replayed at
 *    full speed integrates as it was driven);
 *  - the running figures live with the command object: a reload that leaves the definition
 *    alone keeps the trip; `resetComputed` (the `obdio:trip_reset` event) starts it again.
 */
import type { OBDCommand, OBDResponse } from './command.js';
import { parseEquation, type CompiledEquation } from './custom/equation.js';

export type ComputedKind = 'expr' | 'integrate' | 'average';
export type TimeUnit = 'second' | 'minute' | 'hour';

const SECONDS_PER: Readonly<Record<TimeUnit, number>> = { second: 1, minute: 60, hour: 3600 };

/** Samples further apart than this are a gap (link lost, nobody watching), not counted. */
export const MAX_SAMPLE_GAP_MS = 10_000;

/** What obdio.yaml says of one computed command (after normalisation). */
export interface ComputedSpec {
  kind: ComputedKind;
  /** The expression text. */
  expression: string;
  /** Time unit of the integrated quantity's rate (integrate only). */
  per: TimeUnit;
  /** Commands whose readings also drive the computation. */
  sources: string[];
  /** pint unit name; null: dimensionless. */
  unit: string | null;
  desc: string;
}

export interface ComputedDefinition {
  readonly name: string;
  readonly spec: ComputedSpec;
  readonly equation: CompiledEquation;
  /** Source command names: the expression's variables in slot order, then the extra sources. */
  readonly sources: readonly string[];
}

/** A problem with one computed entry, at a key under computed.<NAME>. */
export interface ComputedProblem {
  name: string;
  key: string;
  message: string;
  /** Characters into the expression, for errors inside it. */
  offset?: number;
}

const definitions = new WeakMap<OBDCommand, ComputedDefinition>();
/** How a computed command finds its sources: the registry it belongs to (rebound on every swap). */
const resolvers = new WeakMap<OBDCommand, (name: string) => OBDCommand | undefined>();
const states = new WeakMap<OBDCommand, RunningFigure>();

export function isComputedCommand(cmd: OBDCommand): boolean {
  return definitions.has(cmd);
}

export function computedDefinition(cmd: OBDCommand): ComputedDefinition | undefined {
  return definitions.get(cmd);
}

/** Points a computed command at the table its source names are looked up in. */
export function bindComputedSources(cmd: OBDCommand, resolve: (name: string) => OBDCommand | undefined): void {
  if (definitions.has(cmd)) resolvers.set(cmd, resolve);
}

/** The commands a computed command reads, in slot order (a name no longer known is left out). */
export function computedSources(cmd: OBDCommand): OBDCommand[] {
  const def = definitions.get(cmd);
  const resolve = resolvers.get(cmd);
  if (!def || !resolve) return [];
  return def.sources.map(resolve).filter((c): c is OBDCommand => c !== undefined);
}

/** Text that changes exactly when the command would compute differently (for reloads). */
export function computedSignature(def: ComputedDefinition): string {
  return JSON.stringify({ computed: def.name, ...def.spec });
}

/** The wire's `command` text: what the value is computed from. */
function commandText(spec: ComputedSpec): string {
  if (spec.kind === 'expr') return spec.expression;
  const per = spec.kind === 'integrate' ? ` per ${spec.per}` : '';
  return `${spec.kind}(${spec.expression})${per}`;
}

function createComputedCommand(def: ComputedDefinition): OBDCommand {
  const cmd: OBDCommand = Object.freeze({
    name: def.name,
    desc: def.spec.desc,
    command: commandText(def.spec),
    bytes: 0,
    // Never decoded: its value comes from its sources (see computeResponse).
    decoder: () => null,
    ecu: 0,
    fast: false,
    header: '',
    addressing: null,
  });
  definitions.set(cmd, def);
  return cmd;
}

/**
 * Compiles the `computed:` entries. `known` tells whether a name is a command outside
 * `computed:`. Entries with problems (unknown names, a cycle) are left out.
 */
export function compileComputed(
  specs: Readonly<Record<string, ComputedSpec>>,
  known: (name: string) => boolean,
): { commands: Map<string, OBDCommand>; problems: ComputedProblem[] } {
  const problems: ComputedProblem[] = [];
  const compiled = new Map<string, ComputedDefinition>();
  for (const [name, spec] of Object.entries(specs)) {
    const slots: string[] = [];
    const parsed = parseEquation(spec.expression, {
      variable: (variable) => {
        if (variable === name) return `${name} cannot read itself`;
        if (!known(variable) && !(variable in specs)) return 'not a command (built-in, commands:, a signal set or computed:)';
        const at = slots.indexOf(variable);
        return at >= 0 ? at : slots.push(variable) - 1;
      },
    });
    if (!parsed.ok) {
      problems.push({
        name,
        key: spec.kind,
        offset: parsed.error.column - 1,
        message: `computed.${name}.${spec.kind}: ${parsed.error.message} (column ${parsed.error.column})`,
      });
      continue;
    }
    let bad = false;
    for (const source of spec.sources) {
      if (source === name || (!known(source) && !(source in specs))) {
        problems.push({ name, key: 'sources', message: `computed.${name}.sources: ${source} is not a command it can read` });
        bad = true;
      }
    }
    const sources = [...slots, ...spec.sources.filter((s) => !slots.includes(s))];
    if (sources.length === 0) {
      problems.push({
        name,
        key: spec.kind,
        message: `computed.${name}: '${spec.expression}' reads no command, so nothing would update it; name the commands that drive it under sources (e.g. sources: [SPEED])`,
      });
      bad = true;
    }
    if (!bad) compiled.set(name, { name, spec, equation: parsed.equation, sources });
  }
  // A cycle (A reads B, B reads A) would never produce a value: every member is refused.
  const cyclic = new Set<string>();
  const visit = (name: string, path: string[]): void => {
    if (path.includes(name)) {
      for (const member of path.slice(path.indexOf(name))) cyclic.add(member);
      return;
    }
    for (const source of compiled.get(name)?.sources ?? []) if (source in specs) visit(source, [...path, name]);
  };
  for (const name of compiled.keys()) visit(name, []);
  for (const name of cyclic) {
    problems.push({
      name,
      key: compiled.get(name)!.spec.kind,
      message: `computed.${name}: reads itself through other computed commands (${[...cyclic].join(', ')})`,
    });
    compiled.delete(name);
  }
  // One reading a refused entry is refused too (it would never update).
  for (let changed = true; changed;) {
    changed = false;
    for (const [name, def] of compiled) {
      const missing = def.sources.find((s) => s in specs && !compiled.has(s));
      if (missing) {
        problems.push({ name, key: def.spec.kind, message: `computed.${name}: reads ${missing}, which has a problem` });
        compiled.delete(name);
        changed = true;
      }
    }
  }
  const commands = new Map<string, OBDCommand>();
  for (const [name, def] of compiled) commands.set(name, createComputedCommand(def));
  return { commands, problems };
}

/** The running integral (and the time it covers) of an integrate or average command. */
class RunningFigure {
  private integral = 0;
  private seconds = 0;
  private last: { time: number; value: number } | null = null;
  private sampled = false;
  /** The first reading: an average over no time yet is that reading. */
  private first = 0;

  constructor(
    private readonly kind: ComputedKind,
    /** Seconds in the `per` unit: an integral of km/h over seconds is divided by 3600 to give km. */
    private readonly perSeconds: number,
  ) {}

  /** Adds a reading (null: missing, which breaks the chain); returns the figure. */
  sample(value: number | null, time: number): number | null {
    if (value === null) {
      this.last = null;
      return this.value;
    }
    const previous = this.last;
    if (previous && time > previous.time && time - previous.time <= MAX_SAMPLE_GAP_MS) {
      const dt = (time - previous.time) / 1000;
      this.integral += ((previous.value + value) / 2) * dt;
      this.seconds += dt;
    }
    // An older reading (a query answered out of order) is not a step back in time.
    if (!previous || time >= previous.time) this.last = { time, value };
    if (!this.sampled && this.kind === 'average') this.first = value;
    this.sampled = true;
    return this.value;
  }

  /** Starts again (trip reset). */
  reset(): void {
    this.integral = 0;
    this.seconds = 0;
    this.last = null;
    this.sampled = false;
  }

  /** Forgets the previous reading, so no time is counted across a stretch nobody watched. */
  pause(): void {
    this.last = null;
  }

  get value(): number | null {
    if (!this.sampled) return null;
    if (this.kind === 'average') return this.seconds > 0 ? this.integral / this.seconds : this.first;
    return this.integral / this.perSeconds;
  }
}

function figureOf(cmd: OBDCommand, def: ComputedDefinition): RunningFigure {
  let figure = states.get(cmd);
  if (!figure) states.set(cmd, (figure = new RunningFigure(def.spec.kind, SECONDS_PER[def.spec.per])));
  return figure;
}

/** The expression's value for these source readings (in `sources` order); null when one is missing. */
function evaluate(def: ComputedDefinition, readings: readonly OBDResponse[]): number | null {
  const values: number[] = [];
  for (const slot of def.sources.keys()) {
    const value = readings[slot]?.value;
    if (typeof value !== 'number' || !Number.isFinite(value)) return null;
    values.push(value);
  }
  const result = def.equation.evaluate(values);
  return result.ok ? result.value : null;
}

/**
 * The computed command's response to a set of source readings (one per source, in
 * computedSources order). `sample`: a watched round that advances integrals and averages; a
 * one-shot query only reads their running figure.
 */
export function computeResponse(cmd: OBDCommand, readings: readonly OBDResponse[], sample: boolean): OBDResponse {
  const def = definitions.get(cmd);
  const time = readings.length > 0 ? Math.max(...readings.map((r) => r.time)) : Date.now();
  if (!def) return { command: cmd, messages: [], value: null, unit: null, time };
  let value: number | null;
  if (def.spec.kind === 'expr') value = evaluate(def, readings);
  else if (sample) value = figureOf(cmd, def).sample(evaluate(def, readings), time);
  else value = figureOf(cmd, def).value;
  return { command: cmd, messages: [], value, unit: value === null ? null : (def.spec.unit ?? 'dimensionless'), time };
}

/** Whether a computed command keeps a running figure (integrate, average): what a trip reset resets. */
export function isTripFigure(cmd: OBDCommand): boolean {
  const kind = definitions.get(cmd)?.spec.kind;
  return kind === 'integrate' || kind === 'average';
}

/** Starts the running figures of these commands again; returns the names reset. */
export function resetComputed(commands: Iterable<OBDCommand>): string[] {
  const reset: string[] = [];
  for (const cmd of commands) {
    const def = definitions.get(cmd);
    if (!def || !isTripFigure(cmd)) continue;
    figureOf(cmd, def).reset();
    reset.push(cmd.name);
  }
  return reset;
}

/** Called when a computed command starts being watched: no time counts across the unwatched stretch. */
export function resumeComputed(cmd: OBDCommand): void {
  states.get(cmd)?.pause();
}
