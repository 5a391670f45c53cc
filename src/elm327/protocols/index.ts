/**
 * The ELM327 protocols by their ATSP/ATDPN number, with python-OBD's names and ids.
 */
import { canFraming } from './can.js';
import { legacyFraming } from './legacy.js';
import { FramedProtocol, type Framing, type Protocol, type ProtocolSpec } from './protocol.js';

export { FramedProtocol, unknownProtocol, type Protocol, type Framing } from './protocol.js';

interface Entry extends ProtocolSpec {
  framing: Framing;
}

const can11 = canFraming(11);
const can29 = canFraming(29);
// Engine/transmission sender ids: 7E8/7E9 on 11-bit CAN; elsewhere the source addresses 10
// and 18 (SAE J2178 / ISO 15765-4: 10-17 engine controllers, 18-1F transmission controllers).
// python-OBD knows only the engine there and tags the gearbox UNKNOWN; naming it costs nothing.
const ENTRIES: readonly Entry[] = [
  { id: '1', name: 'SAE J1850 PWM', engineTxId: 0x10, transmissionTxId: 0x18, framing: legacyFraming },
  { id: '2', name: 'SAE J1850 VPW', engineTxId: 0x10, transmissionTxId: 0x18, framing: legacyFraming },
  { id: '3', name: 'ISO 9141-2', engineTxId: 0x10, transmissionTxId: 0x18, framing: legacyFraming },
  { id: '4', name: 'ISO 14230-4 (KWP 5BAUD)', engineTxId: 0x10, transmissionTxId: 0x18, framing: legacyFraming },
  { id: '5', name: 'ISO 14230-4 (KWP FAST)', engineTxId: 0x10, transmissionTxId: 0x18, framing: legacyFraming },
  { id: '6', name: 'ISO 15765-4 (CAN 11/500)', engineTxId: 0x7e8, transmissionTxId: 0x7e9, framing: can11 },
  { id: '7', name: 'ISO 15765-4 (CAN 29/500)', engineTxId: 0x10, transmissionTxId: 0x18, framing: can29 },
  { id: '8', name: 'ISO 15765-4 (CAN 11/250)', engineTxId: 0x7e8, transmissionTxId: 0x7e9, framing: can11 },
  { id: '9', name: 'ISO 15765-4 (CAN 29/250)', engineTxId: 0x10, transmissionTxId: 0x18, framing: can29 },
  // python-OBD reads J1939 answers with the 29-bit ISO-TP framing too.
  { id: 'A', name: 'SAE J1939 (CAN 29/250)', engineTxId: 0x10, transmissionTxId: null, framing: can29 },
];

const BY_ID = new Map(ENTRIES.map((e) => [e.id, e]));

/** The protocol ids, "1".."9", "A". */
export const PROTOCOL_IDS: readonly string[] = ENTRIES.map((e) => e.id);

/** The order python-OBD tries protocols in when the adapter's automatic search is not conclusive. */
export const PROTOCOL_TRY_ORDER: readonly string[] = ['6', '8', '1', '7', '9', '2', '3', '4', '5', 'A'];

export function isProtocolId(id: string): boolean {
  return BY_ID.has(id);
}

/** python-OBD's name for a protocol id, or "" when unknown. */
export function protocolName(id: string): string {
  return BY_ID.get(id)?.name ?? '';
}

/** The protocol `id` with its ECU map learned from the reply lines to the first 0100. */
export function createProtocol(id: string, lines0100: readonly string[]): Protocol {
  const entry = BY_ID.get(id);
  if (!entry) throw new RangeError(`unknown ELM327 protocol "${id}" (use 1..9 or A)`);
  return new FramedProtocol(entry, entry.framing, lines0100);
}
