/**
 * What every ELM327 protocol shares: lines in, one Message per answering ECU out, each tagged
 * with the ECU it came from. The ECU map is learned once from the reply to the first 0100,
 * like python-OBD: a lone answer is the engine; among several, the protocol's engine address,
 * else the ECU that supports the most PIDs.
 */
import { ECU, type Frame, type Message } from '../message.js';
import { isHexLine, isSegmentLine } from '../hex.js';

export interface Protocol {
  /** The ELM327 protocol number: "1".."9" or "A"; "" for the unknown protocol. */
  readonly id: string;
  /** python-OBD's name, e.g. "ISO 15765-4 (CAN 11/500)". */
  readonly name: string;
  /**
   * Parses reply lines (adapter errors already removed) into messages: hex frames grouped per
   * sender and reassembled, ordered by sender id; other text lines become data-less messages
   * (so "ATRV"'s "12.6V" or "ATI"'s version can still be read from frames[0].raw).
   */
  parse(lines: readonly string[], options?: ParseOptions): Message[];
}

/** How the adapter was set up for the request the lines answer. */
export interface ParseOptions {
  /** CAN extended addressing (ATCEA) is on: each frame has the ECU's address byte before the PCI. */
  extendedAddress?: boolean;
}

/** The per-family part: how one line becomes a frame and how one sender's frames join. */
export interface Framing {
  /** A frame from one data line (hex, or a "0: ..." segment), or null to drop the line. */
  parseFrame(line: string, options?: ParseOptions): Frame | null;
  /** The payload of one sender's frames (service byte onward), or null to drop them. */
  assemble(frames: Frame[]): Uint8Array | null;
}

export interface ProtocolSpec {
  id: string;
  name: string;
  /** The sender id python-OBD takes for the engine / transmission on this protocol. */
  engineTxId: number | null;
  transmissionTxId: number | null;
}

const NO_BYTES = new Uint8Array(0);

/** A frame for a line that is not hex data ("OK", "12.6V"); python-OBD keeps those too. */
export function textFrame(raw: string): Frame {
  return { raw, data: NO_BYTES, priority: null, addrMode: null, rxId: null, txId: null, type: null, seqIndex: 0, dataLen: null };
}

function textMessage(line: string): Message {
  return { frames: [textFrame(line)], ecu: ECU.UNKNOWN, txId: null, data: NO_BYTES };
}

export class FramedProtocol implements Protocol {
  readonly id: string;
  readonly name: string;
  private readonly ecuMap = new Map<number | null, number>();

  constructor(
    spec: ProtocolSpec,
    private readonly framing: Framing,
    lines0100: readonly string[],
  ) {
    this.id = spec.id;
    this.name = spec.name;
    if (spec.engineTxId !== null) this.ecuMap.set(spec.engineTxId, ECU.ENGINE);
    if (spec.transmissionTxId !== null) this.ecuMap.set(spec.transmissionTxId, ECU.TRANSMISSION);
    this.learnEcus(spec, this.parse(lines0100));
  }

  /** Sender id → ECU tag, as learned from the first 0100 reply. */
  get ecus(): ReadonlyMap<number | null, number> {
    return this.ecuMap;
  }

  parse(lines: readonly string[], options?: ParseOptions): Message[] {
    // Group frames by sender; almost always a single group, so no sorting work then.
    const groups = new Map<number | null, Frame[]>();
    let texts: Message[] | null = null;
    for (const line of lines) {
      if (isHexLine(line) || isSegmentLine(line)) {
        const frame = this.framing.parseFrame(line, options);
        if (!frame) continue;
        const group = groups.get(frame.txId);
        if (group) group.push(frame);
        else groups.set(frame.txId, [frame]);
      } else {
        (texts ??= []).push(textMessage(line));
      }
    }
    const messages: Message[] = [];
    const senders = groups.size > 1 ? [...groups.keys()].sort(bySenderId) : groups.keys();
    for (const txId of senders) {
      const frames = groups.get(txId)!;
      const data = this.framing.assemble(frames);
      if (!data) continue;
      messages.push({ frames, ecu: this.ecuMap.get(txId) ?? ECU.UNKNOWN, txId, data });
    }
    if (texts) messages.push(...texts);
    return messages;
  }

  private learnEcus(spec: ProtocolSpec, messages: Message[]): void {
    const answers = messages.filter((m) => m.data.length > 0);
    if (answers.length === 0) return;
    if (answers.length === 1) {
      this.ecuMap.set(answers[0].txId, ECU.ENGINE);
      return;
    }
    let foundEngine = false;
    for (const m of answers) {
      if (m.txId === null) continue;
      if (m.txId === spec.engineTxId) {
        this.ecuMap.set(m.txId, ECU.ENGINE);
        foundEngine = true;
      } else if (m.txId === spec.transmissionTxId) {
        this.ecuMap.set(m.txId, ECU.TRANSMISSION);
      }
    }
    if (!foundEngine) {
      // The ECU that supports the most PIDs is most likely the engine.
      let best = 0;
      let engine: number | null = null;
      for (const m of answers) {
        const bits = countSetBits(m.data);
        if (bits > best) {
          best = bits;
          engine = m.txId;
        }
      }
      this.ecuMap.set(engine, ECU.ENGINE);
    }
    for (const m of answers) if (!this.ecuMap.has(m.txId)) this.ecuMap.set(m.txId, ECU.UNKNOWN);
  }
}

/** The protocol before one is known (python-OBD's UnknownProtocol): every line is kept as text. */
export const unknownProtocol: Protocol = {
  id: '',
  name: '',
  parse: (lines) => lines.map(textMessage),
};

function bySenderId(a: number | null, b: number | null): number {
  return (a ?? -1) - (b ?? -1);
}

function countSetBits(bytes: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < bytes.length; i++) {
    let b = bytes[i];
    while (b) {
      count += b & 1;
      b >>= 1;
    }
  }
  return count;
}

/** Concatenates byte arrays. */
export function concatBytes(parts: Uint8Array[], totalHint?: number): Uint8Array {
  let total = totalHint ?? 0;
  if (totalHint === undefined) for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    const n = Math.min(p.length, total - offset);
    out.set(n === p.length ? p : p.subarray(0, n), offset);
    offset += n;
    if (offset === total) break;
  }
  return out.subarray(0, offset);
}
