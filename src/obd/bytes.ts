/**
 * Byte helpers shared by the decoders. They follow python-OBD's utils (bytes_to_int, twos_comp,
 * BitArray) because the decoders must give the same numbers it gives.
 */
import type { Message } from '../elm327/message.js';

/** Big-endian unsigned integer of any number of bytes; 0 for none (as python-OBD's bytes_to_int). */
export function bytesToInt(bytes: ArrayLike<number>): number {
  let value = 0;
  for (let i = 0; i < bytes.length; i++) value = value * 256 + bytes[i]!;
  return value;
}

/** Two's complement of an unsigned value read from `bits` bits; null for a width of 0. */
export function twosComp(value: number, bits: number): number | null {
  if (bits <= 0) return null;
  const half = 2 ** (bits - 1);
  return value >= half ? value - 2 * half : value;
}

/** The bits of the bytes, most significant first (python-OBD's BitArray as a list). */
export function toBits(bytes: ArrayLike<number>): boolean[] {
  const bits: boolean[] = new Array(bytes.length * 8);
  for (let i = 0; i < bytes.length; i++) {
    for (let b = 0; b < 8; b++) bits[i * 8 + b] = ((bytes[i]! >> (7 - b)) & 1) === 1;
  }
  return bits;
}

/** Lower-case hex text, two digits a byte (python-OBD's bytes_to_hex). */
export function bytesToHex(bytes: ArrayLike<number>): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += bytes[i]!.toString(16).padStart(2, '0');
  return text;
}

/** The first message's data from `offset` on (python-OBD's `messages[0].data[offset:]`); null with no message. */
export function firstData(messages: readonly Message[], offset: number): Uint8Array | null {
  const first = messages[0];
  if (first === undefined) return null;
  return first.data.subarray(Math.min(offset, first.data.length));
}
