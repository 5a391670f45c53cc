/**
 * ISO 15765-4 (CAN) framing, 11- and 29-bit identifiers, as the ELM327 prints it with
 * headers on ("7E8 06 41 00 BE 3F A8 13", "18 DA F1 10 03 41 0D 32"): identifier, then the
 * ISO-TP PCI byte(s), then data. Multi-frame answers (first + consecutive frames) are
 * reassembled per sender in arrival order, as a receiver on the bus does: consecutive frames
 * with no first frame before them (the tail of an earlier answer) are dropped, and a first
 * frame starts the answer afresh. With extended addressing (ATCEA) every frame carries the
 * ECU's address byte between the identifier and the PCI. Lines without headers are read when
 * they can be told apart: a single frame's data alone, or the adapter's "014" / "0: ..."
 * segment layout.
 */
import type { Frame } from '../message.js';
import { decodeNibbles, hexDigitValue, packNibbles } from '../hex.js';
import { concatBytes, type Framing } from './protocol.js';

const SINGLE = 0;
const FIRST = 1;
const CONSECUTIVE = 2;

/** python-OBD's made-up address for the tester on 11-bit CAN (mimics the other protocols). */
const TESTER = 0xf1;

/**
 * Longest line we treat as a frame: a 29-bit id and 64 data bytes (CAN FD, which an adapter
 * may print) are 136 digits.
 */
const MAX_FRAME_BYTES = 64;
const nibbles = new Uint8Array(8 + 2 * MAX_FRAME_BYTES);

export function canFraming(idBits: 11 | 29): Framing {
  return {
    parseFrame: (line, options) => {
      if (line.includes(':')) return parseSegment(line);
      const extended = options?.extendedAddress === true ? 1 : 0;
      return idBits === 11 ? parse11(line, extended) : parse29(line, extended);
    },
    assemble,
  };
}

function blankFrame(raw: string): Frame {
  return { raw, data: new Uint8Array(0), priority: null, addrMode: null, rxId: null, txId: null, type: null, seqIndex: 0, dataLen: null };
}

/**
 * `extended` is 1 when frames carry an extended address byte before the PCI (ATCEA): it is
 * skipped, so 8 bytes hold 1 address + PCI + 6 data bytes.
 */
function parse11(line: string, extended: 0 | 1): Frame | null {
  const n = decodeNibbles(line, nibbles);
  if (n < 0) return null;
  if (n === 3) return lengthLine(line);
  if ((n & 1) === 0) return extended ? null : headerless(line, n);
  // A 3-digit identifier, then 2..8 bytes (up to 64 on CAN FD): address byte, PCI, data.
  const byteCount = (n - 3) >> 1;
  if (byteCount < 2 + extended || byteCount > MAX_FRAME_BYTES) return null;
  const id = (nibbles[0] << 8) | (nibbles[1] << 4) | nibbles[2];
  const frame = blankFrame(line);
  frame.priority = nibbles[0] & 0x0f; // python-OBD reads the id as bytes 07 E8
  frame.addrMode = id & 0xf0; // 0xD0 functional, 0xE0 physical
  if (id === 0x7df) {
    frame.rxId = id & 0x0f; // the tester's functional request
    frame.txId = TESTER;
  } else if (id >= 0x7e0 && id <= 0x7e7) {
    frame.rxId = id & 0x07; // the tester's physical request
    frame.txId = TESTER;
  } else {
    // An ECU's answer: 7E8..7EF, or an id its maker chose (7DA, 74F; a BMW ECU answers from 607).
    frame.rxId = TESTER;
    frame.txId = id;
  }
  return readPci(frame, packNibbles(nibbles, 3, byteCount).subarray(extended)) ? frame : null;
}

function parse29(line: string, extended: 0 | 1): Frame | null {
  const n = decodeNibbles(line, nibbles);
  if (n < 0) return null;
  if (n === 3) return lengthLine(line);
  if (n & 1) return null;
  const byteCount = n >> 1;
  if (byteCount >= 6 + extended && byteCount <= 4 + MAX_FRAME_BYTES) {
    // priority (18), format (DA physical / DB functional), target, source
    const bytes = packNibbles(nibbles, 0, byteCount);
    const frame = blankFrame(line);
    frame.priority = bytes[0];
    frame.addrMode = bytes[1];
    frame.rxId = bytes[2];
    frame.txId = bytes[3];
    if (readPci(frame, bytes.subarray(4 + extended))) return frame;
  }
  return extended ? null : headerless(line, n);
}

/** Reads the ISO-TP PCI at the start of `payload` into the frame; false for frames to drop. */
function readPci(frame: Frame, payload: Uint8Array): boolean {
  const pci = payload[0];
  switch (pci & 0xf0) {
    case 0x00: {
      const length = pci & 0x0f;
      if (length === 0 || length > payload.length - 1) return false;
      frame.type = SINGLE;
      frame.dataLen = length;
      frame.data = payload.subarray(1);
      return true;
    }
    case 0x10: {
      if (payload.length < 2) return false;
      const length = ((pci & 0x0f) << 8) | payload[1];
      if (length === 0) return false;
      frame.type = FIRST;
      frame.dataLen = length;
      frame.data = payload.subarray(2);
      return true;
    }
    case 0x20:
      frame.type = CONSECUTIVE;
      frame.seqIndex = pci & 0x0f;
      frame.data = payload.subarray(1);
      return true;
    default:
      return false; // flow control and anything else carry no answer data
  }
}

