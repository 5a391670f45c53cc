/**
 * The "full" car profile: a test bench rather than a vehicle, for trying clients (and the
 * gateway itself) against every command the gateway knows. Its engine ECU declares and answers
 * every service 01 PID of the command tables (01–C4), a test result for every service 06 MID
 * python-OBD names, and both kinds of in-use performance tracking (09 08 and 09 0B). No real
 * car has all of that — eight O2 sensors of each kind, turbochargers, diesel aftertreatment
 * and a hybrid battery on a petrol V6 — so values come from the V6 model's state where it has
 * the quantity, and are fixed or derived plausibly where it does not.
 *
 * Every record is encoded from SAE J1979's scalings, never through the gateway's decoders, so
 * the two check each other. Data lengths are J1979's: the command table's fixed length where it
 * has one, else the length J1979-DA gives the PID. The support bits in byte A of multi-sensor
 * records are all set, so every field reads as present.
 */
import type { EngineProfile } from './ecu.js';
import {
  byte,
  centered,
  dword,
  encodeDtc,
  lambda,
  percent,
  signedWord,
  temp,
  temp16,
  TRANSMISSION_PIDS,
  word,
  type PidEncoder,
} from './encode.js';
import { misfireTests, mv122, type MonitorTest } from './monitors.js';
import type { Vehicle, VehicleState } from './vehicle.js';

// ---------------------------------------------------------------- derived quantities

/** A narrow-band sensor's voltage for the mixture it sees: ~0.85 V rich, ~0.05 V lean, 0.45 V at λ = 1. */
const narrowBandVolts = (ratio: number): number => 0.45 + 0.4 * Math.tanh((1 - ratio) * 40);
/** Behind a catalyst the mixture swings a fifth as much around the commanded ratio. */
const behindCatalyst = (upstream: number, s: VehicleState): number => s.commandedLambda + (upstream - s.commandedLambda) * 0.2;
/** Wide-range sensor output for a ratio, as the V6 model gives its own upstream sensors (V, mA). */
const wideVolts = (ratio: number): number => Math.min(7.99, Math.max(0, 3.3 + 1.5 * (ratio - 1)));
const wideMilliamps = (ratio: number): number => 4 * (ratio - 1);

/** Fuel mass flow, g/s, from the volume rate (petrol: 0.745 kg/l). */
const fuelGps = (s: VehicleState): number => (s.fuelRate * 0.745) / 3.6;
/** Invented turbocharger: boost (kPa absolute) and shaft speed (rpm) follow driver demand. */
const boost = (s: VehicleState): number => s.baroPressure + 90 * s.demand;
const turboRpm = (s: VehicleState): number => 22_000 + 118_000 * s.demand;
const compressorInlet = (s: VehicleState): number => s.ambientTemp + 2;
const compressorOutlet = (s: VehicleState): number => s.ambientTemp + 15 + 70 * s.demand;
/** Exhaust back pressure ahead of the particulate filter, kPa absolute. */
const exhaustPressure = (s: VehicleState): number => s.baroPressure + 12 * (s.load / 100);
/** Exhaust gas at the manifold runs hotter than at the catalyst. */
const manifoldGas = (catalyst: number): number => catalyst + 60;
/** Recirculated exhaust after its cooler (before it: 60 °C more). */
const egrGas = (s: VehicleState): number => s.coolantTemp + 0.1 * (s.catalystTempB1 - s.coolantTemp);
/** Actual EGR duty: commanded, off by the EGR error (J1979: error = (actual - commanded) / commanded). */
const actualEgr = (s: VehicleState): number => s.commandedEgr * (1 + s.egrError / 100);
/** NOx, ppm: engine-out grows with load; the SCR catalyst removes 94 %. */
const engineOutNox = (s: VehicleState): number => 40 + 8 * s.load;
const tailpipeNox = (s: VehicleState): number => engineOutNox(s) * 0.06;
/** Hybrid pack: state of charge (%), voltage and current (positive = discharging). */
const hybridCharge = (s: VehicleState): number => 62 + 6 * Math.sin(s.t / 240);
const hybridVolts = (s: VehicleState): number => 270 + 0.3 * hybridCharge(s);
const hybridAmps = (s: VehicleState): number => 25 * Math.sin(s.t / 40);
/** Diesel exhaust fluid dosing, % of its maximum. */
const defDosing = (s: VehicleState): number => (s.load > 20 ? 2 + 6 * s.demand : 0);
/** Start of injection, degrees before TDC. */
const injectionTiming = (s: VehicleState): number => 2 + 10 * (s.load / 100);

