/**
 * The OBD protocols an ELM327 v1.5 knows, by its protocol number, with the names ATDP prints
 * and what the simulator needs to frame answers on each bus.
 */

export type BusKind = 'can11' | 'can29' | 'legacy' | 'j1939';

export interface ProtocolInfo {
  /** ELM327 protocol number: "1".."9", "A".."C". */
  readonly id: string;
  /** What ATDP prints. */
  readonly name: string;
  readonly kind: BusKind;
  /** CAN bit rate, to tell "wrong speed" (CAN ERROR) from "wrong id size" (NO DATA). */
  readonly canKbps?: number;
  /** Legacy buses: first two header bytes of an ECU's answer and the check byte algorithm. */
  readonly legacy?: { readonly responseHeader: 'j1850pwm' | 'j1850vpw' | 'iso9141' | 'kwp'; readonly check: 'crc' | 'sum' };
  /** Header the adapter sends requests with until ATSH changes it. */
  readonly defaultHeader: string;
}

export const PROTOCOLS: ReadonlyMap<string, ProtocolInfo> = new Map(
  (
    [
      { id: '1', name: 'SAE J1850 PWM', kind: 'legacy', legacy: { responseHeader: 'j1850pwm', check: 'crc' }, defaultHeader: '616AF1' },
      { id: '2', name: 'SAE J1850 VPW', kind: 'legacy', legacy: { responseHeader: 'j1850vpw', check: 'crc' }, defaultHeader: '686AF1' },
      { id: '3', name: 'ISO 9141-2', kind: 'legacy', legacy: { responseHeader: 'iso9141', check: 'sum' }, defaultHeader: '686AF1' },
      {
        id: '4',
        name: 'ISO 14230-4 (KWP 5BAUD)',
        kind: 'legacy',
        legacy: { responseHeader: 'kwp', check: 'sum' },
        defaultHeader: 'C133F1',
      },
      { id: '5', name: 'ISO 14230-4 (KWP FAST)', kind: 'legacy', legacy: { responseHeader: 'kwp', check: 'sum' }, defaultHeader: 'C133F1' },
      { id: '6', name: 'ISO 15765-4 (CAN 11/500)', kind: 'can11', canKbps: 500, defaultHeader: '7DF' },
      { id: '7', name: 'ISO 15765-4 (CAN 29/500)', kind: 'can29', canKbps: 500, defaultHeader: 'DB33F1' },
      { id: '8', name: 'ISO 15765-4 (CAN 11/250)', kind: 'can11', canKbps: 250, defaultHeader: '7DF' },
      { id: '9', name: 'ISO 15765-4 (CAN 29/250)', kind: 'can29', canKbps: 250, defaultHeader: 'DB33F1' },
      { id: 'A', name: 'SAE J1939 (CAN 29/250)', kind: 'j1939', canKbps: 250, defaultHeader: '18EAFF' },
      { id: 'B', name: 'USER1 (CAN 11/125)', kind: 'can11', canKbps: 125, defaultHeader: '7DF' },
      { id: 'C', name: 'USER2 (CAN 11/50)', kind: 'can11', canKbps: 50, defaultHeader: '7DF' },
    ] satisfies ProtocolInfo[]
  ).map((p) => [p.id, p]),
);

/** Protocols a simulated car may speak (the user-defined B and C are adapter settings only). */
export const VEHICLE_PROTOCOLS: readonly string[] = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'A'];

/** Protocols an automatic search tries; J1939 is not among them on an ELM327. */
export const SEARCH_ORDER: readonly string[] = ['6', '8', '1', '7', '9', '2', '3', '4', '5'];

export function protocolInfo(id: string): ProtocolInfo | undefined {
  return PROTOCOLS.get(id.toUpperCase());
}

/** Sum of the bytes, modulo 256: the check byte of ISO 9141-2 and ISO 14230-4. */
export function checksum8(bytes: readonly number[]): number {
  return bytes.reduce((sum, b) => (sum + b) & 0xff, 0);
}

/** SAE J1850 CRC-8: polynomial 0x1D, initial value 0xFF, result inverted. */
export function crc8J1850(bytes: readonly number[]): number {
  let crc = 0xff;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x1d) & 0xff : (crc << 1) & 0xff;
  }
  return crc ^ 0xff;
}
