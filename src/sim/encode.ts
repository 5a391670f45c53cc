/**
 * Vehicle state → J1979 (ISO 15031-5) data bytes for service 01/02, written from the
 * standard's scaling formulas and independent of the gateway's decoders, so that the two can
 * check each other. Each PID the simulated car supports is one entry in a table keyed by PID
 * number; the support bitmaps are derived from the same tables, so they cannot disagree with
 * what the ECUs answer.
 */
import type { Readiness, VehicleState } from './vehicle.js';

/** Data bytes of one PID (after the service and PID bytes). */
export type PidEncoder = (s: VehicleState) => number[];

export const byte = (x: number): number => Math.min(255, Math.max(0, Math.round(x)));
export const word = (x: number): number[] => {
  const v = Math.min(0xffff, Math.max(0, Math.round(x)));
  return [v >> 8, v & 0xff];
};
export const dword = (x: number): number[] => {
  const v = Math.min(0xffffffff, Math.max(0, Math.round(x)));
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
};
export const signedWord = (x: number): number[] => {
  const v = Math.min(0x7fff, Math.max(-0x8000, Math.round(x))) & 0xffff;
  return [v >> 8, v & 0xff];
};
/** °C with the +40 offset of one-byte temperatures. */
export const temp = (celsius: number): number => byte(celsius + 40);
/** 0–100 % as 0–255. */
export const percent = (p: number): number => byte((p * 255) / 100);
/** −100…+99.2 % as 0–255 with 128 for 0 %. */
export const centered = (p: number): number => byte((p * 128) / 100 + 128);
/** Two-byte temperatures (catalyst, filter): 0.1 °C per bit, −40 °C offset. */
export const temp16 = (celsius: number): number[] => word((celsius + 40) * 10);
/** Equivalence ratio as 2/65536 per bit. */
export const lambda = (ratio: number): number[] => word(ratio * 32768);

// Readiness bits of PIDs 01 and 41 for a spark-ignition engine (J1979 PID 01 bytes B–D).
const SPARK_MONITORS = { catalyst: 0x01, evap: 0x04, o2Sensor: 0x20, o2Heater: 0x40, egr: 0x80 } as const;

function monitorBytes(r: Readiness): number[] {
  // Byte B: bits 0-2 say misfire, fuel system and components are supported, bits 4-6 that
  // they are not complete yet; bit 3 clear means spark ignition.
  const b = 0x07 | (r.misfire ? 0 : 0x10) | (r.fuelSystem ? 0 : 0x20) | (r.components ? 0 : 0x40);
  let c = 0;
  let d = 0;
  for (const [name, bit] of Object.entries(SPARK_MONITORS)) {
    c |= bit;
    if (!r[name as keyof typeof SPARK_MONITORS]) d |= bit;
  }
  return [b, c, d];
}

function fuelSystemStatus(s: VehicleState): number[] {
  // 01 open loop (cold), 02 closed loop, 04 open loop for driving conditions (enrichment, fuel cut).
  const fuelCut = s.speed > 0.5 && s.demand === 0;
  const status = fuelCut || (!s.closedLoop && s.coolantTemp >= 40) ? 0x04 : s.closedLoop ? 0x02 : 0x01;
  return [status, 0x00];
}

/**
 * The engine ECU's service 01 PIDs. Left out on purpose, since this car has no such thing:
 * 02 (freeze-frame DTC, service 02 only), 12 (no secondary air), 14/16/17/18/1A/1B (the
 * upstream sensors are wide-range: 24/28/34/38), 1D (the other O2 location layout; 13 is
 * used), 22 and 59 (other rail pressure forms; 23 is used), 25–27/29–2B/35–37/39–3B (no such
 * sensors), 3E/3F (no downstream catalyst temperature sensors), 48/4B (no such pedal or
 * throttle sensors), 53/54 (other evap pressure forms; 32 is used), 5B (not a hybrid),
 * 5D (diesel injection timing), 5F (heavy-duty emission class). The "full" profile
 * (full-car.ts) adds all of these and the rest of the command table to this set.
 */
