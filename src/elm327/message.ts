/**
 * What the ELM327 layer hands up to the OBD layer: frames parsed from the adapter's text
 * lines, assembled into messages (one per answering ECU). Field names follow python-OBD,
 * because the wire encodings of Frame and Message (see encodings) use them.
 */

/** python-OBD's ECU bit masks; a command's `ecu` filter is AND-ed with a message's `ecu`. */
export const ECU = {
  ALL: 0b11111111,
  ALL_KNOWN: 0b11111110,
  UNKNOWN: 0b00000001,
  ENGINE: 0b00000010,
  TRANSMISSION: 0b00000100,
} as const;

export interface Frame {
  /** The adapter's text line this frame came from, e.g. "7E8 06 41 00 BE 3F A8 13". */
  raw: string;
  /** The frame's bytes after the header (PCI byte removed on CAN). */
  data: Uint8Array;
  priority: number | null;
  addrMode: number | null;
  rxId: number | null;
  /** The sender's id (CAN: 0x7E8 for 11-bit, the source address for 29-bit/legacy). */
  txId: number | null;
  /** CAN frame type: 0 single, 1 first, 2 consecutive, 3 flow control; null on legacy. */
  type: number | null;
  seqIndex: number;
  dataLen: number | null;
}

export interface Message {
  frames: Frame[];
  /** Which ECU sent it (ECU.ENGINE, ECU.TRANSMISSION, ECU.UNKNOWN). */
  ecu: number;
  /** The sender's id, as in the frames. */
  txId: number | null;
  /** The reassembled payload: service byte onward (e.g. 41 0C 1A F8 for RPM). */
  data: Uint8Array;
}
