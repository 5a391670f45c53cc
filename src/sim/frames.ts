/**
 * Turns ECU payloads into the text lines an ELM327 prints, for each bus:
 *
 * - CAN (ISO 15765-4): ISO-TP single frames (PCI = length) or a first frame plus consecutive
 *   frames; ECUs always send 8 data bytes, padded. With headers on, the adapter shows the CAN
 *   id, the PCI byte and all 8 bytes ("7E8 04 41 0C 1A F8 AA AA AA"). With headers off and
 *   CAN auto-formatting on, it shows the payload only; a multi-frame message becomes a byte
 *   count line ("014") and numbered lines ("0: 49 02 01 31 44 34"), padding dropped. With
 *   auto-formatting off, it shows every frame's 8 bytes.
 * - J1850 / ISO 9141-2 / ISO 14230-4: three header bytes, the payload, a check byte (CRC-8 on
 *   J1850, a sum on the others); headers off shows the payload only.
 *
 * Hex lines end with a space after the last byte when spaces are on, as the chip prints them.
 */
import type { EcuAddresses } from './ecu.js';
import { checksum8, crc8J1850, type ProtocolInfo } from './protocols.js';

/** Adapter settings that change how answers look. */
export interface FormatSettings {
  readonly headers: boolean;
  readonly spaces: boolean;
  /** CAN auto formatting (ATCAF). */
  readonly autoFormat: boolean;
  /** Byte ECUs pad CAN frames with; null sends short frames. */
  readonly padding: number | null;
  /** ATCRA filter: hex digits and X wildcards, matched against the printed CAN id; null = all. */
  readonly receiveFilter: string | null;
  /** The tester address ECUs answer to on KWP (third byte of the request header). */
  readonly testerAddress: number;
}

export interface EcuAnswer {
  readonly addresses: EcuAddresses;
  /** Payloads, service byte first: one per message on CAN, one per frame on legacy buses. */
  readonly messages: readonly (readonly number[])[];
}

const hex2 = (b: number): string => b.toString(16).toUpperCase().padStart(2, '0');

function hexLine(bytes: readonly number[], spaces: boolean): string {
  return spaces ? bytes.map((b) => `${hex2(b)} `).join('') : bytes.map(hex2).join('');
}

/** ISO-TP frames of one payload, PCI byte first, padded to 8 bytes when `padding` is set. */
export function isoTpFrames(payload: readonly number[], padding: number | null): number[][] {
  const pad = (frame: number[]): number[] =>
    padding === null ? frame : [...frame, ...new Array<number>(Math.max(0, 8 - frame.length)).fill(padding)];
  if (payload.length <= 7) return [pad([payload.length, ...payload])];
  const frames = [[0x10 | (payload.length >> 8), payload.length & 0xff, ...payload.slice(0, 6)]];
  for (let i = 6, seq = 1; i < payload.length; i += 7, seq++) frames.push(pad([0x20 | (seq & 0x0f), ...payload.slice(i, i + 7)]));
  return frames;
}

/** The printed CAN id of an ECU's answers: "7E8" or "18 DA F1 10". */
function canIdBytes(protocol: ProtocolInfo, addresses: EcuAddresses): { text: (spaces: boolean) => string; compact: string } {
  if (protocol.kind === 'can11') {
    const id = addresses.canId.toString(16).toUpperCase().padStart(3, '0');
    return { text: (spaces) => (spaces ? `${id} ` : id), compact: id };
  }
  const bytes = [0x18, 0xda, 0xf1, addresses.address];
  return { text: (spaces) => hexLine(bytes, spaces), compact: bytes.map(hex2).join('') };
}

function passesFilter(filter: string | null, compactId: string): boolean {
  if (!filter) return true;
  if (filter.length !== compactId.length) return false;
  for (let i = 0; i < filter.length; i++) if (filter[i] !== 'X' && filter[i] !== compactId[i]) return false;
  return true;
}

/** Lines for the CAN answers, in order; ECUs the ATCRA filter hides are left out. */
export function formatCan(protocol: ProtocolInfo, answers: readonly EcuAnswer[], settings: FormatSettings, limit = Infinity): string[] {
  const lines: string[] = [];
  const { spaces } = settings;
  let remaining = limit;
  for (const answer of answers) {
    const id = canIdBytes(protocol, answer.addresses);
    if (!passesFilter(settings.receiveFilter, id.compact)) continue;
    for (const payload of answer.messages) {
      if (remaining <= 0) return lines;
      // The adapter stops after `limit` frames (the "response count" digit of a request).
      const frames = isoTpFrames(payload, settings.padding).slice(0, remaining);
      remaining -= frames.length;
      if (settings.headers) {
        for (const frame of frames) lines.push(id.text(spaces) + hexLine(frame, spaces));
      } else if (!settings.autoFormat) {
        for (const frame of frames) lines.push(hexLine(frame, spaces));
      } else if (payload.length <= 7) {
        lines.push(hexLine(payload, spaces));
      } else {
        lines.push(payload.length.toString(16).toUpperCase().padStart(3, '0'));
        for (let n = 0; n < frames.length; n++) {
          const chunk = n === 0 ? payload.slice(0, 6) : payload.slice(6 + 7 * (n - 1), 6 + 7 * n);
          lines.push(`${(n & 0x0f).toString(16).toUpperCase()}:${spaces ? ' ' : ''}${hexLine(chunk, spaces)}`);
        }
      }
    }
  }
  return lines;
}

/** The three header bytes an ECU puts before its answer on a legacy bus. */
export function legacyHeader(protocol: ProtocolInfo, source: number, payloadLength: number, testerAddress: number): number[] {
  switch (protocol.legacy?.responseHeader) {
    case 'j1850pwm':
      return [0x41, 0x6b, source];
    case 'kwp':
      // Format byte: 10xxxxxx = physical target address follows, low 6 bits = payload length.
      return [0x80 | payloadLength, testerAddress, source];
    default:
      return [0x48, 0x6b, source];
  }
}

/** Lines for the answers on J1850, ISO 9141-2 or ISO 14230-4. */
export function formatLegacy(protocol: ProtocolInfo, answers: readonly EcuAnswer[], settings: FormatSettings, limit = Infinity): string[] {
  const lines: string[] = [];
  for (const answer of answers) {
    for (const payload of answer.messages) {
      if (lines.length >= limit) return lines;
      if (!settings.headers) {
        lines.push(hexLine(payload, settings.spaces));
        continue;
      }
      const frame = [...legacyHeader(protocol, answer.addresses.address, payload.length, settings.testerAddress), ...payload];
      const check = protocol.legacy?.check === 'crc' ? crc8J1850(frame) : checksum8(frame);
      lines.push(hexLine([...frame, check], settings.spaces));
    }
  }
  return lines;
}

/** One J1939 frame: "18 FE EE 00" id (priority 6, PGN, source address) and its 8 data bytes. */
export function formatJ1939(pgn: number, source: number, data: readonly number[], settings: FormatSettings): string {
  const id = [0x18 | ((pgn >> 16) & 0x03), (pgn >> 8) & 0xff, pgn & 0xff, source];
  return settings.headers ? hexLine([...id, ...data], settings.spaces) : hexLine(data, settings.spaces);
}
