/**
 * Decoders for what python-OBD 0.7.3 lacks: mode 01 PIDs 60-C4 and the mode 09 records it left
 * commented out. Formulas are SAE J1979's; units are pint's canonical names, as python-OBD
 * would print them.
 *
 * Shapes, chosen to stay simple:
 * - one value → a number with its unit;
 * - several sensors of one kind (a "support" byte A then one reading per sensor) → an object of
 *   named magnitudes sharing one unit, a sensor whose support bit is clear being null;
 * - records mixing kinds (gear and ratio, switch states) → an object with unit "<class 'dict'>";
 * - records we do not decode (long or rarely implemented ones) → their bytes after the PID as
 *   numbers, unit "<class 'bytearray'>", so clients still get the data.
 */
import type { Decoded, Decoder } from './command.js';
import { bytesToInt, firstData, toBits } from './bytes.js';
import { PY_TYPE } from './python-types.js';

/** Bytes after service and PID, or null when there are fewer than `min`. */
function payload(messages: Parameters<Decoder>[0], min: number): Uint8Array | null {
  const d = firstData(messages, 2);
  return d === null || d.length < min ? null : d;
}

function quantity(value: number, unit: string): Decoded {
  return { value, unit };
}

/** The bytes after the PID, undecoded. */
export const rawBytes: Decoder = (messages) => {
  const d = firstData(messages, 2);
  return d === null ? null : { value: Array.from(d), unit: PY_TYPE.bytearray };
};

/** A bit field shown as booleans, most significant bit first (like a PID bitmap, but not one). */
export const bitField: Decoder = (messages) => {
  const d = firstData(messages, 2);
  return d === null ? null : { value: toBits(d), unit: PY_TYPE.bitArray };
};

/** A - 125 % (engine torque PIDs 61, 62, 8E). */
export const torquePercent: Decoder = (messages) => {
  const d = payload(messages, 1);
  return d === null ? null : quantity(d[0]! - 125, 'percent');
};

/** PID 63: 256A + B N·m. */
export const referenceTorque: Decoder = (messages) => {
  const d = payload(messages, 2);
  return d === null ? null : quantity(bytesToInt(d.subarray(0, 2)), 'newton_meter');
};

/** PID 64: torque at idle and at engine points 1-4, each A - 125 %. */
export const enginePercentTorqueData: Decoder = (messages) => {
  const d = payload(messages, 5);
  if (d === null) return null;
  const names = ['idle', 'point_1', 'point_2', 'point_3', 'point_4'];
  const value: Record<string, number> = {};
  names.forEach((name, i) => (value[name] = d[i]! - 125));
  return { value, unit: 'percent' };
};

type Reading = (bytes: Uint8Array) => number;

/** [name, byte width, conversion] for one sensor of a record. */
type Field = readonly [name: string, width: number, read: Reading];

/**
 * A record of byte A (bit n set = field n supported) then the fields in order: an object of
 * named magnitudes in `unit`, null for an unsupported field.
 */
function supportedRecord(fields: readonly Field[], unit: string): Decoder {
  const length = 1 + fields.reduce((n, [, width]) => n + width, 0);
  return (messages) => {
    const d = payload(messages, length);
    if (d === null) return null;
    const support = d[0]!;
    const value: Record<string, number | null> = {};
    let offset = 1;
    fields.forEach(([name, width, read], bit) => {
      value[name] = (support >> bit) & 1 ? read(d.subarray(offset, offset + width)) : null;
      offset += width;
    });
    return { value, unit };
  };
}

const byteTemp: Reading = (b) => b[0]! - 40;
const wordTemp: Reading = (b) => bytesToInt(b) / 10 - 40;
const bytePercent: Reading = (b) => (b[0]! * 100) / 255;
const centeredPercent: Reading = (b) => ((b[0]! - 128) * 100) / 128;
const wordOver32: Reading = (b) => bytesToInt(b) / 32;
const word: Reading = (b) => bytesToInt(b);

function fields(names: readonly string[], width: number, read: Reading): Field[] {
  return names.map((name) => [name, width, read] as const);
}

const AB = ['sensor_a', 'sensor_b'];
const BANKS_2X2 = ['bank1_sensor1', 'bank1_sensor2', 'bank2_sensor1', 'bank2_sensor2'];
const COMMANDED_ACTUAL = ['commanded_a', 'actual_a', 'commanded_b', 'actual_b'];

