/**
 * Building blocks of the command tables. Commands are frozen data; each table lists its
 * commands with an explicit mode and PID, never by position.
 */
import { ECU } from '../../elm327/message.js';
import type { Decoder, OBDCommand } from '../command.js';

/** python-OBD's ECU_HEADER.ENGINE: the CAN header every command is sent with. */
export const ENGINE_HEADER = '7E0';

export { ECU };

/** Two upper-case hex digits, as python-OBD writes its requests ("010A"). */
export function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

export interface CommandSpec {
  name: string;
  desc: string;
  command: string;
  bytes: number;
  decoder: Decoder;
  ecu: number;
  fast: boolean;
}

export function defineCommand(spec: CommandSpec): OBDCommand {
  return Object.freeze({ ...spec, header: ENGINE_HEADER });
}

const HEX = /^[0-9A-Fa-f]+$/;

/** The service number of an OBD request ("010C" → 1); null for adapter commands ("ATRV"). */
export function commandMode(cmd: OBDCommand): number | null {
  return cmd.command.length >= 2 && HEX.test(cmd.command) ? parseInt(cmd.command.slice(0, 2), 16) : null;
}

/** The PID of an OBD request ("010C" → 12); null when there is none ("03") or it is not hex. */
export function commandPid(cmd: OBDCommand): number | null {
  return cmd.command.length > 2 && HEX.test(cmd.command) ? parseInt(cmd.command.slice(2), 16) : null;
}