export const ENGINE_PIDS: ReadonlyMap<number, PidEncoder> = new Map<number, PidEncoder>([
  [0x01, (s) => [(s.milOn ? 0x80 : 0) | Math.min(0x7f, s.storedDtcCount), ...monitorBytes(s.readiness)]],
  [0x03, fuelSystemStatus],
  [0x04, (s) => [percent(s.load)]],
  [0x05, (s) => [temp(s.coolantTemp)]],
  [0x06, (s) => [centered(s.shortTrimB1)]],
  [0x07, (s) => [centered(s.longTrimB1)]],
  [0x08, (s) => [centered(s.shortTrimB2)]],
  [0x09, (s) => [centered(s.longTrimB2)]],
  [0x0a, (s) => [byte(s.fuelPressure / 3)]],
  [0x0b, (s) => [byte(s.intakePressure)]],
  [0x0c, (s) => word(s.rpm * 4)],
  [0x0d, (s) => [byte(s.speed)]],
  [0x0e, (s) => [byte(s.timingAdvance * 2 + 128)]],
  [0x0f, (s) => [temp(s.intakeTemp)]],
  [0x10, (s) => word(s.maf * 100)],
  [0x11, (s) => [percent(s.throttle)]],
  // O2 sensors present: bank 1 sensors 1-2 (bits 0-1) and bank 2 sensors 1-2 (bits 4-5).
  [0x13, () => [0x33]],
  // Downstream narrow-band sensors; FF = not used for trim.
  [0x15, (s) => [byte(s.o2VoltageB1S2 * 200), 0xff]],
  [0x19, (s) => [byte(s.o2VoltageB2S2 * 200), 0xff]],
  // 03 = OBD and OBD-II.
  [0x1c, () => [0x03]],
  // Power take-off inactive.
  [0x1e, () => [0x00]],
  [0x1f, (s) => word(s.runTime)],
  [0x21, (s) => word(s.kmWithMil)],
  [0x23, (s) => word(s.railPressure / 10)],
  // Wide-range sensors 1 (bank 1 sensor 1) and 5 (bank 2 sensor 1): ratio, voltage 8/65536 V.
  [0x24, (s) => [...lambda(s.lambdaB1), ...word(s.wideVoltageB1 * 8192)]],
  [0x28, (s) => [...lambda(s.lambdaB2), ...word(s.wideVoltageB2 * 8192)]],
  [0x2c, (s) => [percent(s.commandedEgr)]],
  [0x2d, (s) => [centered(s.egrError)]],
  [0x2e, (s) => [percent(s.evapPurge)]],
  [0x2f, (s) => [percent(s.fuelLevel)]],
  [0x30, (s) => [byte(s.warmupsSinceClear)]],
  [0x31, (s) => word(s.kmSinceClear)],
  // Signed, 0.25 Pa per bit.
  [0x32, (s) => signedWord(s.evapPressure * 4)],
  [0x33, (s) => [byte(s.baroPressure)]],
  // Wide-range sensors: ratio, current 1/256 mA per bit with −128 mA offset.
  [0x34, (s) => [...lambda(s.lambdaB1), ...word((s.wideCurrentB1 + 128) * 256)]],
  [0x38, (s) => [...lambda(s.lambdaB2), ...word((s.wideCurrentB2 + 128) * 256)]],
  [0x3c, (s) => temp16(s.catalystTempB1)],
  [0x3d, (s) => temp16(s.catalystTempB2)],
  [0x41, (s) => [0x00, ...monitorBytes(s.readinessThisCycle)]],
  [0x42, (s) => word(s.moduleVoltage * 1000)],
  [0x43, (s) => word((s.absoluteLoad * 255) / 100)],
  [0x44, (s) => lambda(s.commandedLambda)],
  [0x45, (s) => [percent(s.throttle - 12)]],
  [0x46, (s) => [temp(s.ambientTemp)]],
  [0x47, (s) => [percent(s.throttle + 8)]],
  [0x49, (s) => [percent(s.pedal)]],
  [0x4a, (s) => [percent(s.pedal / 2)]],
  [0x4c, (s) => [percent(s.commandedThrottle)]],
  [0x4d, (s) => word(s.minutesWithMil)],
  [0x4e, (s) => word(s.minutesSinceClear)],
  // Maxima: equivalence ratio 2, O2 voltage 8 V, O2 current 128 mA, intake pressure 110 kPa.
  [0x4f, () => [0x02, 0x08, 0x80, 0x0b]],
  // Maximum MAF 250 g/s (10 g/s per bit), three reserved bytes.
  [0x50, () => [0x19, 0x00, 0x00, 0x00]],
  // 01 = gasoline.
  [0x51, () => [0x01]],
  [0x52, (s) => [percent(s.ethanol)]],
  // Secondary O2 trims, bank 1 or 2 in A and bank 3 or 4 (absent: 0 %) in B.
  [0x55, (s) => [centered(s.shortSecondaryTrimB1), 0x80]],
  [0x56, (s) => [centered(s.longSecondaryTrimB1), 0x80]],
  [0x57, (s) => [centered(s.shortSecondaryTrimB2), 0x80]],
  [0x58, (s) => [centered(s.longSecondaryTrimB2), 0x80]],
  [0x5a, (s) => [percent(s.pedal - 14.5)]],
  [0x5c, (s) => [temp(s.oilTemp)]],
  // 0.05 l/h per bit.
  [0x5e, (s) => word(s.fuelRate * 20)],
  // Torque: percentages with a −125 offset, reference torque in N·m.
  [0x61, (s) => [byte(s.driverDemandTorque + 125)]],
  [0x62, (s) => [byte(s.actualTorque + 125)]],
  [0x63, (s) => word(s.referenceTorque)],
  // Particulate filter temperatures: A says bank 1 inlet and outlet are present.
  [0x7c, (s) => [0x03, ...temp16(s.filterInletTemp), ...temp16(s.filterOutletTemp), 0x00, 0x00, 0x00, 0x00]],
  [0x8e, (s) => [byte(s.frictionTorque + 125)]],
  // Cylinder fuel rate, 1/32 mg per stroke.
  [0xa2, (s) => word(s.cylinderFuel * 32)],
  // Odometer, 0.1 km per bit.
  [0xa6, (s) => dword(s.odometer * 10)],
]);

