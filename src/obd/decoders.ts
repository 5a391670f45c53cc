/**
 * python-OBD 0.7.3's decoders (obd/decoders.py), rewritten to give the same numbers, the same
 * unit names and the JSON shapes of the wire notes. Each takes the messages that passed the
 * command's ECU filter, with data already padded or cut to the command's length (see decode.ts),
 * and returns null where python-OBD returns None or would raise.
 *
 * Arithmetic keeps python-OBD's order of operations: both languages use IEEE doubles, so the
 * same operations in the same order give the same magnitude to the last bit.
 */
import type { Message } from '../elm327/message.js';
import type { Decoded, Decoder } from './command.js';
import { bytesToHex, bytesToInt, firstData, toBits, twosComp } from './bytes.js';
import { describeDtc, dtcToText } from './dtc-descriptions.js';
import { PY_TYPE } from './python-types.js';
import { AIR_STATUS, FUEL_STATUS, FUEL_TYPES, IGNITION_TYPE, OBD_COMPLIANCE, TEST_IDS } from './tables.js';
import { isKnownUas, scaleUas } from './uas.js';

/** A DTC on the wire: [code, description]. */
export type DtcPair = [code: string, description: string];

/** One mode 06 test result; `unit` is our addition (python-OBD keeps it inside each quantity). */
export interface MonitorTestValue {
  tid: number;
  name: string;
  desc: string;
  value: number | boolean;
  min: number | boolean;
  max: number | boolean;
  unit: string;
}

function quantity(value: number, unit: string): Decoded {
  return { value, unit };
}

/** The data after the service and PID bytes, where nearly every mode 01/02/09 value starts. */
function afterPid(messages: readonly Message[]): Uint8Array | null {
  return firstData(messages, 2);
}

// ---------------------------------------------------------------- generic

/** No value (python-OBD's `drop`): commands whose answer is not decoded, like CLEAR_DTC. */
export const drop: Decoder = () => null;

/** The adapter's text lines, joined by newlines (python-OBD's `raw_string`, used by ELM_VERSION). */
export const rawString: Decoder = (messages) => ({
  value: messages.map((m) => m.frames.map((f) => f.raw).join('\n')).join('\n'),
  unit: PY_TYPE.str,
});

/** A "PIDs supported" bitmap: bit n (most significant first) says whether PID base+n+1 is supported. */
export const pidBitmap: Decoder = (messages) => {
  const d = afterPid(messages);
  return d === null ? null : { value: toBits(d), unit: PY_TYPE.bitArray };
};

const uasDecoders = new Map<number, Decoder>();

/** A value scaled by a J1979 Units-and-Scaling id (python-OBD's `uas(id)`); one decoder per id. */
export function uas(id: number): Decoder {
  let decoder = uasDecoders.get(id);
  if (decoder === undefined) {
    decoder = (messages) => {
      const d = afterPid(messages);
      return d === null ? null : scaleUas(id, d);
    };
    uasDecoders.set(id, decoder);
  }
  return decoder;
}

// ---------------------------------------------------------------- quantities

/** An unsigned count (message counts of mode 09). */
export const count: Decoder = (messages) => {
  const d = afterPid(messages);
  return d === null ? null : quantity(bytesToInt(d), 'count');
};

/** A = 0..255 → 0..100 %. */
export const percent: Decoder = (messages) => {
  const a = afterPid(messages)?.[0];
  return a === undefined ? null : quantity((a * 100.0) / 255.0, 'percent');
};

/** A = 0..255 → -100..99.2 % (fuel trims, EGR error). */
export const percentCentered: Decoder = (messages) => {
  const a = afterPid(messages)?.[0];
  return a === undefined ? null : quantity(((a - 128) * 100.0) / 128.0, 'percent');
};

/** A - 40 °C (python-OBD reads all remaining bytes as one integer). */
export const temp: Decoder = (messages) => {
  const d = afterPid(messages);
  return d === null ? null : quantity(bytesToInt(d) - 40, 'degree_Celsius');
};

/** Wide-range O2 sensor current: (256C + D) / 256 - 128 mA; A and B (the ratio) are ignored. */
export const currentCentered: Decoder = (messages) => {
  const d = afterPid(messages);
  return d === null ? null : quantity(bytesToInt(d.subarray(2, 4)) / 256.0 - 128, 'milliampere');
};

