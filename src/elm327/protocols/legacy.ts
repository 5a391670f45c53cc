/**
 * Framing of the pre-CAN protocols (SAE J1850 PWM/VPW, ISO 9141-2, ISO 14230-4 KWP) as the
 * ELM327 prints them with headers on: three header bytes (priority/format, target, source),
 * the data, then the checksum byte the adapter has already verified ("48 6B 10 41 0C 1A F8 xx").
 * Reassembly follows python-OBD: DTC answers are concatenated with a count byte forged in
 * (so they look like CAN's), other multi-line answers are ordered by their sequence byte.
 */
import type { Frame } from '../message.js';
import { decodeNibbles, packNibbles } from '../hex.js';
import { concatBytes, type Framing } from './protocol.js';

const nibbles = new Uint8Array(32);

/** Answers are addressed to the tester: 6B (J1850, ISO 9141 functional) or F1 (KWP, physical). */
function looksHeadered(bytes: Uint8Array): boolean {
  if (bytes.length > 7) return true; // longer than any headerless answer line
  return bytes.length >= 2 && (bytes[1] === 0x6b || bytes[1] === 0xf1);
}

function parseFrame(line: string): Frame | null {
  const n = decodeNibbles(line, nibbles);
  if (n <= 0 || n & 1) return null;
  const bytes = packNibbles(nibbles, 0, n >> 1);
  const frame: Frame = {
    raw: line,
    data: bytes,
    priority: null,
    addrMode: null,
    rxId: null,
    txId: null,
    type: null,
    seqIndex: 0,
    dataLen: null,
  };
  if (!looksHeadered(bytes)) return frame; // headers off: the data alone
  // header (3) + service + at least one byte + checksum, and at most 7 data bytes
  if (bytes.length < 6 || bytes.length > 11) return null;
  frame.priority = bytes[0];
  frame.rxId = bytes[1];
  frame.txId = bytes[2];
  frame.data = bytes.subarray(3, bytes.length - 1);
  return frame;
}

function isDtcService(service: number): boolean {
  return service === 0x43 || service === 0x47 || service === 0x4a;
}

function assemble(frames: Frame[]): Uint8Array | null {
  const service = frames[0].data[0];
  for (let i = 1; i < frames.length; i++) if (frames[i].data[0] !== service) return null; // answers to different requests

  if (isDtcService(service)) {
    // Each line is "43 d1 d1 d2 d2 d3 d3": drop the service byte of every line, and put a
    // count byte (0) after the first service byte as CAN answers have one.
    const parts: Uint8Array[] = [Uint8Array.of(service, 0x00)];
    for (const frame of frames) parts.push(frame.data.subarray(1));
    return concatBytes(parts);
  }
  if (frames.length === 1) return frames[0].data.slice();

  // "49 02 01 00 00 00 31", "49 02 02 44 34 47 50", ...: service, PID, sequence byte, data.
  for (const frame of frames) if (frame.data.length < 3) return null;
  const ordered = frames.slice().sort((a, b) => a.data[2] - b.data[2]);
  for (let i = 0; i < ordered.length; i++) if (ordered[i].data[2] !== i + 1) return null; // a line is missing
  const parts: Uint8Array[] = [ordered[0].data.subarray(0, 2), ordered[0].data.subarray(3)];
  for (let i = 1; i < ordered.length; i++) parts.push(ordered[i].data.subarray(3));
  return concatBytes(parts);
}

export const legacyFraming: Framing = { parseFrame, assemble };
