/**
 * OBDb-style signal decoding: a value is `len` bits read from bit `bix` of the data after the
 * request's echo (bit 0 is the most significant bit of byte A, so bix 8 / len 8 is byte B),
 * unsigned or two's complement (`signed`), then scaled as raw * mul / div + add and clamped to
 * [min, max]. With `blsb` the bytes holding a field wider than a byte are read in reverse
 * (little-endian), as OBDb's reference decoder does. A scaled value at or past `nullMin` /
 * `nullMax` is no value (null). With a `map`, the raw value is looked up instead and the value
 * is its word.
 */

export interface SignalFormat {
  /** First bit, counted from the most significant bit of the first data byte. */
  readonly bix: number;
  /** Width in bits (1..53: a double holds every integer up to 2^53 exactly). */
  readonly len: number;
  readonly signed: boolean;
  /** Little-endian: the bytes the field spans are reversed before reading (fields over 8 bits). */
  readonly blsb?: boolean;
  readonly mul: number;
  readonly div: number;
  readonly add: number;
  readonly min: number | null;
  readonly max: number | null;
  /** A scaled value at or below / at or above these is "no value" (null); null: no such bound. */
  readonly nullMin?: number | null;
  readonly nullMax?: number | null;
  /** Raw value → word; null: the value is a number. */
  readonly map: ReadonlyMap<number, string> | null;
  /** A raw value the map does not list: its number as text (obdio.yaml), or null (OBDb's rule). */
  readonly unmapped?: 'text' | 'null';
}

/** The largest width whose values all fit a double exactly. */
export const MAX_SIGNAL_BITS = 53;

export type SignalValue = { ok: true; value: number | string | null } | { ok: false; message: string };

/** What is wrong with a format, per key (for error positions); empty when it is usable. */
export function signalFormatProblems(format: SignalFormat): Array<{ key: keyof SignalFormat; message: string }> {
  const problems: Array<{ key: keyof SignalFormat; message: string }> = [];
  if (!Number.isInteger(format.len) || format.len < 1 || format.len > MAX_SIGNAL_BITS) {
    problems.push({ key: 'len', message: `len is a number of bits from 1 to ${MAX_SIGNAL_BITS}, got ${format.len}` });
  }
  if (!Number.isInteger(format.bix) || format.bix < 0)
    problems.push({ key: 'bix', message: `bix is a bit index (0 or more), got ${format.bix}` });
  if (format.div === 0) problems.push({ key: 'div', message: 'div must not be 0' });
  if (format.min !== null && format.max !== null && format.min > format.max) {
    problems.push({ key: 'max', message: `max (${format.max}) is below min (${format.min})` });
  }
  return problems;
}

/** Data bytes a format needs after the echo. */
export function signalBytes(format: SignalFormat): number {
  return Math.ceil((format.bix + format.len) / 8);
}

/**
 * A copy of the data with the bytes a little-endian field spans in reverse order, so reading it
 * most significant bit first gives its value (OBDb's blsb; a field of one byte or less has no
 * byte order).
 */
function littleEndianView(data: ArrayLike<number>, bix: number, len: number): ArrayLike<number> {
  if (len <= 8) return data;
  const first = bix >> 3;
  const end = Math.min(first + Math.ceil(len / 8), data.length);
  const copy = Array.from(data);
  for (let i = first, j = end - 1; i < j; i++, j--) [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  return copy;
}

/** `len` bits from bit `bix` (most significant first), or null when the data is too short. */
export function readBits(data: ArrayLike<number>, bix: number, len: number, signed: boolean, blsb = false): number | null {
  if (bix + len > data.length * 8) return null;
  if (blsb) data = littleEndianView(data, bix, len);
  let value = 0;
  for (let bit = bix; bit < bix + len;) {
    const byte = data[bit >> 3]!;
    const offset = bit & 7;
    // Take as many bits of this byte as the field still needs, in one step.
    const take = Math.min(8 - offset, bix + len - bit);
    const chunk = (byte >> (8 - offset - take)) & ((1 << take) - 1);
    value = value * 2 ** take + chunk;
    bit += take;
  }
  if (signed && value >= 2 ** (len - 1)) value -= 2 ** len;
  return value;
}

/** Decodes one signal from the data after the echo. */
export function decodeSignal(format: SignalFormat, data: ArrayLike<number>): SignalValue {
  const raw = readBits(data, format.bix, format.len, format.signed, format.blsb === true);
  if (raw === null) {
    return {
      ok: false,
      message: `the reply has ${data.length} data byte${data.length === 1 ? '' : 's'}; this signal needs ${signalBytes(format)}`,
    };
  }
  if (format.map) {
    const word = format.map.get(raw);
    if (word !== undefined) return { ok: true, value: word };
    // obdio.yaml: an unlisted raw value still reads as something a person can look up.
    return { ok: true, value: format.unmapped === 'null' ? null : String(raw) };
  }
  let value = (raw * format.mul) / format.div + format.add;
  if ((format.nullMin != null && value <= format.nullMin) || (format.nullMax != null && value >= format.nullMax))
    return { ok: true, value: null };
  if (format.min !== null && value < format.min) value = format.min;
  if (format.max !== null && value > format.max) value = format.max;
  return { ok: true, value: value === 0 ? 0 : value };
}
