import { pino, type DestinationStream, type Logger } from 'pino';

export type LogFormat = 'pretty' | 'json';

export interface LoggerOptions {
  /**
   * Secret values (auth token, MQTT password) as the running config has them: every occurrence
   * in any output line is replaced, whatever field or message it hides in. Values shorter than
   * 4 characters are left alone (they would mangle ordinary words).
   */
  secrets?: () => Iterable<string | null | undefined>;
  /** Where lines go (default stdout). */
  output?: { write(text: string): unknown };
  /** Colours in the pretty format (default: when stdout is a terminal). */
  colors?: boolean;
}

/** Keys that hold secrets wherever they appear in a logged object. */
const REDACT_PATHS = ['token', '*.token', 'auth.token', 'server.auth.token', 'password', '*.password', 'mqtt.password'];
const CENSOR = '[redacted]';

/**
 * The gateway's logger: one readable line per event for a person at a terminal
 * (`12:00:01.234 INFO  adapter ready on /dev/ttyUSB0: ...`), or JSON lines for machines
 * (`--log-format json`). Both write synchronously, so the last lines before an exit are never lost.
 * Each part of the gateway logs through a child with a `component` field (componentLogger).
 */
export function createLogger(format: LogFormat = 'pretty', level = 'info', options: LoggerOptions = {}): Logger {
  const output = options.output ?? process.stdout;
  const colors = options.colors ?? process.stdout.isTTY === true;
  const verbose = level === 'debug' || level === 'trace';
  const scrub = secretScrubber(options.secrets);
  const destination: DestinationStream = {
    write(line: string): void {
      if (format === 'json') {
        output.write(scrub(line));
        return;
      }
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        output.write(scrub(line));
        return;
      }
      output.write(scrub(formatRecord(record, { colors, verbose })) + '\n');
    },
  };
  return pino({ level, redact: { paths: REDACT_PATHS, censor: CENSOR } }, destination);
}

/** The logger of one part of the gateway: its records carry `component` (adapter, mqtt, record, ...). */
export function componentLogger(logger: Logger, component: string): Logger {
  return logger.child({ component });
}

/** A logger that drops everything: for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

function secretScrubber(secrets: LoggerOptions['secrets']): (text: string) => string {
  if (!secrets) return (text) => text;
  return (text) => {
    let result = text;
    for (const secret of secrets()) {
      if (typeof secret !== 'string' || secret.length < 4) continue;
      // In JSON output the secret may appear escaped ("a\"b"); replace both spellings.
      for (const spelling of new Set([secret, JSON.stringify(secret).slice(1, -1)])) {
        if (result.includes(spelling)) result = result.split(spelling).join(CENSOR);
      }
    }
    return result;
  };
}

const LEVELS: Record<number, { label: string; color: string }> = {
  10: { label: 'TRACE', color: '\x1b[90m' },
  20: { label: 'DEBUG', color: '\x1b[36m' },
  30: { label: 'INFO ', color: '\x1b[32m' },
  40: { label: 'WARN ', color: '\x1b[33m' },
  50: { label: 'ERROR', color: '\x1b[31m' },
  60: { label: 'FATAL', color: '\x1b[35m' },
};
const RESET = '\x1b[0m';
const DIM = '\x1b[2m';
/** Keys every record has, or that the line shows in its own way. */
const NOT_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'err', 'v', 'component']);

/**
 * One log record as one line: time, level, component (unless the message starts with it:
 * "mqtt: connected", but "adapter ready"), message, then the record's other fields as
 * key=value (those the message already says are left out). An error adds its message; its
 * stack only at debug level, where someone is hunting a bug.
 */
export function formatRecord(record: Record<string, unknown>, options: { colors?: boolean; verbose?: boolean } = {}): string {
  const level = LEVELS[Number(record.level)] ?? { label: String(record.level).toUpperCase().padEnd(5), color: '' };
  const time = typeof record.time === 'number' ? clock(new Date(record.time)) : '';
  const message = typeof record.msg === 'string' ? record.msg : '';
  const component = typeof record.component === 'string' ? record.component : '';
  let line = component && !message.startsWith(component) ? `${component}: ${message}` : message;

  const err = record.err as { message?: unknown; stack?: unknown } | undefined;
  const errMessage = typeof err?.message === 'string' ? err.message : null;
  if (errMessage && !message.includes(errMessage)) line += line ? ` (${errMessage})` : errMessage;

  const fields: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (NOT_FIELDS.has(key) || value === undefined || value === null) continue;
    const text = fieldText(value);
    if (text === '' || saysAlready(message, text)) continue;
    fields.push(`${key}=${/[\s=]/.test(text) ? JSON.stringify(text) : text}`);
  }
  if (fields.length > 0) line += options.colors ? ` ${DIM}${fields.join(' ')}${RESET}` : ` ${fields.join(' ')}`;
  if (options.verbose && typeof err?.stack === 'string') line += '\n    ' + err.stack.split('\n').slice(1).join('\n    ').trim();

  const label = options.colors ? `${level.color}${level.label}${RESET}` : level.label;
  return `${time} ${label} ${line}`;
}

/**
 * Whether the message already shows a field's value: anywhere for longer values, as a word of
 * its own for short ones (a count of 94 is said by "94 supported commands", not by "1994").
 */
function saysAlready(message: string, text: string): boolean {
  if (text.length >= 3) return message.includes(text);
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\w.])${escaped}($|[^\\w.])`).test(message);
}

function fieldText(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v))) {
    return value.join(',');
  }
  const json = JSON.stringify(value) ?? '';
  return json.length > 120 ? `${json.slice(0, 117)}...` : json;
}

function clock(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}