/** PID 66: MAF sensors A and B, (256X + Y) / 32 g/s. */
export const mafSensorAB = supportedRecord(fields(AB, 2, wordOver32), 'gps');
/** PID 67: coolant temperature sensors 1 and 2, X - 40 °C. */
export const coolantTemp12 = supportedRecord(fields(['sensor_1', 'sensor_2'], 1, byteTemp), 'degree_Celsius');
/** PID 68: intake air temperature, bank 1 and 2 sensors 1-3, X - 40 °C. */
export const intakeTempSensors = supportedRecord(
  fields(['bank1_sensor1', 'bank1_sensor2', 'bank1_sensor3', 'bank2_sensor1', 'bank2_sensor2', 'bank2_sensor3'], 1, byteTemp),
  'degree_Celsius',
);
/** PID 69: commanded and actual EGR duty (X * 100 / 255 %) and EGR error ((X - 128) * 100 / 128 %), A and B. */
export const egrData = supportedRecord(
  [
    ['commanded_a', 1, bytePercent],
    ['actual_a', 1, bytePercent],
    ['error_a', 1, centeredPercent],
    ['commanded_b', 1, bytePercent],
    ['actual_b', 1, bytePercent],
    ['error_b', 1, centeredPercent],
  ],
  'percent',
);
/** PIDs 6A and 6C: commanded value and relative position, A and B, X * 100 / 255 %. */
export const commandedRelativeAB = supportedRecord(
  fields(['commanded_a', 'relative_a', 'commanded_b', 'relative_b'], 1, bytePercent),
  'percent',
);
/** PID 6F: turbocharger compressor inlet pressure sensors A and B, X kPa. */
export const turboInletPressure = supportedRecord(
  fields(AB, 1, (b) => b[0]!),
  'kilopascal',
);
/** PID 70: commanded and actual boost pressure, A and B, (256X + Y) / 32 kPa. */
export const boostPressureControl = supportedRecord(fields(COMMANDED_ACTUAL, 2, wordOver32), 'kilopascal');
/** PIDs 71 and 72: commanded and actual position (VGT vanes, wastegate), A and B, X * 100 / 255 %. */
export const commandedActualAB = supportedRecord(fields(COMMANDED_ACTUAL, 1, bytePercent), 'percent');
/** PID 73: exhaust pressure, banks 1 and 2, (256X + Y) * 0.01 kPa. */
export const exhaustPressure = supportedRecord(
  fields(['bank1', 'bank2'], 2, (b) => bytesToInt(b) * 0.01),
  'kilopascal',
);
/** PID 74: turbocharger A and B speed, (256X + Y) * 10 rpm. */
export const turboRpm = supportedRecord(
  fields(['turbo_a', 'turbo_b'], 2, (b) => bytesToInt(b) * 10),
  'revolutions_per_minute',
);
/** PID 77: charge air cooler temperature, banks 1-2 sensors 1-2, X - 40 °C. */
export const chargeAirCoolerTemp = supportedRecord(fields(BANKS_2X2, 1, byteTemp), 'degree_Celsius');
/** PIDs 78 and 79: exhaust gas temperature sensors 1-4 of a bank, (256X + Y) / 10 - 40 °C. */
export const exhaustGasTemp = supportedRecord(fields(['sensor_1', 'sensor_2', 'sensor_3', 'sensor_4'], 2, wordTemp), 'degree_Celsius');
/** PID 7C: DPF inlet and outlet temperature, banks 1 and 2, (256X + Y) / 10 - 40 °C. */
export const dpfTemp = supportedRecord(
  fields(['bank1_inlet', 'bank1_outlet', 'bank2_inlet', 'bank2_outlet'], 2, wordTemp),
  'degree_Celsius',
);
/** PID 7F: total, idle and PTO engine run time, 4 bytes each, seconds. */
export const engineRunTime = supportedRecord(fields(['total', 'idle', 'pto'], 4, word), 'second');
/** PIDs 83 and A1: NOx concentration, banks 1-2 sensors 1-2, 256X + Y ppm. */
export const noxSensor = supportedRecord(fields(BANKS_2X2, 2, word), 'ppm');
/** PID 87: intake manifold absolute pressure sensors A and B, (256X + Y) / 32 kPa. */
export const intakePressureAB = supportedRecord(fields(AB, 2, wordOver32), 'kilopascal');

/**
 * PID 65: auxiliary inputs; A says which are supported, B holds the states. Each is true/false,
 * or null when not supported: PTO active, automatic transmission in drive (vs park/neutral),
 * manual transmission in gear, glow plug lamp on.
 */
export const auxInputOutput: Decoder = (messages) => {
  const d = payload(messages, 2);
  if (d === null) return null;
  const names = ['pto_active', 'drive', 'in_gear', 'glow_plug_lamp'];
  const value: Record<string, boolean | null> = {};
  names.forEach((name, bit) => (value[name] = (d[0]! >> bit) & 1 ? ((d[1]! >> bit) & 1) === 1 : null));
  return { value, unit: PY_TYPE.dict };
};

/** PID 84 and friends: A - 40 °C. */
export const byteTemperature: Decoder = (messages) => {
  const d = payload(messages, 1);
  return d === null ? null : quantity(d[0]! - 40, 'degree_Celsius');
};

