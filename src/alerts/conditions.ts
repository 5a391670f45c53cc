/**
 * What raises and clears each alert, compiled once from its rule. `when` and `clear` are
 * expressions over command values, parsed by the equations' own parser (ABRP's dialect, which
 * has comparisons and && || !) with command names as its inputs: nothing is ever eval'd.
 */
import type { AlertRuleSpec, AlertsSpec } from '../config/spec.js';
import type { PathSegment } from '../config/errors.js';
import { parseEquation, type CompiledEquation } from '../obd/custom/equation.js';
import type { AdapterState } from '../link/adapter-manager.js';

/** What the alerts know of the car at one moment. */
export interface Readings {
  /** A command's latest value in display units; null when it has none (yet). */
  value(command: string): number | null;
  /** The stored trouble codes, or null before the first read. */
  dtcs: readonly string[] | null;
  /** The adapter's session (the link layer's states). */
  adapter: AdapterState;
  /** The battery voltage: ELM_VOLTAGE when watched, else the adapter's own reading (ATRV); null: unknown. */
  voltage: number | null;
}

/** One look at a condition: whether it says raise, whether it says clear (null: cannot tell yet), and the value shown with the alert. */
export interface Verdict {
  raise: boolean | null;
  clear: boolean | null;
  value: unknown;
}

export interface Condition {
  /** Commands whose new values may change the verdict. */
  readonly commands: readonly string[];
  /** Judged on every periodic check too (what it reads does not come with values). */
  readonly polled: boolean;
  judge(readings: Readings): Verdict;
}

/** A `when`/`clear` text compiled, with the commands it reads in input order. */
interface Expression {
  equation: CompiledEquation;
  commands: string[];
}

/** Compiles an expression; a syntax error says where (0-based offset into the text). */
export function compileExpression(text: string): { ok: true; expression: Expression } | { ok: false; message: string; offset: number } {
  const commands: string[] = [];
  const parsed = parseEquation(text, {
    dialect: 'abrp',
    // Every name is a command (an unknown one is reported by alertProblems), never a byte.
    variable: (name) => {
      const index = commands.indexOf(name);
      if (index !== -1) return index;
      commands.push(name);
      return commands.length - 1;
    },
  });
  if (!parsed.ok) return { ok: false, message: parsed.error.message, offset: parsed.error.column - 1 };
  return { ok: true, expression: { equation: parsed.equation, commands } };
}

/** True / false, or null while a command it reads has no value. */
function truthOf(expression: Expression, readings: Readings): boolean | null {
  const result = expression.equation.evaluate(expression.commands.map((name) => readings.value(name) ?? Number.NaN));
  return result.ok ? result.value !== 0 : null;
}

function expression(text: string): Expression {
  const compiled = compileExpression(text);
  // The config was checked at load (alertProblems), so this is a bug.
  if (!compiled.ok) throw new Error(`alert expression '${text}': ${compiled.message}`);
  return compiled.expression;
}

/** The condition of a checked rule. */
export function compileCondition(rule: AlertRuleSpec): Condition {
  if (rule.when !== null) {
    const when = expression(rule.when);
    const clear = rule.clear === null ? null : expression(rule.clear);
    const commands = [...new Set([...when.commands, ...(clear?.commands ?? [])])];
    return {
      commands,
      polled: false,
      judge(readings) {
        const raise = truthOf(when, readings);
        const cleared = clear ? truthOf(clear, readings) : raise === null ? null : !raise;
        // One value shown: the first command's (COOLANT_TEMP in COOLANT_TEMP > 105).
        return { raise, clear: cleared, value: readings.value(when.commands[0] ?? '') };
      },
    };
  }
  if (rule.battery !== null) {
    const { below, clear_above } = rule.battery;
    return {
      commands: ['ELM_VOLTAGE'],
      polled: true,
      judge(readings) {
        const volts = readings.voltage;
        return volts === null
          ? { raise: null, clear: null, value: null }
          : { raise: volts < below, clear: volts >= clear_above, value: volts };
      },
    };
  }
  if (rule.dtc !== null) {
    const wanted = rule.dtc;
    return {
      commands: [],
      polled: true,
      judge(readings) {
        if (readings.dtcs === null) return { raise: null, clear: null, value: null };
        const found = wanted === 'any' ? [...readings.dtcs] : readings.dtcs.filter((code) => wanted.includes(code));
        return { raise: found.length > 0, clear: found.length === 0, value: found };
      },
    };
  }
  // Lost: the session dropped (lost) or cannot be (re)opened (retrying); not while first connecting or after a client's close.
  return {
    commands: [],
    polled: true,
    judge: ({ adapter }) => ({ raise: adapter === 'lost' || adapter === 'retrying', clear: adapter === 'connected', value: adapter }),
  };
}

export interface AlertProblem {
  path: PathSegment[];
  message: string;
  /** Characters into the expression. */
  offset?: number;
}

/** Load-time checks that need the command table: expressions parse, and read known commands. */
export function alertProblems(alerts: AlertsSpec | null, knownCommand: (name: string) => boolean): AlertProblem[] {
  const problems: AlertProblem[] = [];
  for (const [name, rule] of Object.entries(alerts?.rules ?? {})) {
    for (const key of ['when', 'clear'] as const) {
      const text = rule[key];
      if (text === null) continue;
      const path = ['alerts', 'rules', name, key];
      const compiled = compileExpression(text);
      if (!compiled.ok) {
        problems.push({ path, message: `alerts.rules.${name}.${key}: ${compiled.message}`, offset: compiled.offset });
        continue;
      }
      for (const command of compiled.expression.commands) {
        if (!knownCommand(command))
          problems.push({ path, message: `alerts.rules.${name}.${key}: unknown command '${command}'`, offset: text.indexOf(command) });
      }
    }
  }
  return problems;
}