/** Narrow-band O2 sensor voltage: A / 200 V; the trim byte B is ignored. */
export const sensorVoltage: Decoder = (messages) => {
  const a = afterPid(messages)?.[0];
  return a === undefined ? null : quantity(a / 200.0, 'volt');
};

/** Wide-range O2 sensor voltage: (256C + D) * 8 / 65535 V; the ratio bytes A B are ignored. */
export const sensorVoltageBig: Decoder = (messages) => {
  const d = afterPid(messages);
  return d === null ? null : quantity((bytesToInt(d.subarray(2, 4)) * 8.0) / 65535, 'volt');
};

/** Fuel pressure (gauge): 3A kPa. */
export const fuelPressure: Decoder = (messages) => {
  const a = afterPid(messages)?.[0];
  return a === undefined ? null : quantity(a * 3, 'kilopascal');
};

/** A kPa (intake manifold, barometric). */
export const pressure: Decoder = (messages) => {
  const a = afterPid(messages)?.[0];
  return a === undefined ? null : quantity(a, 'kilopascal');
};

/**
 * Evap system vapor pressure, Pa. python-OBD reads both bytes as signed 8-bit numbers before
 * combining them ((256a + b) / 4); J1979 means one signed 16-bit number. We keep python-OBD's
 * result so both gateways report the same value (they differ by 64 Pa when B >= 0x80).
 */
export const evapPressure: Decoder = (messages) => {
  const d = afterPid(messages);
  if (d === null || d.length < 2) return null;
  const a = twosComp(d[0]!, 8)!;
  const b = twosComp(d[1]!, 8)!;
  return quantity((a * 256.0 + b) / 4.0, 'pascal');
};

/** (256A + B) / 200 kPa. */
export const absEvapPressure: Decoder = (messages) => {
  const d = afterPid(messages);
  return d === null ? null : quantity(bytesToInt(d) / 200.0, 'kilopascal');
};

/** 256A + B - 32767 Pa. */
export const evapPressureAlt: Decoder = (messages) => {
  const d = afterPid(messages);
  return d === null ? null : quantity(bytesToInt(d) - 32767, 'pascal');
};

/** (A - 128) / 2 degrees before TDC. */
export const timingAdvance: Decoder = (messages) => {
  const a = afterPid(messages)?.[0];
  return a === undefined ? null : quantity((a - 128) / 2.0, 'degree');
};

/** (256A + B - 26880) / 128 degrees. */
export const injectTiming: Decoder = (messages) => {
  const d = afterPid(messages);
  return d === null ? null : quantity((bytesToInt(d) - 26880) / 128.0, 'degree');
};

/** 10A g/s; the other three bytes are reserved. */
export const maxMaf: Decoder = (messages) => {
  const a = afterPid(messages)?.[0];
  return a === undefined ? null : quantity(a * 10, 'gps');
};

/** (256A + B) * 0.05 L/h; pint prints python-OBD's liters_per_hour as its symbol "lph". */
export const fuelRate: Decoder = (messages) => {
  const d = afterPid(messages);
  return d === null ? null : quantity(bytesToInt(d) * 0.05, 'lph');
};

/** (256A + B) * 100 / 255 %, up to 25700 %. python-OBD multiplies by the quotient, not by 100 then /255. */
export const absoluteLoad: Decoder = (messages) => {
  const d = afterPid(messages);
  return d === null ? null : quantity(bytesToInt(d) * (100.0 / 255.0), 'percent');
};

const FLOAT_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/;

/** The adapter's ATRV answer ("12.3V") in volts; not an OBD message, so it reads the raw line. */
export const elmVoltage: Decoder = (messages) => {
  const raw = messages[0]?.frames[0]?.raw;
  if (raw === undefined) return null;
  const text = raw.toLowerCase().replaceAll('v', '').trim();
  if (!FLOAT_TEXT.test(text)) return null;
  const volts = Number(text);
  return Number.isFinite(volts) ? quantity(volts, 'volt') : null;
};

// ---------------------------------------------------------------- bit fields and tables

/** PID 13: banks 1 and 2, four sensors each; bank 0 does not exist but keeps its empty place. */
export const o2Sensors: Decoder = (messages) => {
  const d = afterPid(messages);
  if (d === null) return null;
  const bits = toBits(d);
  return { value: [[], bits.slice(0, 4), bits.slice(4)], unit: PY_TYPE.tuple };
};

