/**
 * Vehicle-specific commands (from obdio.yaml's `commands:` or an OBDb signal set) as
 * OBDCommand objects, so everything that handles built-in commands — query, watch, rates,
 * ECU filters, encodings — handles them the same way. Only the decoder differs: it checks the
 * ECU's positive-response echo, then applies an equation or a bit-field format to the bytes
 * after it.
 */
import type { Addressing } from '../../elm327/addressing.js';
import type { Message } from '../../elm327/message.js';
import type { Decoded, Decoder, OBDCommand } from '../command.js';
import { ENGINE_HEADER } from '../commands/define.js';
import { PY_TYPE } from '../python-types.js';
import type { CompiledEquation } from './equation.js';
import { decodeSignal, type SignalFormat } from './fields.js';

/** The unit of a number with no unit given: what pint prints for a dimensionless quantity. */
export const NO_UNIT = 'dimensionless';

export type CustomDecoding =
  | { kind: 'equation'; equation: CompiledEquation }
  | { kind: 'signal'; format: SignalFormat }
  /** No decoder: the value is the data bytes after the echo (python-OBD's raw bytes). */
  | { kind: 'raw' };

export interface CustomCommandDefinition {
  name: string;
  desc: string;
  /** Upper-case hex: service and PID/DID bytes, e.g. "220105". */
  request: string;
  /** Upper-case hex header (ATSH); null: the default header. */
  header: string | null;
  /** The CAN id (3 or 8 hex digits) or address (2) whose answers count; null: any ECU's. */
  receive: string | null;
  /** Expected response length, echo included; 0: as long as the ECU sends. */
  bytes: number;
  decoding: CustomDecoding;
  /** pint unit name; null: "dimensionless" for numbers. */
  unit: string | null;
  ecu: number;
  /** Addressing beyond the header (OBDb's eax, tst, fcm1, tmo, pri); absent or null: plain. */
  addressing?: Addressing | null;
}

const customCommands = new WeakSet<OBDCommand>();
const definitions = new WeakMap<OBDCommand, CustomCommandDefinition>();

/** Whether a command came from the config (or a signal set) rather than python-OBD's tables. */
export function isCustomCommand(cmd: OBDCommand): boolean {
  return customCommands.has(cmd);
}

/** The definition a custom command was made from. */
export function customDefinition(cmd: OBDCommand): CustomCommandDefinition | undefined {
  return definitions.get(cmd);
}

/**
 * The receive id a header implies when the convention is certain: ISO 15765-4 physical ids
 * 7E0-7E7 answer from 7E8-7EF, and 29-bit 18 DA tt ss is answered by 18 DA ss tt. Other
 * ECUs answer from ids their maker chose: those need `receive` (OBDb's `rax`) to be filtered.
 */
export function derivedReceive(header: string | null): string | null {
  if (header === null) return null;
  if (/^7E[0-7]$/.test(header)) return (parseInt(header, 16) + 8).toString(16).toUpperCase();
  const physical29 = /^(18)?DA([0-9A-F]{2})([0-9A-F]{2})$/.exec(header);
  if (physical29) return `18DA${physical29[3]}${physical29[2]}`;
  return null;
}

/** Whether a message came from the expected sender (see Message.txId: an id on 11-bit CAN, an address otherwise). */
function fromSender(receive: string, message: Message): boolean {
  if (message.txId === null) return false;
  const value = parseInt(receive, 16);
  // 18 DA F1 10 is printed and parsed as sender address 10.
  return receive.length === 8 ? message.txId === (value & 0xff) : message.txId === value;
}

function requestBytes(request: string): number[] {
  return (request.match(/../g) ?? []).map((pair) => parseInt(pair, 16));
}

/**
 * A positive response starts with the service + 0x40 and repeats the PID/DID: 62 01 05 for
 * 220105. A negative response (7F 22 31) or another request's answer gives no value.
 */
function echoMatches(data: Uint8Array, request: readonly number[]): boolean {
  if (data.length < request.length || data[0] !== ((request[0]! + 0x40) & 0xff)) return false;
  for (let i = 1; i < request.length; i++) if (data[i] !== request[i]) return false;
  return true;
}

function decoderFor(def: CustomCommandDefinition): Decoder {
  const request = requestBytes(def.request);
  const receive = def.receive;
  const decoding = def.decoding;
  return (messages): Decoded | null => {
    // The first answer from the expected ECU, as python-OBD decodes messages[0].
    const message = receive === null ? messages[0] : messages.find((m) => fromSender(receive, m));
    if (message === undefined || !echoMatches(message.data, request)) return null;
    const data = message.data.subarray(request.length);
    switch (decoding.kind) {
      case 'raw':
        return { value: Array.from(data), unit: PY_TYPE.bytearray };
      case 'equation': {
        const result = decoding.equation.evaluate(data);
        return result.ok ? { value: result.value, unit: def.unit ?? NO_UNIT } : null;
      }
      case 'signal': {
        const result = decodeSignal(decoding.format, data);
        if (!result.ok || result.value === null) return null;
        return typeof result.value === 'string'
          ? { value: result.value, unit: PY_TYPE.str }
          : { value: result.value, unit: def.unit ?? NO_UNIT };
      }
    }
  };
}

/** The OBDCommand of a definition: frozen, recognised by isCustomCommand. */
export function createCustomCommand(def: CustomCommandDefinition): OBDCommand {
  const cmd: OBDCommand = Object.freeze({
    name: def.name,
    desc: def.desc,
    command: def.request,
    bytes: def.bytes,
    decoder: decoderFor(def),
    ecu: def.ecu,
    fast: true,
    header: def.header ?? ENGINE_HEADER,
    addressing: def.addressing ?? null,
  });
  customCommands.add(cmd);
  definitions.set(cmd, def);
  return cmd;
}

/** Text that changes exactly when the command would behave differently (for reloads). */
export function definitionSignature(def: CustomCommandDefinition): string {
  const decoding =
    def.decoding.kind === 'equation'
      ? { kind: 'equation', source: def.decoding.equation.source }
      : def.decoding.kind === 'signal'
        ? { kind: 'signal', ...def.decoding.format, map: def.decoding.format.map ? [...def.decoding.format.map] : null }
        : { kind: 'raw' };
  return JSON.stringify({ ...def, decoding });
}