// ---------------------------------------------------------------- record layouts

/** Narrow-band O2 sensor: A = volts / 0.005, B = the short-term trim it drives (FF: not used for trim). */
const narrowBand = (volts: number, trim: number | null): number[] => [byte(volts * 200), trim === null ? 0xff : centered(trim)];
/** Wide-range O2 sensor: equivalence ratio (2/65536 per bit), then voltage (8/65536 V per bit). */
const wideVoltage = (ratio: number): number[] => [...lambda(ratio), ...word(wideVolts(ratio) * 8192)];
/** Wide-range O2 sensor: equivalence ratio, then current (1/256 mA per bit, −128 mA offset). */
const wideCurrent = (ratio: number): number[] => [...lambda(ratio), ...word((wideMilliamps(ratio) + 128) * 256)];
/** Byte A of a record with `n` optional fields: bits 0..n-1 set, every field present. */
const allPresent = (n: number): number => (1 << n) - 1;
/** Boost, VGT: status of control A and B (bits 0-1, 2-3), 10 = closed loop. */
const CLOSED_LOOP_AB = 0x0a;
/** Run times of five auxiliary emission control devices: two 4-byte timers (s) each. */
const aecdTimers = (first: number): number[] => [
  allPresent(5),
  ...[0, 1, 2, 3, 4].flatMap((i) => [...dword(3600 * (first + i)), ...dword(600 * (first + i))]),
];
/** Byte A saying all eight sensors are present, then one word per sensor (PIDs 8C, 9C). */
const eightWords = (values: readonly number[]): number[] => [0xff, ...values.flatMap(word)];

/**
 * Engine ECU PIDs the V6 lacks, and two that replace the V6's so that every sensor reads as
 * present: 13 (all eight O2 sensors, as PIDs 14–1B and 24–3B answer for each) and 7C (a
 * particulate filter on bank 2 too). PID 02 reads the vehicle's freeze frame: fullEngine adds it.
 */