/** Headers off: a single frame's data with the PCI already removed by the adapter. */
function headerless(line: string, n: number): Frame | null {
  const byteCount = n >> 1;
  if ((n & 1) !== 0 || byteCount < 1 || byteCount > 7) return null;
  const frame = blankFrame(line);
  frame.type = SINGLE;
  frame.dataLen = byteCount;
  frame.data = packNibbles(nibbles, 0, byteCount);
  return frame;
}

/** Headers off, multi-frame: the adapter first prints the total length ("014"). */
function lengthLine(line: string): Frame {
  const frame = blankFrame(line);
  frame.type = FIRST;
  frame.dataLen = (nibbles[0] << 8) | (nibbles[1] << 4) | nibbles[2];
  return frame;
}

/** Headers off, multi-frame: "0: 49 02 01 31 44 34", "1: ...": index, colon, bytes. */
function parseSegment(line: string): Frame | null {
  const colon = line.indexOf(':');
  let index = 0;
  for (let i = 0; i < colon; i++) index = (index << 4) | hexDigitValue(line.charCodeAt(i));
  const n = decodeNibbles(line.slice(colon + 1), nibbles);
  if (n <= 0 || n & 1) return null;
  const frame = blankFrame(line);
  frame.type = CONSECUTIVE;
  frame.seqIndex = index & 0x0f;
  frame.data = packNibbles(nibbles, 0, n >> 1);
  return frame;
}

function isResponsePending(frame: Frame): boolean {
  // 7F <service> 78: "request received, response pending"; the real answer follows.
  return frame.dataLen === 3 && frame.data[0] === 0x7f && frame.data[2] === 0x78;
}

function assemble(frames: Frame[]): Uint8Array | null {
  let data: Uint8Array | null;
  if (frames.length === 1) {
    const frame = frames[0];
    if (frame.type !== SINGLE) return null;
    data = frame.data.slice(0, frame.dataLen!);
  } else {
    data = assembleMany(frames);
  }
  return data && trimDtcList(data);
}

function assembleMany(frames: Frame[]): Uint8Array | null {
  // Headers off, the adapter prints "014" then "0: ..", "1: ..": segments counted from 0.
  if (frames[0].txId === null && frames[0].type === FIRST && frames[0].data.length === 0) return assembleSorted(frames, 0);
  return assembleInArrivalOrder(frames) ?? assembleSorted(frames, 1);
}

/**
 * As a receiver on the bus reads one ECU's frames: a first frame starts an answer, the
 * consecutive frames that follow it in turn complete it. Consecutive frames with no first
 * frame before them (the tail of an earlier answer) are passed over; of several complete
 * answers the last is the one to this request.
 */
function assembleInArrivalOrder(frames: Frame[]): Uint8Array | null {
  let answer: Uint8Array | null = null;
  let pending: { length: number; parts: Uint8Array[]; collected: number; seq: number } | null = null;
  for (const frame of frames) {
    if (frame.type === SINGLE) {
      // "Response pending" (7F xx 78) announces the real answer, which follows.
      if (!isResponsePending(frame)) answer = frame.data.slice(0, frame.dataLen!);
    } else if (frame.type === FIRST) {
      pending = { length: frame.dataLen!, parts: [frame.data], collected: frame.data.length, seq: 1 };
    } else if (frame.type === CONSECUTIVE && pending) {
      if ((frame.seqIndex & 0x0f) !== (pending.seq & 0x0f)) {
        pending = null; // a frame was lost: this answer cannot be completed
        continue;
      }
      frame.seqIndex = pending.seq++; // widened past 0x0F, as python-OBD numbers them
      pending.parts.push(frame.data);
      pending.collected += frame.data.length;
      if (pending.collected >= pending.length) {
        answer = concatBytes(pending.parts, pending.length);
        pending = null;
      }
    }
  }
  return answer;
}

/**
 * python-OBD's reading: exactly one first frame, the consecutive frames sorted by sequence
 * number and counted from `start` (1 after a first frame; 0 for headerless segments). Reads
 * an answer whose lines came out of order.
 */
function assembleSorted(frames: Frame[], start: 0 | 1): Uint8Array | null {
  const firsts = frames.filter((f) => f.type === FIRST);
  const consecutive = frames.filter((f) => f.type === CONSECUTIVE);
  if (firsts.length !== 1 || consecutive.length === 0) return null;
  // Sequence numbers are 4 bits: widen them in arrival order so 0x0F, 0x00 means 15, 16.
  consecutive[0].seqIndex &= 0x0f;
  for (let i = 1; i < consecutive.length; i++) {
    const previous = consecutive[i - 1].seqIndex;
    let seq = (previous & ~0x0f) + (consecutive[i].seqIndex & 0x0f);
    if (seq < previous - 7) seq += 0x10;
    consecutive[i].seqIndex = seq;
  }
  consecutive.sort((a, b) => a.seqIndex - b.seqIndex);
  for (let i = 0; i < consecutive.length; i++) if (consecutive[i].seqIndex !== start + i) return null; // a frame is missing
  const first = firsts[0];
  const parts = [first.data, ...consecutive.map((f) => f.data)];
  const collected = parts.reduce((sum, part) => sum + part.length, 0);
  if (collected < first.dataLen!) return null; // frames at the end are missing
  return concatBytes(parts, first.dataLen!);
}

/**
 * CAN DTC answers (services 03, 07, 0A) carry a count byte: keep just the counted codes, as
 * python-OBD does for 03, so padding never reads as codes.
 */
function trimDtcList(data: Uint8Array): Uint8Array {
  const service = data[0];
  if ((service === 0x43 || service === 0x47 || service === 0x4a) && data.length >= 2) {
    const end = 2 + data[1] * 2;
    if (end < data.length) return data.subarray(0, end);
  }
  return data;
}