/** The transmission ECU's service 01 PIDs: status, speed, compliance and the actual gear. */
export const TRANSMISSION_PIDS: ReadonlyMap<number, PidEncoder> = new Map<number, PidEncoder>([
  // Its own stored codes (they request the MIL); only the comprehensive component monitor, complete.
  [0x01, (s) => [(s.transmissionDtcCount > 0 ? 0x80 : 0) | Math.min(0x7f, s.transmissionDtcCount), 0x04, 0x00, 0x00]],
  [0x0d, (s) => [byte(s.speed)]],
  [0x1c, () => [0x03]],
  // A bit 1: actual gear reported; B high nibble: the gear; C-D: ratio in thousandths.
  [0xa4, (s) => [0x02, s.gear << 4, ...word(s.gearRatio * 1000)]],
]);

/**
 * Every PID an ECU declares: its data PIDs plus the bitmap PIDs (20, 40, ...) needed to chain
 * up to the highest one. PID 00 is always answered and not part of the set.
 */
export function declaredPids(dataPids: Iterable<number>): Set<number> {
  const declared = new Set(dataPids);
  const highest = Math.max(0, ...declared);
  for (let base = 0x20; base < highest; base += 0x20) declared.add(base);
  return declared;
}

/** Whether `pid` is a support-bitmap PID (00, 20, 40, ... E0). */
export function isBitmapPid(pid: number): boolean {
  return pid % 0x20 === 0;
}

/** The four bytes of bitmap `base`: bit 7 of the first byte is PID base+1, bit 0 of the last base+0x20. */
export function bitmapBytes(base: number, declared: ReadonlySet<number>): number[] {
  const bytes = [0, 0, 0, 0];
  for (let i = 0; i < 32; i++) {
    if (declared.has(base + i + 1)) bytes[i >> 3] |= 0x80 >> (i & 7);
  }
  return bytes;
}

/** "P0104" → [0x01, 0x04] (two bits of letter, two of first digit, then three hex digits). */
export function encodeDtc(code: string): number[] {
  const letter = 'PCBU'.indexOf(code[0]);
  const value = (letter << 14) | (Number(code[1]) << 12) | parseInt(code.slice(2), 16);
  return [value >> 8, value & 0xff];
}

/** ASCII bytes of `text`, right-padded with 00 to `length`. */
export function asciiBytes(text: string, length = text.length): number[] {
  const out = new Array<number>(length).fill(0);
  for (let i = 0; i < Math.min(length, text.length); i++) out[i] = text.charCodeAt(i) & 0x7f;
  return out;
}