const BENCH_PIDS: ReadonlyMap<number, PidEncoder> = new Map<number, PidEncoder>([
  // Secondary air: pumped upstream during a cold start, else off (from the atmosphere).
  [0x12, (s) => [s.coolantTemp < 35 && s.t < 120 ? 0x01 : 0x04]],
  [0x13, () => [0xff]],
  [0x14, (s) => narrowBand(narrowBandVolts(s.lambdaB1), s.shortTrimB1)],
  [0x16, (s) => narrowBand(narrowBandVolts(behindCatalyst(s.lambdaB1, s)), null)],
  [0x17, (s) => narrowBand(narrowBandVolts(behindCatalyst(s.lambdaB1, s)), null)],
  [0x18, (s) => narrowBand(narrowBandVolts(s.lambdaB2), s.shortTrimB2)],
  [0x1a, (s) => narrowBand(narrowBandVolts(behindCatalyst(s.lambdaB2, s)), null)],
  [0x1b, (s) => narrowBand(narrowBandVolts(behindCatalyst(s.lambdaB2, s)), null)],
  // The four-bank layout, two sensors each, all present.
  [0x1d, () => [0xff]],
  // Port injection rail, relative to the manifold (0.079 kPa per bit): gauge pressure plus vacuum.
  [0x22, (s) => word((s.fuelPressure + s.baroPressure - s.intakePressure) / 0.079)],
  // Wide-range sensors 2-4 and 6-8 sit behind the catalysts of banks 1 and 2.
  [0x25, (s) => wideVoltage(behindCatalyst(s.lambdaB1, s))],
  [0x26, (s) => wideVoltage(behindCatalyst(s.lambdaB1, s))],
  [0x27, (s) => wideVoltage(behindCatalyst(s.lambdaB1, s))],
  [0x29, (s) => wideVoltage(behindCatalyst(s.lambdaB2, s))],
  [0x2a, (s) => wideVoltage(behindCatalyst(s.lambdaB2, s))],
  [0x2b, (s) => wideVoltage(behindCatalyst(s.lambdaB2, s))],
  [0x35, (s) => wideCurrent(behindCatalyst(s.lambdaB1, s))],
  [0x36, (s) => wideCurrent(behindCatalyst(s.lambdaB1, s))],
  [0x37, (s) => wideCurrent(behindCatalyst(s.lambdaB1, s))],
  [0x39, (s) => wideCurrent(behindCatalyst(s.lambdaB2, s))],
  [0x3a, (s) => wideCurrent(behindCatalyst(s.lambdaB2, s))],
  [0x3b, (s) => wideCurrent(behindCatalyst(s.lambdaB2, s))],
  // Catalyst sensors 2, behind the brick.
  [0x3e, (s) => temp16(s.catalystTempB1 - 45)],
  [0x3f, (s) => temp16(s.catalystTempB2 - 45)],
  // Third throttle and pedal tracks.
  [0x48, (s) => [percent(s.throttle + 4)]],
  [0x4b, (s) => [percent(s.pedal / 2 + 2)]],
  // Evap pressure, absolute (5 Pa per bit) and with a 32767 Pa offset (1 Pa per bit).
  [0x53, (s) => word((s.baroPressure * 1000 + s.evapPressure) / 5)],
  [0x54, (s) => word(s.evapPressure + 32767)],
  // Direct injection rail, absolute, 10 kPa per bit.
  [0x59, (s) => word((s.railPressure + s.baroPressure) / 10)],
  [0x5b, (s) => [percent(hybridCharge(s))]],
  // (256A + B) / 128 − 210 degrees.
  [0x5d, (s) => word((injectionTiming(s) + 210) * 128)],
  // Designed emission requirements: 0F, one of the heavy-duty Euro codes J1979 lists.
  [0x5f, () => [0x0f]],
  // Torque at idle and engine points 1-4, A − 125 %.
  [0x64, () => [15, 100, 95, 82, 60].map((p) => byte(p + 125))],
  // PTO, automatic in drive, manual in gear, glow plug lamp: all reported; in drive while moving.
  [0x65, (s) => [allPresent(4), s.speed > 0.5 ? 0x06 : 0x00]],
  // Two MAF sensors, one per bank, 1/32 g/s per bit.
  [0x66, (s) => [allPresent(2), ...word((s.maf / 2) * 32), ...word((s.maf / 2) * 32)]],
  // Coolant at the engine outlet and at the radiator outlet.
  [0x67, (s) => [allPresent(2), temp(s.coolantTemp), temp(s.coolantTemp - 4)]],
  [0x68, (s) => [allPresent(6), ...[0, 3, 6, 0, 3, 6].map((d) => temp(s.intakeTemp + d))]],
  // Commanded, actual and error of EGR A, and the same for EGR B.
  [0x69, (s) => [allPresent(6), ...[0, 1].flatMap(() => [percent(s.commandedEgr), percent(actualEgr(s)), centered(s.egrError)])]],
  // Diesel-style intake throttle, closed a little to drive EGR: commanded and relative, A and B.
  [0x6a, (s) => [allPresent(4), ...[0, 1].flatMap(() => [percent(100 - 2 * s.commandedEgr), percent(99 - 2 * s.commandedEgr)])]],
  // EGR temperature, bank 1 and 2 sensors 1 (before the cooler) and 2 (after), A − 40 °C.
  [0x6b, (s) => [allPresent(4), ...[0, 1].flatMap(() => [temp(egrGas(s) + 60), temp(egrGas(s))])]],
  [0x6c, (s) => [allPresent(4), ...[0, 1].flatMap(() => [percent(s.commandedThrottle), percent(s.throttle - 12)])]],
  // Fuel rail A and B: commanded and actual pressure (10 kPa per bit), fuel temperature.
  [
    0x6d,
    (s) => [
      allPresent(6),
      ...[0, 1].flatMap(() => [...word(s.railPressure / 10), ...word((s.railPressure - 150) / 10), temp(s.intakeTemp + 15)]),
    ],
  ],
  // Injection control pressure A and B, commanded and actual, 10 kPa per bit.
  [0x6e, (s) => [allPresent(4), ...[0, 1].flatMap(() => [...word(800 + 1000 * (s.load / 100)), ...word(795 + 1000 * (s.load / 100))])]],
  [0x6f, (s) => [allPresent(2), byte(s.baroPressure - 1 - 3 * s.demand), byte(s.baroPressure - 1 - 3 * s.demand)]],
  // Boost A and B, commanded and actual, 1/32 kPa per bit, then the control status byte.
  [
    0x70,
    (s) => [
      allPresent(6),
      ...[0, 1].flatMap(() => [...word(boost(s) * 32), ...word((boost(s) - 1.5 * Math.sin(s.t)) * 32)]),
      CLOSED_LOOP_AB,
    ],
  ],
  // VGT vane position A and B, commanded and actual, then the control status byte.
  [0x71, (s) => [allPresent(6), ...[0, 1].flatMap(() => [percent(30 + 50 * s.demand), percent(29 + 50 * s.demand)]), CLOSED_LOOP_AB]],
  [0x72, (s) => [allPresent(4), ...[0, 1].flatMap(() => [percent(60 - 50 * s.demand), percent(61 - 50 * s.demand)])]],
  // Exhaust pressure, banks 1 and 2, 0.01 kPa per bit.
  [0x73, (s) => [allPresent(2), ...word(exhaustPressure(s) * 100), ...word(exhaustPressure(s) * 100)]],
  // Turbocharger A and B speed, 10 rpm per bit.
  [0x74, (s) => [allPresent(2), ...word(turboRpm(s) / 10), ...word((turboRpm(s) * 0.98) / 10)]],
  // Turbochargers A and B: compressor and turbine temperatures.
  [0x75, (s) => turboTemperatures(s, s.catalystTempB1)],
  [0x76, (s) => turboTemperatures(s, s.catalystTempB2)],
  // Charge-air cooler, banks 1 and 2: inlet (compressor outlet) and outlet.
  [0x77, (s) => [allPresent(4), ...[0, 1].flatMap(() => [temp(compressorOutlet(s)), temp(s.intakeTemp)])]],
  // Exhaust gas temperature sensors 1-4: manifold, catalyst, filter inlet and outlet.
  [
    0x78,
    (s) => [allPresent(4), ...[manifoldGas(s.catalystTempB1), s.catalystTempB1, s.filterInletTemp, s.filterOutletTemp].flatMap(temp16)],
  ],
  [
    0x79,
    (s) => [allPresent(4), ...[manifoldGas(s.catalystTempB2), s.catalystTempB2, s.filterInletTemp, s.filterOutletTemp].flatMap(temp16)],
  ],
  // Particulate filter: pressure drop, inlet and outlet pressure (absolute), 0.01 kPa per bit.
  [0x7a, (s) => filterPressures(s)],
  [0x7b, (s) => filterPressures(s)],
  // Particulate filter inlet and outlet temperatures, banks 1 and 2, 0.1 °C per bit.
  [0x7c, (s) => [allPresent(4), ...[s.filterInletTemp, s.filterOutletTemp, s.filterInletTemp - 5, s.filterOutletTemp - 5].flatMap(temp16)]],
  // NOx and PM not-to-exceed control areas: inside (bit 0) under load, else outside (bit 1).
  [0x7d, (s) => [s.demand > 0.3 ? 0x01 : 0x02]],
  [0x7e, (s) => [s.demand > 0.3 ? 0x01 : 0x02]],
  // Lifetime engine run time, idle time and PTO time, seconds.
  [0x7f, (s) => [allPresent(3), ...dword(4_339_000 + s.t), ...dword(1_085_000 + 0.25 * s.t), ...dword(0)]],
  [0x81, () => aecdTimers(1)],
  [0x82, () => aecdTimers(6)],
  // NOx concentration, banks 1 and 2: engine-out sensor 1 and tailpipe sensor 2, ppm.
  [0x83, (s) => [allPresent(4), ...[engineOutNox(s), tailpipeNox(s), engineOutNox(s) * 0.97, tailpipeNox(s) * 1.1].flatMap(word)]],
  [0x84, (s) => [temp(s.coolantTemp + 0.2 * (s.catalystTempB1 - s.coolantTemp))]],
  // Reagent: average and demanded consumption (0.005 l/h per bit), tank level, NOx warning time (s).
  [0x85, (s) => [allPresent(4), ...word((s.fuelRate * 0.03) / 0.005), ...word((s.fuelRate * 0.031) / 0.005), percent(64), ...dword(0)]],
  // PM sensors, banks 1 and 2, 0.0125 mg/m³ per bit.
  [0x86, () => [allPresent(2), ...word(0.8 / 0.0125), ...word(0.75 / 0.0125)]],
  [0x87, (s) => [allPresent(2), ...word(s.intakePressure * 32), ...word(s.intakePressure * 32)]],
  // SCR inducement: no inducement active, six distance counters at zero.
  [0x88, () => [0x00, ...new Array<number>(12).fill(0)]],
  [0x89, () => aecdTimers(11)],
  [0x8a, () => aecdTimers(16)],
  // Aftertreatment: not regenerating, soot load 35 %, 520 min and 480 km between regenerations.
  [0x8b, () => [allPresent(4), 0x00, percent(35), ...word(520), ...word(480)]],
  // Wide-range sensors 1-8: equivalence ratios.
  [0x8c, (s) => eightWords(wideRatios(s).map((r) => r * 32768))],
  [0x8d, (s) => [percent(s.throttle + 12)]],
  // PM sensors, banks 1 and 2: active, readings 0.0125 mg/m³ per bit, one reserved byte.
  [0x8f, () => [allPresent(2), 0x03, ...word(0.8 / 0.0125), ...word(0.75 / 0.0125), 0x00]],
  // WWH-OBD: MI status, then MI-on time (hours) for the vehicle, the ECU and its B1 counter.
  [0x90, (s) => [s.milOn ? 0x01 : 0x00, ...word(s.minutesWithMil / 60)]],
  [0x91, (s) => [s.milOn ? 0x01 : 0x00, ...word(s.minutesWithMil / 60), ...word(s.minutesWithMil / 60)]],
  // Fuel systems 1 and 2 reported; both in closed loop once warm.
  [0x92, (s) => [allPresent(2), s.closedLoop ? 0x03 : 0x00]],
  [0x93, (s) => [allPresent(1), ...word(s.minutesWithMil / 60)]],
  // NOx warning and inducement: nothing active, counters at zero.
  [0x94, () => new Array<number>(12).fill(0)],
  // Exhaust gas temperature sensors 5-8 of banks 1 and 2, further down the pipe.
  [0x98, (s) => [allPresent(4), ...[0, 40, 80, 120].flatMap((d) => temp16(s.filterOutletTemp - d))]],
  [0x99, (s) => [allPresent(4), ...[0, 40, 80, 120].flatMap((d) => temp16(s.filterOutletTemp - d - 5))]],
  // Hybrid pack: charge-sustaining, voltage (1/64 V per bit), current (0.1 A per bit, signed).
  [0x9a, (s) => [allPresent(3), 0x00, ...word(hybridVolts(s) * 64), ...signedWord(hybridAmps(s) * 10)]],
  // DEF: byte A, concentration (0.25 % per bit), tank temperature, tank level.
  [0x9b, (s) => [allPresent(4), byte(32.5 / 0.25), temp(s.ambientTemp + 4), percent(64)]],
  // Wide-range sensors 1-8: pump currents.
  [0x9c, (s) => eightWords(wideRatios(s).map((r) => (wideMilliamps(r) + 128) * 256))],
  // Engine and vehicle fuel rate, 0.02 g/s per bit.
  [0x9d, (s) => [...word(fuelGps(s) * 50), ...word(fuelGps(s) * 50)]],
  // Exhaust flow: air plus fuel, 0.2 kg/h per bit.
  [0x9e, (s) => word((s.maf + fuelGps(s)) * 3.6 * 5)],
  // Share of port and direct injection per bank, 0.01 % per bit.
  [0x9f, () => [allPresent(4), ...[30, 70, 30, 70].flatMap((p) => word(p * 100))]],
  [0xa1, (s) => [allPresent(4), ...[engineOutNox(s) * 0.98, tailpipeNox(s), engineOutNox(s) * 0.95, tailpipeNox(s) * 1.05].flatMap(word)]],
  // Evap pressure A and B: normal range (0.25 Pa per bit) and wide range (1 Pa per bit), signed.
  [0xa3, (s) => [allPresent(4), ...[0, 1].flatMap(() => [...signedWord(s.evapPressure * 4), ...signedWord(s.evapPressure)])]],
  [0xa4, TRANSMISSION_PIDS.get(0xa4) as PidEncoder],
  // DEF dosing supported (bit 0), then the dosing in 0.5 % steps.
  [0xa5, (s) => [0x01, byte(defDosing(s) * 2)]],
  // NOx sensors 3 and 4, ppm.
  [0xa7, (s) => [...word(tailpipeNox(s) * 0.9), ...word(tailpipeNox(s) * 0.95)]],
  [0xa8, (s) => [...word(tailpipeNox(s) * 0.88), ...word(tailpipeNox(s) * 0.93)]],
  // ABS disable switch reported (bit 0 of A), not pressed.
  [0xa9, () => [0x01, 0x00]],
  // C3: fuel level inputs A and B; C4: particulate control diagnostic time (s) and count.
  [0xc3, (s) => [percent(s.fuelLevel), percent(s.fuelLevel)]],
  [0xc4, () => [...dword(5400), ...dword(3)]],
]);

