/**
 * The wire JSON of commands, responses, messages and frames, shaped as obd-socketio's encoder
 * sends them (see the wire notes). Values are already JSON-ready when decoded.
 */
import type { Frame, Message } from '../elm327/message.js';
import type { OBDCommand, OBDResponse } from './command.js';
import { toDisplayUnits, type UnitSystem } from './units.js';

export interface EncodedCommand {
  readonly name: string;
  readonly desc: string;
  readonly fast: boolean;
  readonly command: string;
  /** The expected length as text, as the reference sends it ("4"). */
  readonly bytes: string;
  readonly ecu: number;
}

export interface EncodedResponse {
  value: unknown;
  command: EncodedCommand;
  time: number;
  unit: string | null;
}

export interface EncodedFrame {
  rx_id: number | null;
  tx_id: number | null;
  addr_mode: number | null;
  data: number[];
  data_len: number | null;
  priority: number | null;
  raw: string;
  seq_index: number;
  type: number | null;
}

export interface EncodedMessage {
  data: number[];
  ecu: number;
  frames: EncodedFrame[];
}

/** Streaming encodes the same few commands many times a second: build each encoding once. */
const commandCache = new WeakMap<OBDCommand, EncodedCommand>();

export function encodeCommand(cmd: OBDCommand): EncodedCommand {
  let encoded = commandCache.get(cmd);
  if (encoded === undefined) {
    encoded = Object.freeze({
      name: cmd.name,
      desc: cmd.desc,
      fast: cmd.fast,
      command: cmd.command,
      bytes: String(cmd.bytes),
      ecu: cmd.ecu,
    });
    commandCache.set(cmd, encoded);
  }
  return encoded;
}

export interface EncodeOptions {
  /** The config's `units`: imperial converts the value and changes the unit name (default metric: python-OBD's). */
  units?: UnitSystem;
}

export function encodeResponse(r: OBDResponse, options?: EncodeOptions): EncodedResponse {
  const shown = options?.units === 'imperial' ? toDisplayUnits(r, 'imperial') : r;
  return { value: shown.value, command: encodeCommand(r.command), time: r.time, unit: shown.unit };
}

/**
 * python-OBD numbers CAN frame types by their PCI nibble (0x00 single, 0x10 first, 0x20
 * consecutive, 0x30 flow control); our Frame numbers them 0-3.
 */
function pythonFrameType(type: number | null): number | null {
  return type === null ? null : type * 0x10;
}

export function encodeFrame(f: Frame): EncodedFrame {
  return {
    rx_id: f.rxId,
    tx_id: f.txId,
    addr_mode: f.addrMode,
    data: Array.from(f.data),
    data_len: f.dataLen,
    priority: f.priority,
    raw: f.raw,
    seq_index: f.seqIndex,
    type: pythonFrameType(f.type),
  };
}

export function encodeMessage(m: Message): EncodedMessage {
  return { data: Array.from(m.data), ecu: m.ecu, frames: m.frames.map(encodeFrame) };
}