/** PID 1D: banks 1 to 4, two sensors each, after an empty bank 0. */
export const o2SensorsAlt: Decoder = (messages) => {
  const d = afterPid(messages);
  if (d === null) return null;
  const bits = toBits(d);
  return {
    value: [[], bits.slice(0, 2), bits.slice(2, 4), bits.slice(4, 6), bits.slice(6)],
    unit: PY_TYPE.tuple,
  };
};

/** PID 1E: power take-off active (bit 7 of A). */
export const auxInputStatus: Decoder = (messages) => {
  const a = afterPid(messages)?.[0];
  return a === undefined ? null : { value: ((a >> 7) & 1) === 1, unit: PY_TYPE.bool };
};

/** PIDs 01 and 41: MIL, DTC count and ignition type (the per-test readiness bits are left out). */
export const status: Decoder = (messages) => {
  const d = afterPid(messages);
  if (d === null) return null;
  const bits = toBits(d);
  const countBits = bits.slice(1, 8);
  return {
    value: {
      MIL: bits[0] ?? false,
      DTC_COUNT: countBits.length === 0 ? 0 : parseInt(countBits.map((b) => (b ? '1' : '0')).join(''), 2),
      ignition_type: IGNITION_TYPE[bits[12] === true ? 1 : 0],
    },
    unit: PY_TYPE.status,
  };
};

/** The entry of `table` picked by the one set bit of an 8-bit group; '' when not exactly one is set. */
function oneBitEntry(group: readonly boolean[], table: readonly string[]): string {
  if (group.filter(Boolean).length !== 1) return '';
  const position = 7 - group.indexOf(true);
  return position < table.length ? table[position]! : '';
}

/** PID 03: the status of fuel systems 1 and 2 ('' for one not reported); null when neither is. */
export const fuelStatus: Decoder = (messages) => {
  const d = afterPid(messages);
  if (d === null) return null;
  const bits = toBits(d);
  const first = oneBitEntry(bits.slice(0, 8), FUEL_STATUS);
  const second = oneBitEntry(bits.slice(8, 16), FUEL_STATUS);
  if (first === '' && second === '') return null;
  return { value: [first, second], unit: PY_TYPE.tuple };
};

/** PID 12: the secondary air status named by the single set bit. */
export const airStatus: Decoder = (messages) => {
  const d = afterPid(messages);
  if (d === null) return null;
  const bits = toBits(d);
  if (bits.filter(Boolean).length !== 1) return null;
  const index = bits.slice(0, 8).indexOf(true);
  const entry = index < 0 ? undefined : AIR_STATUS[7 - index];
  return entry === undefined ? null : { value: entry, unit: PY_TYPE.str };
};

function tableEntry(table: readonly string[]): Decoder {
  return (messages) => {
    const a = afterPid(messages)?.[0];
    const entry = a === undefined ? undefined : table[a];
    return entry === undefined ? null : { value: entry, unit: PY_TYPE.str };
  };
}

/** PID 1C: the OBD standard the vehicle conforms to. */
export const obdCompliance: Decoder = tableEntry(OBD_COMPLIANCE);

/** PID 51: the fuel type (of the first fuel system only, as python-OBD). */
export const fuelType: Decoder = tableEntry(FUEL_TYPES);

// ---------------------------------------------------------------- trouble codes

function dtcPair(a: number, b: number): DtcPair {
  const code = dtcToText(a, b);
  return [code, describeDtc(code)];
}

/**
 * PID 02 (FREEZE_DTC): the code that stored the freeze frame. Like python-OBD, 00 00 is
 * reported as P0000 here (its padding check never matches in this decoder); only a length
 * other than two bytes gives null.
 */
export const singleDtc: Decoder = (messages) => {
  const d = afterPid(messages);
  if (d === null || d.length !== 2) return null;
  return { value: dtcPair(d[0]!, d[1]!), unit: PY_TYPE.tuple };
};

/**
 * The two-byte codes of one mode 03/07/0A message. On CAN a count byte follows the service
 * byte, and is skipped as python-OBD skips it. Legacy protocols (frames without a CAN type)
 * send none, but python-OBD's parser inserts a 0x00 in its place for mode 03; their codes
 * come three to a frame, so an odd number of bytes after the service byte tells that a count
 * byte (inserted) is there, which reads both legacy layouts alike.
 */
