/**
 * Diagnostic trouble codes: the text form of the two raw bytes (SAE J2012 / J1979) and the
 * description of a generic code.
 *
 * Descriptions come from two lists under ./dtc/: python-OBD 0.7.3's own table (its exact words,
 * so clients get what obd-socketio would send) and the other generic SAE J2012 codes (P0, P2,
 * P34, U0, B0, C0) that python-OBD does not list. Manufacturer-specific ranges are absent on
 * purpose: the same number means different things on different makes. The lists are stored in
 * a compact encoded form (./dtc/codec.ts) so importing this module stays cheap.
 */
import { DtcTableReader } from './dtc/codec.js';
import { DTC_TABLE, DTC_WORDS } from './dtc/table.js';

/** First two bits of byte A pick the system letter. */
const SYSTEM_LETTERS = ['P', 'C', 'B', 'U'] as const;

/** A letter, a digit 0-3 (only two bits encode it), three hex digits. */
const DTC_PATTERN = /^[PCBU][0-3][0-9A-F]{3}$/;

const descriptions = new DtcTableReader({ words: DTC_WORDS, table: DTC_TABLE });

/**
 * The description of a 5-character DTC ("P0104" → "Mass or Volume Air Flow Circuit Intermittent").
 * Hex digits may be lower case ("P0a1b" is read as "P0A1B"). Returns '' for an unknown code
 * (a manufacturer-specific one included) and for anything that is not a DTC; never throws.
 */
export function describeDtc(code: string): string {
  if (typeof code !== 'string' || code.length !== 5) return '';
  const normalized = code.toUpperCase();
  if (!DTC_PATTERN.test(normalized)) return '';
  return descriptions.describe(normalized) ?? '';
}

function isByte(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xff;
}

/**
 * The text form of a DTC's two raw bytes (SAE J2012 / J1979): bits 7-6 of A give the letter
 * (P, C, B, U), bits 5-4 the first digit (0-3), the low nibble of A and both nibbles of B the
 * three hex digits, upper case. 0x01 0x04 → "P0104", 0x41 0x23 → "C0123", 0xC1 0x00 → "U0100".
 * Returns '' when either value is not an integer 0-255; never throws. The pair 0x00 0x00 gives
 * "P0000": callers that read DTC lists skip it as padding, as python-OBD does.
 */
export function dtcToText(byteA: number, byteB: number): string {
  if (!isByte(byteA) || !isByte(byteB)) return '';
  const letter = SYSTEM_LETTERS[byteA >> 6];
  const firstDigit = (byteA >> 4) & 0x3;
  const rest = (((byteA & 0x0f) << 8) | byteB).toString(16).toUpperCase().padStart(3, '0');
  return `${letter}${firstDigit}${rest}`;
}
