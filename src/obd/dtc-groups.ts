/**
 * Trouble codes per ECU. python-OBD's GET_DTC merges every ECU's codes into one list; a repair
 * needs to know which module holds which code, so these read the same answers message by
 * message (one message per answering ECU), and the freeze frame with its frame number.
 */
import { ECU, type Message } from '../elm327/message.js';
import type { OBDCommand, OBDResponse } from './command.js';
import { defineCommand } from './commands/define.js';
import { decodeMessages } from './decode.js';
import type { DtcPair } from './decoders.js';
import { describeDtc, dtcToText } from './dtc-descriptions.js';
import { PY_TYPE } from './python-types.js';

export type EcuName = 'ENGINE' | 'TRANSMISSION' | 'UNKNOWN';

export interface EcuDtcs {
  ecu: EcuName;
  /** The sender's id as hex text: "7E8" on 11-bit CAN, the source address ("10") elsewhere. */
  tx_id: string;
  codes: DtcPair[];
}

export interface EcuFreezeFrame {
  ecu: EcuName;
  tx_id: string;
  /** The freeze frame number (J1979 frame 00 is the one every ECU keeps). */
  frame: number;
  /** The code that stored the frame. */
  dtc: DtcPair;
}

/** The ECU tag python-OBD gives a message, by name. */
export function ecuName(mask: number): EcuName {
  if (mask === ECU.ENGINE) return 'ENGINE';
  if (mask === ECU.TRANSMISSION) return 'TRANSMISSION';
  return 'UNKNOWN';
}

/** 0x7E8 → "7E8", 0x10 → "10"; "" when the adapter showed no header. */
export function txIdText(txId: number | null): string {
  if (txId === null) return '';
  return txId
    .toString(16)
    .toUpperCase()
    .padStart(txId > 0xff ? 3 : 2, '0');
}

/** One entry per ECU that answered a mode 03 / 07 / 0A request, in the order they answered. */
export function groupDtcsByEcu(response: OBDResponse): EcuDtcs[] {
  const groups: EcuDtcs[] = [];
  for (const message of response.messages) {
    if (message.data.length === 0) continue; // adapter text, not an ECU
    const decoded = decodeMessages(response.command, [message]);
    const codes = Array.isArray(decoded?.value) ? (decoded.value as DtcPair[]) : [];
    groups.push({ ecu: ecuName(message.ecu), tx_id: txIdText(message.txId), codes });
  }
  return groups;
}

/**
 * Service 02, PID 02 of freeze frame 00: the code that stored the frame. J1979 puts the frame
 * number in the request and the answer; python-OBD's DTC_* commands leave it out.
 */
export const FREEZE_FRAME_DTC: OBDCommand = defineCommand({
  name: 'FREEZE_FRAME_DTC',
  desc: 'DTC that stored freeze frame 00',
  command: '020200',
  bytes: 0,
  decoder: (messages) => {
    const frames = messages.map(freezeFrameOf).filter((f) => f !== null);
    return frames.length > 0 ? { value: frames, unit: PY_TYPE.list } : null;
  },
  ecu: ECU.ALL,
  fast: false,
});

/** The freeze frame an ECU's answer to "020200" names, or null (no frame stored: code 0000). */
function freezeFrameOf(message: Message): { frame: number; dtc: DtcPair } | null {
  const d = message.data;
  if (d.length < 4 || d[0] !== 0x42 || d[1] !== 0x02) return null;
  // "42 02 00 01 04" names the frame; an ECU that leaves it out sends "42 02 01 04".
  const [frame, a, b] = d.length >= 5 ? [d[2]!, d[3]!, d[4]!] : [0, d[2]!, d[3]!];
  if (a === 0 && b === 0) return null;
  const code = dtcToText(a, b);
  return { frame, dtc: [code, describeDtc(code)] };
}

/** Every ECU's stored freeze frame from the answer to FREEZE_FRAME_DTC. */
export function freezeFramesByEcu(response: OBDResponse): EcuFreezeFrame[] {
  const frames: EcuFreezeFrame[] = [];
  for (const message of response.messages) {
    const frame = freezeFrameOf(message);
    if (frame) frames.push({ ecu: ecuName(message.ecu), tx_id: txIdText(message.txId), ...frame });
  }
  return frames;
}
