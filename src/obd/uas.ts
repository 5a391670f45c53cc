/**
 * SAE J1979 "Units and Scaling" identifiers, as python-OBD 0.7.3 defines them
 * (obd/UnitsAndScaling.py). Mode 06 test results name one of these per value, and several
 * mode 01 PIDs reuse them. Units are the text pint prints for python-OBD's unit objects.
 */
import { bytesToInt, twosComp } from './bytes.js';
import { PY_TYPE } from './python-types.js';

export interface Scaled {
  value: number | boolean;
  unit: string;
}

interface Scaling {
  signed: boolean;
  scale: number;
  unit: string;
  offset: number;
}

/** Id 0x2E is not a number: python-OBD maps it to "any byte non-zero". */
const BOOLEAN_ID = 0x2e;

function s(signed: boolean, scale: number, unit: string, offset = 0): Scaling {
  return { signed, scale, unit, offset };
}

const SCALINGS: ReadonlyMap<number, Scaling> = new Map<number, Scaling>([
  // unsigned
  [0x01, s(false, 1, 'count')],
  [0x02, s(false, 0.1, 'count')],
  [0x03, s(false, 0.01, 'count')],
  [0x04, s(false, 0.001, 'count')],
  [0x05, s(false, 0.0000305, 'count')],
  [0x06, s(false, 0.000305, 'count')],
  [0x07, s(false, 0.25, 'revolutions_per_minute')],
  [0x08, s(false, 0.01, 'kilometer_per_hour')],
  [0x09, s(false, 1, 'kilometer_per_hour')],
  [0x0a, s(false, 0.122, 'millivolt')],
  [0x0b, s(false, 0.001, 'volt')],
  [0x0c, s(false, 0.01, 'volt')],
  [0x0d, s(false, 0.00390625, 'milliampere')],
  [0x0e, s(false, 0.001, 'ampere')],
  [0x0f, s(false, 0.01, 'ampere')],
  [0x10, s(false, 1, 'millisecond')],
  [0x11, s(false, 100, 'millisecond')],
  [0x12, s(false, 1, 'second')],
  [0x13, s(false, 1, 'milliohm')],
  [0x14, s(false, 1, 'ohm')],
  [0x15, s(false, 1, 'kiloohm')],
  [0x16, s(false, 0.1, 'degree_Celsius', -40.0)],
  [0x17, s(false, 0.01, 'kilopascal')],
  [0x18, s(false, 0.0117, 'kilopascal')],
  [0x19, s(false, 0.079, 'kilopascal')],
  [0x1a, s(false, 1, 'kilopascal')],
  [0x1b, s(false, 10, 'kilopascal')],
  [0x1c, s(false, 0.01, 'degree')],
  [0x1d, s(false, 0.5, 'degree')],
  [0x1e, s(false, 0.0000305, 'ratio')],
  [0x1f, s(false, 0.05, 'ratio')],
  [0x20, s(false, 0.00390625, 'ratio')],
  [0x21, s(false, 1, 'millihertz')],
  [0x22, s(false, 1, 'hertz')],
  [0x23, s(false, 1, 'kilohertz')],
  [0x24, s(false, 1, 'count')],
  [0x25, s(false, 1, 'kilometer')],
  [0x26, s(false, 0.1, 'millivolt / millisecond')],
  [0x27, s(false, 0.01, 'gps')],
  [0x28, s(false, 1, 'gps')],
  [0x29, s(false, 0.25, 'pascal / second')],
  [0x2a, s(false, 0.001, 'kilogram / hour')],
  [0x2b, s(false, 1, 'count')],
  [0x2c, s(false, 0.01, 'gram')],
  [0x2d, s(false, 0.01, 'milligram')],
  [0x2f, s(false, 0.01, 'percent')],
  [0x30, s(false, 0.001526, 'percent')],
  [0x31, s(false, 0.001, 'liter')],
  [0x32, s(false, 0.0000305, 'inch')],
  [0x33, s(false, 0.00024414, 'ratio')],
  [0x34, s(false, 1, 'minute')],
  [0x35, s(false, 10, 'millisecond')],
  [0x36, s(false, 0.01, 'gram')],
  [0x37, s(false, 0.1, 'gram')],
  [0x38, s(false, 1, 'gram')],
  [0x39, s(false, 0.01, 'percent', -327.68)],
  [0x3a, s(false, 0.001, 'gram')],
  [0x3b, s(false, 0.0001, 'gram')],
  [0x3c, s(false, 0.1, 'microsecond')],
  [0x3d, s(false, 0.01, 'milliampere')],
  [0x3e, s(false, 0.00006103516, 'millimeter ** 2')],
  [0x3f, s(false, 0.01, 'liter')],
  [0x40, s(false, 1, 'ppm')],
  [0x41, s(false, 0.01, 'microampere')],
  // signed
  [0x81, s(true, 1, 'count')],
  [0x82, s(true, 0.1, 'count')],
  [0x83, s(true, 0.01, 'count')],
  [0x84, s(true, 0.001, 'count')],
  [0x85, s(true, 0.0000305, 'count')],
  [0x86, s(true, 0.000305, 'count')],
  [0x87, s(true, 1, 'ppm')],
  [0x8a, s(true, 0.122, 'millivolt')],
  [0x8b, s(true, 0.001, 'volt')],
  [0x8c, s(true, 0.01, 'volt')],
  [0x8d, s(true, 0.00390625, 'milliampere')],
  [0x8e, s(true, 0.001, 'ampere')],
  [0x90, s(true, 1, 'millisecond')],
  [0x96, s(true, 0.1, 'degree_Celsius')],
  [0x99, s(true, 0.1, 'kilopascal')],
  [0x9c, s(true, 0.01, 'degree')],
  [0x9d, s(true, 0.5, 'degree')],
  [0xa8, s(true, 1, 'gps')],
  [0xa9, s(true, 0.25, 'pascal / second')],
  [0xad, s(true, 0.01, 'milligram')],
  [0xae, s(true, 0.1, 'milligram')],
  [0xaf, s(true, 0.01, 'percent')],
  [0xb0, s(true, 0.003052, 'percent')],
  [0xb1, s(true, 2, 'millivolt / second')],
  [0xfc, s(true, 0.01, 'kilopascal')],
  [0xfd, s(true, 0.001, 'kilopascal')],
  [0xfe, s(true, 0.25, 'pascal')],
]);

/** Whether python-OBD knows this Units-and-Scaling id. */
export function isKnownUas(id: number): boolean {
  return id === BOOLEAN_ID || SCALINGS.has(id);
}

/**
 * Scales big-endian bytes by UAS id, in python-OBD's order of operations (value * scale + offset)
 * so the floating-point result is bit-identical. null for an unknown id, or for no bytes with a
 * signed id (python-OBD raises there).
 */
export function scaleUas(id: number, bytes: ArrayLike<number>): Scaled | null {
  if (id === BOOLEAN_ID) {
    let any = false;
    for (let i = 0; i < bytes.length; i++) any ||= bytes[i] !== 0;
    return { value: any, unit: PY_TYPE.bool };
  }
  const scaling = SCALINGS.get(id);
  if (scaling === undefined) return null;
  let value: number | null = bytesToInt(bytes);
  if (scaling.signed) value = twosComp(value, bytes.length * 8);
  if (value === null) return null;
  return { value: value * scaling.scale + scaling.offset, unit: scaling.unit };
}
