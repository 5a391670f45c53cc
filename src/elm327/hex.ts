/**
 * Hex helpers for adapter lines. A char scan instead of regexes: this runs for every line of
 * every reply, so it stays allocation-free until the bytes themselves are built.
 */

/** The value of one hex digit's char code, or -1 when it is not a hex digit. */
export function hexDigitValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 65 && code <= 70) return code - 55; // A-F
  if (code >= 97 && code <= 102) return code - 87; // a-f
  return -1;
}

/**
 * Reads the hex digits of `line` into `nibbles` (one digit per element), skipping spaces.
 * Returns how many digits were read, or -1 when the line holds anything else or more
 * digits than `nibbles` can take.
 */
export function decodeNibbles(line: string, nibbles: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (code === 32) continue;
    const value = hexDigitValue(code);
    if (value < 0 || count === nibbles.length) return -1;
    nibbles[count++] = value;
  }
  return count;
}

/** Packs `byteCount` bytes from nibble pairs starting at nibble `start`. */
export function packNibbles(nibbles: Uint8Array, start: number, byteCount: number): Uint8Array {
  const bytes = new Uint8Array(byteCount);
  for (let i = 0, n = start; i < byteCount; i++, n += 2) bytes[i] = (nibbles[n] << 4) | nibbles[n + 1];
  return bytes;
}

/** True when the line is made of hex digits and spaces only, with at least one digit. */
export function isHexLine(line: string): boolean {
  let digits = 0;
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (code === 32) continue;
    if (hexDigitValue(code) < 0) return false;
    digits++;
  }
  return digits > 0;
}

/**
 * True for "0: 49 02 01 31 44 34": one segment of a multi-frame CAN answer as the adapter
 * prints it with headers off (a segment index, a colon, the bytes).
 */
export function isSegmentLine(line: string): boolean {
  const colon = line.indexOf(':');
  if (colon < 1 || colon > 2) return false;
  return isHexLine(line.slice(0, colon)) && isHexLine(line.slice(colon + 1));
}