/** The eight wide-range sensors: upstream of bank 1, three behind it, then the same for bank 2. */
function wideRatios(s: VehicleState): number[] {
  const b1 = behindCatalyst(s.lambdaB1, s);
  const b2 = behindCatalyst(s.lambdaB2, s);
  return [s.lambdaB1, b1, b1, b1, s.lambdaB2, b2, b2, b2];
}

/** Compressor inlet and outlet (A − 40 °C), turbine inlet and outlet (0.1 °C per bit) of one turbocharger. */
function turboTemperatures(s: VehicleState, catalyst: number): number[] {
  return [allPresent(4), temp(compressorInlet(s)), temp(compressorOutlet(s)), ...temp16(manifoldGas(catalyst)), ...temp16(catalyst + 20)];
}

function filterPressures(s: VehicleState): number[] {
  const inlet = exhaustPressure(s);
  const outlet = s.baroPressure + 1;
  return [allPresent(3), ...word((inlet - outlet) * 100), ...word(inlet * 100), ...word(outlet * 100)];
}

// ---------------------------------------------------------------- service 06

/** Upstream sensor: rich-to-lean threshold voltage (TID 01), switch times (TIDs 05 and 06, ms). */
const upstreamO2 = (richToLean: number, leanToRich: number): MonitorTest[] => [
  { tid: 0x01, uas: 0x0a, value: mv122(0.45), min: mv122(0.3), max: mv122(0.6) },
  { tid: 0x05, uas: 0x10, value: richToLean, min: 0, max: 150 },
  { tid: 0x06, uas: 0x10, value: leanToRich, min: 0, max: 150 },
];
/** Downstream sensor: minimum and maximum voltage over the test (TIDs 07 and 08), as the V6's. */
const downstreamO2 = (low: number, high: number): MonitorTest[] => [
  { tid: 0x07, uas: 0x0a, value: mv122(low), min: 0, max: mv122(0.4) },
  { tid: 0x08, uas: 0x0a, value: mv122(high), min: mv122(0.6), max: 0xffff },
];
/** One manufacturer test (TID `tid`) per MID, with its value per MID in order. */
function oneTest(mids: readonly number[], tid: number, uas: number, values: readonly number[], min: number, max: number) {
  return mids.map((mid, i): [number, MonitorTest[]] => [mid, [{ tid, uas, value: values[i], min, max }]]);
}
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * Test results for the MIDs the V6 has no monitor for. UAS ids (J1979 appendix E): 0A 0.122 mV,
 * 10 ms, 01 count, 9C 0.01° signed, FE 0.25 Pa signed, 29 0.25 Pa/s, 0E mA, 16 0.1 °C − 40,
 * 27 0.01 g/s, AF 0.01 % signed, FC 0.01 kPa signed, 3A mg, 2F 0.01 %, 17 0.01 kPa.
 */
