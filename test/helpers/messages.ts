/**
 * Builds Messages as the ELM327 layer hands them to the OBD layer, from hex text, so decoder
 * tests read like adapter captures: canMessage('41 0C 1A F8'), legacyMessage('41 0C 1A F8').
 */
import { ECU, type Frame, type Message } from '../../src/elm327/message.js';

/** Bytes of hex text; spaces are ignored ("41 0C" and "410C" alike). */
export function hexBytes(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error(`bad hex: ${hex}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function spaced(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

function frame(fields: Partial<Frame> & Pick<Frame, 'raw' | 'data'>): Frame {
  return { priority: null, addrMode: null, rxId: null, txId: null, type: null, seqIndex: 0, dataLen: null, ...fields };
}

export interface MessageOptions {
  /** Sender id: 0x7E8 (engine) by default on CAN, 0x10 on legacy. */
  txId?: number;
  /** ECU bit the sender was mapped to: ECU.ENGINE by default. */
  ecu?: number;
}

/**
 * An 11-bit CAN message carrying `dataHex` (service byte onward): one single frame up to 7
 * bytes, else a first frame and consecutive frames (ISO-TP), with raw lines like the ELM's.
 */
export function canMessage(dataHex: string, options: MessageOptions = {}): Message {
  const data = hexBytes(dataHex);
  const txId = options.txId ?? 0x7e8;
  const id = txId.toString(16).toUpperCase();
  const frames: Frame[] = [];
  if (data.length <= 7) {
    frames.push(frame({ raw: `${id} ${spaced([data.length, ...data])}`, data, txId, type: 0, dataLen: data.length }));
  } else {
    const first = data.subarray(0, 6);
    const pci = [0x10 | (data.length >> 8), data.length & 0xff];
    frames.push(frame({ raw: `${id} ${spaced([...pci, ...first])}`, data: first, txId, type: 1, dataLen: data.length }));
    for (let offset = 6, seq = 1; offset < data.length; offset += 7, seq++) {
      const chunk = data.subarray(offset, offset + 7);
      frames.push(frame({ raw: `${id} ${spaced([0x20 | (seq & 0x0f), ...chunk])}`, data: chunk, txId, type: 2, seqIndex: seq }));
    }
  }
  return { frames, ecu: options.ecu ?? ECU.ENGINE, txId, data };
}

/**
 * A legacy (J1850 / ISO 9141 / KWP) message carrying `dataHex`, one frame with a 3-byte header
 * and a checksum on its raw line; Frame.type is null on these protocols.
 */
export function legacyMessage(dataHex: string, options: MessageOptions = {}): Message {
  const data = hexBytes(dataHex);
  const txId = options.txId ?? 0x10;
  const header = [0x48, 0x6b, txId];
  const checksum = [...header, ...data].reduce((sum, b) => (sum + b) & 0xff, 0);
  const frames = [frame({ raw: spaced([...header, ...data, checksum]), data, txId, priority: 0x48, rxId: 0x6b })];
  return { frames, ecu: options.ecu ?? ECU.ENGINE, txId, data };
}

/** An adapter's own text answer ("12.6V", "ELM327 v1.5"): no data bytes, ECU.UNKNOWN, like python-OBD. */
export function elmMessage(text: string): Message {
  return { frames: [frame({ raw: text, data: new Uint8Array(0) })], ecu: ECU.UNKNOWN, txId: null, data: new Uint8Array(0) };
}
