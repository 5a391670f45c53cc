/**
 * Recognises the ELM327's own lines (errors, progress notes) among the lines of a reply,
 * before any framing: "NO DATA", "CAN ERROR", "SEARCHING..." and friends are not OBD data.
 */
import { isHexLine, isSegmentLine } from './hex.js';
import { ElmError, type ElmErrorCode } from './errors.js';

/** What one line of a reply is. */
export type LineKind =
  | { kind: 'data' } // hex digits (a frame), or a headerless multi-frame segment ("0: 49 02 ...")
  | { kind: 'text' } // adapter text that is not an error: "OK", "ELM327 v1.5", "12.6V"
  | { kind: 'note' } // progress or alerts to skip: "SEARCHING...", "BUS INIT: ...OK"
  | { kind: 'error'; code: ElmErrorCode };

const DATA: LineKind = { kind: 'data' };
const TEXT: LineKind = { kind: 'text' };
const NOTE: LineKind = { kind: 'note' };
const errorKinds = new Map<ElmErrorCode, LineKind>();
function error(code: ElmErrorCode): LineKind {
  let kind = errorKinds.get(code);
  if (kind === undefined) {
    kind = { kind: 'error', code };
    errorKinds.set(code, kind);
  }
  return kind;
}

/** Exact error replies of the ELM327 datasheet ("Error Messages and Alerts"). */
const EXACT_ERRORS: ReadonlyMap<string, ElmErrorCode> = new Map<string, ElmErrorCode>([
  ['NO DATA', 'NO_DATA'],
  ['CAN ERROR', 'CAN_ERROR'],
  ['BUS ERROR', 'BUS_ERROR'],
  ['FB ERROR', 'BUS_ERROR'],
  ['BUS BUSY', 'BUS_BUSY'],
  ['DATA ERROR', 'DATA_ERROR'],
  ['BUFFER FULL', 'BUFFER_FULL'],
  ['STOPPED', 'STOPPED'],
  ['?', 'UNKNOWN_COMMAND'],
]);

/** Alerts the adapter may print between replies; they carry no answer to the request. */
const NOTES = ['SEARCHING', 'ACT ALERT', '!ACT ALERT', 'LP ALERT', '!LP ALERT', 'LV RESET'];

export function classifyLine(line: string): LineKind {
  if (isHexLine(line)) return DATA; // the hot path: a frame
  const upper = line.toUpperCase();
  const exact = EXACT_ERRORS.get(upper);
  if (exact !== undefined) return error(exact);
  // "<DATA ERROR" / "<RX ERROR" point at a damaged line ("7E8 03 41 0D <DATA ERROR").
  if (upper.includes('<DATA ERROR') || upper.includes('<RX ERROR')) return error('DATA_ERROR');
  // A failed search can share its line with the "SEARCHING..." note.
  if (upper.includes('UNABLE TO CONNECT')) return error('UNABLE_TO_CONNECT');
  // "BUS INIT: ...ERROR" failed; "BUS INIT: ...OK" or a bare "BUS INIT: ..." precedes data.
  if (upper.startsWith('BUS INIT')) return upper.includes('ERROR') ? error('BUS_INIT_ERROR') : NOTE;
  // ERRxx are internal faults; ERR93/ERR94 are the CAN ones (ERR94: fatal, the chip reset itself).
  if (upper.length === 5 && upper.startsWith('ERR') && isHexLine(upper.slice(3))) {
    return error(upper === 'ERR93' || upper === 'ERR94' ? 'CAN_ERROR' : 'BUS_ERROR');
  }
  for (const note of NOTES) if (upper.startsWith(note)) return NOTE;
  if (isSegmentLine(line)) return DATA;
  return TEXT;
}

const DESCRIPTIONS: Record<ElmErrorCode, string> = {
  TIMEOUT: 'the adapter did not answer in time',
  NO_DATA: 'no ECU answered (NO DATA)',
  CAN_ERROR: 'the adapter could not talk on the CAN bus (ignition off, wrong protocol or wiring)',
  BUS_INIT_ERROR: 'the adapter could not initialise the bus (ignition off or wrong protocol)',
  BUS_ERROR: 'the adapter reported a bus error (usually wiring or an unsupported protocol)',
  BUS_BUSY: 'the bus was too busy for the adapter to send (often a wiring problem)',
  DATA_ERROR: 'the vehicle answered, but the answer was damaged; try again',
  BUFFER_FULL: 'the adapter overflowed its buffer (raise the baud rate or request less data)',
  STOPPED: 'the adapter was interrupted before it finished',
  UNABLE_TO_CONNECT: 'the adapter found no OBD-II protocol (is the ignition on?)',
  UNKNOWN_COMMAND: 'the adapter did not understand the command (?)',
  NOT_CONNECTED: 'the adapter is not connected',
  CLOSED: 'the connection was closed',
  LOST: 'the connection to the adapter was lost',
  QUEUE_FULL: 'too many requests are waiting for the adapter',
};

/** An ElmError for an error line of the adapter's reply to `command`. */
export function errorForLine(code: ElmErrorCode, line: string, command: string): ElmError {
  return new ElmError(code, `${command}: ${DESCRIPTIONS[code]} [adapter said "${line}"]`);
}

export function describeCode(code: ElmErrorCode): string {
  return DESCRIPTIONS[code];
}