const BENCH_MONITORS: ReadonlyMap<number, readonly MonitorTest[]> = new Map<number, readonly MonitorTest[]>([
  // O2 sensors: sensors 3-4 of banks 1-2 and all of banks 3-4 (1: upstream, 2-4: downstream).
  [0x03, downstreamO2(0.09, 0.81)],
  [0x04, downstreamO2(0.1, 0.79)],
  [0x07, downstreamO2(0.08, 0.82)],
  [0x08, downstreamO2(0.11, 0.8)],
  [0x09, upstreamO2(66, 58)],
  [0x0a, downstreamO2(0.07, 0.83)],
  [0x0b, downstreamO2(0.09, 0.8)],
  [0x0c, downstreamO2(0.1, 0.78)],
  [0x0d, upstreamO2(71, 62)],
  [0x0e, downstreamO2(0.08, 0.84)],
  [0x0f, downstreamO2(0.1, 0.8)],
  [0x10, downstreamO2(0.12, 0.77)],
  // Catalysts of banks 3-4 (oxygen storage index, as the V6's) and EGR 2-4 (flow index).
  ...oneTest([0x23, 0x24], 0x80, 0x01, [70, 82], 0, 150),
  ...oneTest([0x32, 0x33, 0x34], 0x81, 0x01, [498, 530, 505], 300, 900),
  // Cam phasing error.
  ...oneTest(range(0x35, 0x38), 0x80, 0x9c, [120, -80, 95, -60], -500, 500),
  // Evap leak tests: pressure rise while sealed, bigger leaks allowed more.
  ...oneTest([0x39], 0x80, 0xfe, [180], 0, 2000),
  ...oneTest([0x3a], 0x81, 0xfe, [160], 0, 1200),
  ...oneTest([0x3b], 0x82, 0xfe, [150], 0, 800),
  // Purge flow: pressure change rate when the purge valve opens.
  ...oneTest([0x3d], 0x84, 0x29, [420], 200, 0xffff),
  // O2 sensor heaters: heater current.
  ...oneTest(
    range(0x41, 0x50),
    0x81,
    0x0e,
    range(0, 15).map((i) => 1400 + 10 * i),
    800,
    2500,
  ),
  // Heated catalysts: temperature reached (620 °C and so on).
  ...oneTest(range(0x61, 0x64), 0x80, 0x16, [6600, 6550, 6580, 6520], 3900, 0xffff),
  // Secondary air: flow.
  ...oneTest(range(0x71, 0x74), 0x80, 0x27, [1150, 1120, 1180, 1100], 800, 0xffff),
  // Fuel systems: long-term trim (bank 1 matches PID 07's 9.4 %).
  ...oneTest(range(0x81, 0x84), 0x80, 0xaf, [940, -160, 120, -90], -2500, 2500),
  // Boost pressure control: deviation from the commanded boost.
  ...oneTest([0x85, 0x86], 0x80, 0xfc, [250, -180], -2000, 2000),
  // NOx absorbers: storage capacity; NOx catalysts: conversion efficiency.
  ...oneTest([0x90, 0x91], 0x80, 0x3a, [1850, 1790], 1200, 0xffff),
  ...oneTest([0x98, 0x99], 0x80, 0x2f, [9250, 9180], 8000, 10000),
  // Misfire, cylinders 7-12: none.
  ...range(0xa8, 0xad).map((mid): [number, MonitorTest[]] => [mid, misfireTests(0)]),
  // Particulate filters: pressure drop.
  ...oneTest([0xb0, 0xb1], 0x80, 0x17, [420, 410], 100, 2500),
]);