function codeBytes(message: Message): Uint8Array {
  const afterService = message.data.subarray(Math.min(1, message.data.length));
  const legacy = message.frames.length > 0 && message.frames.every((f) => f.type === null);
  const hasCount = legacy ? afterService.length % 2 === 1 : true;
  return hasCount ? afterService.subarray(Math.min(1, afterService.length)) : afterService;
}

/** Modes 03, 07, 0A: every code of every answering ECU, in order; 00 00 padding is skipped. */
export const dtc: Decoder = (messages) => {
  const codes: DtcPair[] = [];
  for (const message of messages) {
    const d = codeBytes(message);
    for (let i = 1; i < d.length; i += 2) {
      if (d[i - 1] === 0 && d[i] === 0) continue;
      codes.push(dtcPair(d[i - 1]!, d[i]!));
    }
  }
  return { value: codes, unit: PY_TYPE.list };
};

// ---------------------------------------------------------------- mode 06

/** One 9-byte test record: MID, TID, UAS id, value, min, max (two bytes each). */
function monitorTest(block: Uint8Array): MonitorTestValue | null {
  const tid = block[1]!;
  const uasId = block[2]!;
  if (!isKnownUas(uasId)) return null;
  const value = scaleUas(uasId, block.subarray(3, 5));
  const min = scaleUas(uasId, block.subarray(5, 7));
  const max = scaleUas(uasId, block.subarray(7, 9));
  if (value === null || min === null || max === null) return null;
  const [name, desc] = TEST_IDS.get(tid) ?? ['Unknown', 'Unknown'];
  return { tid, name, desc, value: value.value, min: min.value, max: max.value, unit: value.unit };
}

/**
 * A mode 06 monitor: its test results in python-OBD's order (the standard TIDs 01-0C by number,
 * then others as they first appear; a repeated TID replaces the earlier result in place).
 * Trailing bytes short of a full record are ignored; no usable record gives an empty list.
 */
export const monitor: Decoder = (messages) => {
  const d = firstData(messages, 1); // keep the MID: it starts every record
  if (d === null) return null;
  const results = new Map<number, MonitorTestValue | null>();
  for (const tid of TEST_IDS.keys()) results.set(tid, null);
  for (let n = 0; n + 9 <= d.length; n += 9) {
    const test = monitorTest(d.subarray(n, n + 9));
    if (test !== null) results.set(test.tid, test);
  }
  const tests = [...results.values()].filter((t): t is MonitorTestValue => t !== null);
  return { value: tests, unit: PY_TYPE.monitor };
};

// ---------------------------------------------------------------- mode 09

const ASCII_WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d, 0x0b, 0x0c]);
const FILLER = new Set([0x00, 0x01, 0x02]);

function stripBoth(d: Uint8Array, strip: ReadonlySet<number>): Uint8Array {
  let start = 0;
  let end = d.length;
  while (start < end && strip.has(d[start]!)) start++;
  while (end > start && strip.has(d[end - 1]!)) end--;
  return d.subarray(start, end);
}

/**
 * The payload of a mode 09 string: whitespace, then the count byte and zero padding (bytes
 * 00-02), stripped from both ends, in python-OBD's order. python-OBD's filler set also holds the
 * characters \ x 0 1 2 (an escaping slip), which cut VINs that begin with 1 or 2 or end in
 * 0, 1 or 2; we strip only the bytes it meant.
 */
function encodedPayload(messages: readonly Message[], minLength: number): Uint8Array | null {
  const d = afterPid(messages);
  if (d === null || d.length < minLength) return null;
  return stripBoth(stripBoth(d, ASCII_WHITESPACE), FILLER);
}

/** VIN, CALIBRATION_ID: the characters as byte numbers (python-OBD returns a bytearray). */
export function encodedString(minLength: number): Decoder {
  return (messages) => {
    const payload = encodedPayload(messages, minLength);
    return payload === null ? null : { value: Array.from(payload), unit: PY_TYPE.bytearray };
  };
}

/** CVN: the checksum as lower-case hex text (python-OBD returns a str here). */
export const cvn: Decoder = (messages) => {
  const payload = encodedPayload(messages, 4);
  return payload === null ? null : { value: bytesToHex(payload), unit: PY_TYPE.str };
};
