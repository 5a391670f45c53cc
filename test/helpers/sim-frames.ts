/**
 * Reassembles adapter lines (headers on, spaces on) into per-ECU payloads, following ISO
 * 15765-2 for CAN and the J1850 / ISO 9141 / KWP frame layout for the others — written from
 * the standards, independently of the simulator's framing code.
 */

export interface CanMessage {
  /** "7E8" or "18DAF110". */
  id: string;
  payload: number[];
  frames: number;
}

/** CAN lines "7E8 06 41 00 .." or "18 DA F1 10 06 41 00 ..": one message per ECU (single or multi frame). */
export function reassembleCan(lines: readonly string[], idBytes: 1 | 4 = 1): CanMessage[] {
  const partial = new Map<string, { length: number; payload: number[]; frames: number; next: number }>();
  const done: CanMessage[] = [];
  for (const line of lines) {
    const parts = line.trim().split(/\s+/);
    const id = idBytes === 1 ? parts[0] : parts.slice(0, 4).join('');
    const data = parts.slice(idBytes).map((h) => parseInt(h, 16));
    const type = data[0] >> 4;
    if (type === 0) {
      done.push({ id, payload: data.slice(1, 1 + (data[0] & 0x0f)), frames: 1 });
    } else if (type === 1) {
      partial.set(id, { length: ((data[0] & 0x0f) << 8) | data[1], payload: data.slice(2), frames: 1, next: 1 });
    } else if (type === 2) {
      const message = partial.get(id);
      if (!message) throw new Error(`consecutive frame without first frame: ${line}`);
      if ((data[0] & 0x0f) !== message.next) throw new Error(`sequence ${data[0] & 0x0f} where ${message.next} was due: ${line}`);
      message.next = (message.next + 1) & 0x0f;
      message.frames += 1;
      message.payload.push(...data.slice(1));
      if (message.payload.length >= message.length) {
        done.push({ id, payload: message.payload.slice(0, message.length), frames: message.frames });
        partial.delete(id);
      }
    } else throw new Error(`unexpected PCI in ${line}`);
  }
  if (partial.size > 0) throw new Error(`incomplete multi-frame message from ${[...partial.keys()].join(', ')}`);
  return done;
}

export interface LegacyFrame {
  header: number[];
  data: number[];
  check: number;
}

/** Legacy lines "48 6B 10 41 0C 1A F8 CS": three header bytes, data, check byte. */
export function legacyFrames(lines: readonly string[]): LegacyFrame[] {
  return lines.map((line) => {
    const bytes = line
      .trim()
      .split(/\s+/)
      .map((h) => parseInt(h, 16));
    return { header: bytes.slice(0, 3), data: bytes.slice(3, -1), check: bytes[bytes.length - 1] };
  });
}

/** PIDs set in a J1979 support bitmap answering PID `base`: bit 7 of the first byte is base+1. */
export function bitmapPids(base: number, bytes: readonly number[]): number[] {
  const pids: number[] = [];
  for (let i = 0; i < 32; i++) if (bytes[i >> 3] & (0x80 >> (i & 7))) pids.push(base + i + 1);
  return pids;
}