/** In-use performance tracking, compression ignition: OBDCOND, IGNCNTR, then completions/conditions per monitor. */
const COMPRESSION_IPT = [48, 412, 41, 48, 44, 48, 40, 48, 46, 48, 45, 48, 40, 48, 47, 48, 43, 48];

/** The test-bench engine ECU: everything the V6's ECU has, plus the rest. */
export function fullEngine(petrol: EngineProfile, vehicle: Vehicle): EngineProfile {
  // The DTC that stored the freeze frame, 0000 when there is none (PID 02).
  const freezeDtc: PidEncoder = () => {
    const frame = vehicle.freezeFrame();
    return frame ? encodeDtc(frame.dtc) : [0x00, 0x00];
  };
  const pids = new Map<number, PidEncoder>([...petrol.pids, ...BENCH_PIDS, [0x02, freezeDtc]]);
  return {
    pids: new Map([...pids].sort(([a], [b]) => a - b)),
    // The V6's test results win where both have a MID.
    monitors: new Map([...BENCH_MONITORS, ...petrol.monitors].sort(([a], [b]) => a - b)),
    info: {
      ...petrol.info,
      calibrationId: 'OBDIOSIM-FULL-01',
      cvn: [0x0b, 0xe7, 0xc4, 0x01],
      compressionTracking: COMPRESSION_IPT,
    },
    freezeMonitorStatus: true,
  };
}