/** PID 9D: engine and vehicle fuel rate, (256X + Y) / 50 g/s. */
export const engineFuelRate: Decoder = (messages) => {
  const d = payload(messages, 4);
  if (d === null) return null;
  return { value: { engine: bytesToInt(d.subarray(0, 2)) / 50, vehicle: bytesToInt(d.subarray(2, 4)) / 50 }, unit: 'gps' };
};

/** PID 9E: exhaust flow rate, (256A + B) / 5 kg/h. */
export const exhaustFlowRate: Decoder = (messages) => {
  const d = payload(messages, 2);
  return d === null ? null : quantity(bytesToInt(d.subarray(0, 2)) / 5, 'kilogram / hour');
};

/** PID A2: fuel injected per stroke, (256A + B) / 32 mg. */
export const cylinderFuelRate: Decoder = (messages) => {
  const d = payload(messages, 2);
  return d === null ? null : quantity(bytesToInt(d.subarray(0, 2)) / 32, 'milligram');
};

/** PID A4: actual gear (high nibble of B) and gear ratio ((256C + D) / 1000). */
export const transmissionGear: Decoder = (messages) => {
  const d = payload(messages, 4);
  if (d === null) return null;
  return { value: { gear: d[1]! >> 4, ratio: bytesToInt(d.subarray(2, 4)) / 1000 }, unit: PY_TYPE.dict };
};

/** PID A5: commanded diesel exhaust fluid dosing, B / 2 %; null when bit 0 of A says unsupported. */
export const defDosing: Decoder = (messages) => {
  const d = payload(messages, 2);
  return d === null || (d[0]! & 1) === 0 ? null : quantity(d[1]! / 2, 'percent');
};

/** PID A6: odometer, 32-bit / 10 km. */
export const odometer: Decoder = (messages) => {
  const d = payload(messages, 4);
  return d === null ? null : quantity(bytesToInt(d.subarray(0, 4)) / 10, 'kilometer');
};

/** PID A9: ABS disable switch pressed (bit 0 of B); null when bit 0 of A says unsupported. */
export const absDisableSwitch: Decoder = (messages) => {
  const d = payload(messages, 2);
  return d === null || (d[0]! & 1) === 0 ? null : { value: (d[1]! & 1) === 1, unit: PY_TYPE.bool };
};

// ---------------------------------------------------------------- mode 09

/**
 * ECU_NAME (09 0A): ASCII "ECM-EngineControl", padded with zero bytes inside and after the
 * fields; CAN puts a count byte first. Control bytes are dropped, spaces at the ends trimmed.
 */
export const ecuName: Decoder = (messages) => {
  const d = firstData(messages, 2);
  if (d === null) return null;
  let text = '';
  for (const byte of d) if (byte >= 0x20 && byte <= 0x7e) text += String.fromCharCode(byte);
  return { value: text.trim(), unit: PY_TYPE.str };
};

/** In-use performance tracking counters for spark ignition (09 08), in J1979's order. */
export const SPARK_TRACKING = [
  'OBDCOND',
  'IGNCNTR',
  'CATCOMP1',
  'CATCOND1',
  'CATCOMP2',
  'CATCOND2',
  'O2SCOMP1',
  'O2SCOND1',
  'O2SCOMP2',
  'O2SCOND2',
  'EGRCOMP',
  'EGRCOND',
  'AIRCOMP',
  'AIRCOND',
  'EVAPCOMP',
  'EVAPCOND',
  'SO2SCOMP1',
  'SO2SCOND1',
  'SO2SCOMP2',
  'SO2SCOND2',
] as const;

/** In-use performance tracking counters for compression ignition (09 0B), in J1979's order. */
export const COMPRESSION_TRACKING = [
  'OBDCOND',
  'IGNCNTR',
  'HCCATCOMP',
  'HCCATCOND',
  'NCATCOMP',
  'NCATCOND',
  'NADSCOMP',
  'NADSCOND',
  'PMCOMP',
  'PMCOND',
  'EGSCOMP',
  'EGSCOND',
  'EGRCOMP',
  'EGRCOND',
  'BPCOMP',
  'BPCOND',
  'FUELCOMP',
  'FUELCOND',
] as const;

/**
 * In-use performance tracking: two-byte counters, named in J1979's order (extra ones
 * `item_<n>`), unit count. CAN puts a count byte first; counters come in pairs of bytes, so an
 * odd length means it is there.
 */
export function performanceTracking(names: readonly string[]): Decoder {
  return (messages) => {
    let d = firstData(messages, 2);
    if (d === null) return null;
    if (d.length % 2 === 1) d = d.subarray(1);
    if (d.length === 0) return null;
    const value: Record<string, number> = {};
    for (let i = 0; i + 1 < d.length; i += 2) value[names[i / 2] ?? `item_${i / 2 + 1}`] = bytesToInt(d.subarray(i, i + 2));
    return { value, unit: 'count' };
  };
}
