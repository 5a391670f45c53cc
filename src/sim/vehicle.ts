/**
 * The simulated car: a 3.0 l V6 petrol engine (port + direct injection, one particulate
 * filter) with a six-speed automatic, driven round the cycle of drive-cycle.ts. Every value is
 * a pure function of the time since the model was created (read from an injectable clock),
 * plus the little diagnostic memory an engine ECU keeps: stored, pending and permanent DTCs,
 * one freeze frame, and what a "clear DTCs" resets.
 *
 * Values are physical quantities (rpm, km/h, °C, %...); turning them into J1979 bytes is
 * encode.ts's job.
 */
import { TransportError } from '../transport/transport.js';
import { distanceAt, motionAt } from './drive-cycle.js';

export interface VehicleOptions {
  /** Clock in milliseconds (Date.now by default); tests pass a fake one. */
  now?: () => number;
  /** 17 characters, VIN alphabet (no I, O, Q). */
  vin?: string;
  /** Stored (confirmed) DTCs, e.g. ["P0104", "P0420"]; the first one stored the freeze frame. */
  dtcs?: readonly string[];
  /** Pending DTCs (mode 07). */
  pendingDtcs?: readonly string[];
  /** Permanent DTCs (mode 0A): a clear (mode 04) does not remove them. */
  permanentDtcs?: readonly string[];
  /** Stored DTCs of the transmission ECU (its own mode 03 answer). */
  transmissionDtcs?: readonly string[];
}

/** A 2017-ish model year VIN with a correct check digit (position 9); no real manufacturer code. */
export const DEFAULT_VIN = '1SDVM3GTXHB000001';
/** MAF circuit intermittent, and catalyst efficiency below threshold (bank 1). */
export const DEFAULT_DTCS: readonly string[] = ['P0104', 'P0420'];
/** System too lean (bank 1): matches the high long-term fuel trim of bank 1. */
export const DEFAULT_PENDING_DTCS: readonly string[] = ['P0171'];
/** A MIL code stays permanent until the monitor passes again, whatever a scan tool clears. */
export const DEFAULT_PERMANENT_DTCS: readonly string[] = ['P0420'];
/** Torque converter clutch stuck off: a gearbox code, stored by the transmission ECU itself. */
export const DEFAULT_TRANSMISSION_DTCS: readonly string[] = ['P0741'];

const DTC_PATTERN = /^[PCBU][0-3][0-9A-F]{3}$/;
const VIN_PATTERN = /^[A-HJ-NPR-Z0-9]{17}$/;

/** Engine displacement in litres, for the air-flow model. */
const DISPLACEMENT_L = 3.0;
const CYLINDERS = 6;
const AIR_DENSITY_G_PER_L = 1.184;
const STOICHIOMETRIC_AFR = 14.7;
const PETROL_G_PER_L = 745;
const IDLE_RPM = 750;
const MAX_RPM = 3500;
/** Overall ratio (engine rpm per km/h) in each gear; index 0 unused. */
const RPM_PER_KMH = [0, 110, 65, 48, 38, 30, 23];
/** Gearbox ratios shown by PID A4 (1st to 6th). */
const GEAR_RATIOS = [0, 4.696, 2.985, 2.146, 1.769, 1.52, 1.275];
/** Upper speed (km/h) of each gear when driving. */
const GEAR_TOP_SPEED = [0, 15, 30, 50, 70, 95, Infinity];
/** Where the car was when the first stored DTC froze its frame: 1330 s into the first drive. */
const FREEZE_FRAME_T = 1330;

/** Everything the ECUs report at one instant. */
export interface VehicleState {
  /** Seconds since the model started (the engine started then). */
  readonly t: number;
  readonly speed: number;
  readonly accel: number;
  /** 1–6 while moving or in drive. */
  readonly gear: number;
  readonly gearRatio: number;
  readonly rpm: number;
  /** Driver demand 0–1 (pedal). */
  readonly demand: number;
  readonly pedal: number;
  readonly throttle: number;
  readonly commandedThrottle: number;
  readonly load: number;
  readonly absoluteLoad: number;
  /** Mass air flow, g/s. */
  readonly maf: number;
  readonly intakePressure: number;
  readonly baroPressure: number;
  readonly coolantTemp: number;
  readonly oilTemp: number;
  readonly intakeTemp: number;
  readonly ambientTemp: number;
  readonly catalystTempB1: number;
  readonly catalystTempB2: number;
  readonly filterInletTemp: number;
  readonly filterOutletTemp: number;
  readonly timingAdvance: number;
  /** Closed-loop fuelling (false while cold or at full load). */
  readonly closedLoop: boolean;
  readonly shortTrimB1: number;
  readonly longTrimB1: number;
  readonly shortTrimB2: number;
  readonly longTrimB2: number;
  readonly shortSecondaryTrimB1: number;
  readonly longSecondaryTrimB1: number;
  readonly shortSecondaryTrimB2: number;
  readonly longSecondaryTrimB2: number;
  /** Measured equivalence ratio (lambda) of the wide-range upstream sensors. */
  readonly lambdaB1: number;
  readonly lambdaB2: number;
  readonly commandedLambda: number;
  /** Wide-range sensor voltage (V) and pump current (mA), bank 1 / bank 2. */
  readonly wideVoltageB1: number;
  readonly wideVoltageB2: number;
  readonly wideCurrentB1: number;
  readonly wideCurrentB2: number;
  /** Narrow-band downstream sensors (V). Bank 1 switches like the upstream: a worn catalyst. */
  readonly o2VoltageB1S2: number;
  readonly o2VoltageB2S2: number;
  readonly fuelLevel: number;
  /** Engine fuel rate, l/h. */
  readonly fuelRate: number;
  readonly cylinderFuel: number;
  /** Port injection fuel pressure (gauge, kPa) and direct injection rail pressure (kPa). */
  readonly fuelPressure: number;
  readonly railPressure: number;
  readonly commandedEgr: number;
  readonly egrError: number;
  readonly evapPurge: number;
  /** Evap system vapour pressure, Pa. */
  readonly evapPressure: number;
  readonly ethanol: number;
  readonly batteryVoltage: number;
  readonly moduleVoltage: number;
  readonly driverDemandTorque: number;
  readonly actualTorque: number;
  readonly frictionTorque: number;
  readonly referenceTorque: number;
  readonly runTime: number;
  readonly odometer: number;
  // Diagnostic memory, as PIDs 01, 21, 30, 31, 4D, 4E report it.
  readonly milOn: boolean;
  readonly storedDtcCount: number;
  /** Stored codes of the transmission ECU (its PID 01 reports them). */
  readonly transmissionDtcCount: number;
  readonly kmWithMil: number;
  readonly minutesWithMil: number;
  readonly kmSinceClear: number;
  readonly minutesSinceClear: number;
  readonly warmupsSinceClear: number;
  /** Monitors completed since DTCs were cleared, and this drive cycle. */
  readonly readiness: Readiness;
  readonly readinessThisCycle: Readiness;
}

/** Continuous and non-continuous monitors of a spark-ignition engine: true = complete. */
export interface Readiness {
  readonly misfire: boolean;
  readonly fuelSystem: boolean;
  readonly components: boolean;
  readonly catalyst: boolean;
  readonly evap: boolean;
  readonly o2Sensor: boolean;
  readonly o2Heater: boolean;
  readonly egr: boolean;
}

export interface FreezeFrame {
  readonly dtc: string;
  readonly state: VehicleState;
}

export class Vehicle {
  readonly vin: string;
  private readonly now: () => number;
  private readonly startMs: number;
  private stored: string[];
  private pending: string[];
  private readonly permanent: string[];
  private transmission: string[];
  private freeze: FreezeFrame | null;
  /** Values that a clear resets, kept as offsets from the start. */
  private clearedAt: { t: number; km: number } | null = null;

  constructor(options: VehicleOptions = {}) {
    this.now = options.now ?? Date.now;
    this.startMs = this.now();
    this.vin = (options.vin ?? DEFAULT_VIN).toUpperCase();
    if (!VIN_PATTERN.test(this.vin)) {
      throw new TransportError('EINVAL', `simulator: VIN "${options.vin}" must be 17 characters of A-Z and 0-9 without I, O, Q`);
    }
    this.stored = checkDtcs(options.dtcs ?? DEFAULT_DTCS, 'dtcs');
    this.pending = checkDtcs(options.pendingDtcs ?? DEFAULT_PENDING_DTCS, 'pendingDtcs');
    this.permanent = checkDtcs(options.permanentDtcs ?? DEFAULT_PERMANENT_DTCS, 'permanentDtcs');
    this.transmission = checkDtcs(options.transmissionDtcs ?? DEFAULT_TRANSMISSION_DTCS, 'transmissionDtcs');
    this.freeze = this.stored.length > 0 ? { dtc: this.stored[0], state: this.stateAt(FREEZE_FRAME_T) } : null;
  }

  /** Seconds since the model started. */
  elapsed(): number {
    return Math.max(0, (this.now() - this.startMs) / 1000);
  }

  /** The state now. */
  state(): VehicleState {
    return this.stateAt(this.elapsed());
  }

  storedDtcs(): readonly string[] {
    return this.stored;
  }

  pendingDtcs(): readonly string[] {
    return this.pending;
  }

  permanentDtcs(): readonly string[] {
    return this.permanent;
  }

  transmissionDtcs(): readonly string[] {
    return this.transmission;
  }

  freezeFrame(): FreezeFrame | null {
    return this.freeze;
  }

  /** Mode 04: stored and pending DTCs, the freeze frame and the since-clear counters go; permanent DTCs stay. */
  clearDtcs(): void {
    const t = this.elapsed();
    this.stored = [];
    this.pending = [];
    this.transmission = [];
    this.freeze = null;
    this.clearedAt = { t, km: distanceAt(t) };
  }

  /** The state at `t` seconds since the start (the freeze frame uses a past instant). */
  stateAt(t: number): VehicleState {
    const { speed, accel } = motionAt(t);
    const moving = speed > 0.5;
    const gear = gearFor(speed);

    // Driver demand: rolling resistance and drag grow with speed; acceleration asks for more,
    // braking lifts the foot off the pedal entirely (fuel cut).
    const demand = moving ? clamp(0.12 + 0.0035 * speed + 0.16 * accel, 0, 1) : 0;
    const warm = 1 - Math.exp(-t / 420);
    const coolantTemp = 20 + 70 * warm;
    const oilTemp = 20 + 75 * (1 - Math.exp(-t / 700));
    const ambientTemp = 21 + Math.sin((2 * Math.PI * t) / 3600);

    // Idle hunts a little above its set point; a cold engine idles faster.
    const idleWobble = 12 + 8 * Math.sin(t * 2.1) + 4 * Math.sin(t * 0.37);
    const coldIdle = 250 * (1 - warm);
    const idleRpm = IDLE_RPM + coldIdle + idleWobble;
    const rpm = clamp(Math.max(idleRpm, speed * RPM_PER_KMH[gear] + 350 * Math.max(0, accel)), IDLE_RPM, MAX_RPM);

    const load = moving ? clamp(14 + 80 * demand, 8, 95) : 20 + 6 * (1 - warm);
    const maf = (load / 100) * (rpm / 120) * DISPLACEMENT_L * AIR_DENSITY_G_PER_L;
    const baroPressure = 101;
    const intakePressure = baroPressure * (0.22 + 0.72 * (load / 100));
    const throttle = 12 + 68 * demand + (moving ? 0 : 2 * (1 - warm));
    const pedal = 14.5 + 75 * demand;

    const closedLoop = coolantTemp >= 40 && demand < 0.85;
    const fuelCut = moving && demand === 0;
    const commandedLambda = closedLoop ? 1 : coolantTemp < 40 ? 0.92 : 0.88;
    const lambdaB1 = fuelCut ? 1.99 : commandedLambda + (closedLoop ? 0.02 * Math.sin(t * 4.8) : 0);
    const lambdaB2 = fuelCut ? 1.99 : commandedLambda + (closedLoop ? 0.02 * Math.sin(t * 5.3 + 1) : 0);
    const fuelGps = fuelCut ? 0 : maf / (STOICHIOMETRIC_AFR * commandedLambda);
    const fuelRate = (fuelGps / PETROL_G_PER_L) * 3600;
    const strokesPerSecond = (CYLINDERS * rpm) / 120;

    const catTarget = 380 + 320 * (load / 100);
    const catWarm = 1 - Math.exp(-t / 180);
    const catalystTempB1 = 20 + (catTarget - 20) * catWarm;
    const catalystTempB2 = 20 + (catTarget - 5 - 20) * catWarm;

    const batteryVoltage = Math.min(14.2, 12.6 + 1.5 * (1 - Math.exp(-t / 3)) + 0.05 * Math.sin(t / 7));
    const distance = distanceAt(t);
    const cleared = this.clearedAt && this.clearedAt.t <= t ? this.clearedAt : null;
    const milOn = this.stored.length > 0;

    const sinceClear = cleared ? t - cleared.t : 4120 * 60 + t;
    const readiness = readinessAfter(sinceClear, coolantTemp);

    return {
      t,
      speed,
      accel,
      gear,
      gearRatio: GEAR_RATIOS[gear],
      rpm,
      demand,
      pedal,
      throttle,
      commandedThrottle: clamp((throttle - 12) * 1.1, 0, 100),
      load,
      absoluteLoad: load * 0.92,
      maf,
      intakePressure,
      baroPressure,
      coolantTemp,
      oilTemp,
      intakeTemp: ambientTemp + 4 + 8 * Math.exp(-speed / 40),
      ambientTemp,
      catalystTempB1,
      catalystTempB2,
      filterInletTemp: catalystTempB1 - 40 * catWarm,
      filterOutletTemp: catalystTempB1 - 75 * catWarm,
      timingAdvance: clamp(6 + 30 * (1 - load / 100) * Math.min(1, rpm / 2200), -10, 45),
      closedLoop,
      shortTrimB1: closedLoop ? 2.5 * Math.sin(t * 1.7) : 0,
      longTrimB1: 9.4,
      shortTrimB2: closedLoop ? 1.8 * Math.sin(t * 1.3 + 2) : 0,
      longTrimB2: -1.6,
      shortSecondaryTrimB1: closedLoop ? 0.8 * Math.sin(t * 0.2) : 0,
      longSecondaryTrimB1: 1.6,
      shortSecondaryTrimB2: closedLoop ? 0.5 * Math.sin(t * 0.23 + 1) : 0,
      longSecondaryTrimB2: -0.8,
      lambdaB1,
      lambdaB2,
      commandedLambda,
      wideVoltageB1: clamp(3.3 + 1.5 * (lambdaB1 - 1), 0, 7.99),
      wideVoltageB2: clamp(3.3 + 1.5 * (lambdaB2 - 1), 0, 7.99),
      wideCurrentB1: clamp(4 * (lambdaB1 - 1), -127, 127),
      wideCurrentB2: clamp(4 * (lambdaB2 - 1), -127, 127),
      o2VoltageB1S2: closedLoop ? 0.45 + 0.35 * Math.sin(t * 3.9) : 0.1,
      o2VoltageB2S2: closedLoop ? 0.68 + 0.02 * Math.sin(t * 0.3) : 0.1,
      fuelLevel: Math.max(5, 72 - (8 * t) / 3600),
      fuelRate,
      cylinderFuel: strokesPerSecond > 0 ? (fuelGps / strokesPerSecond) * 1000 : 0,
      fuelPressure: 380 + 6 * Math.sin(t * 0.9),
      railPressure: 4000 + 15000 * (load / 100),
      commandedEgr: coolantTemp > 70 && moving && load > 20 && load < 60 ? 12 : 0,
      egrError: coolantTemp > 70 && moving ? 1.5 * Math.sin(t * 0.6) : 0,
      evapPurge: coolantTemp > 60 ? 20 + 12 * Math.sin(t * 0.05) : 0,
      evapPressure: -180 + 40 * Math.sin(t * 0.02),
      ethanol: 10,
      batteryVoltage,
      moduleVoltage: batteryVoltage - 0.1,
      driverDemandTorque: 100 * demand,
      actualTorque: fuelCut ? -8 : load * 0.95,
      frictionTorque: -(5 + (6 * rpm) / MAX_RPM),
      referenceTorque: 350,
      runTime: t,
      odometer: 48213.4 + distance,
      milOn,
      storedDtcCount: this.stored.length,
      transmissionDtcCount: this.transmission.length,
      kmWithMil: milOn ? 37 + distance : 0,
      minutesWithMil: milOn ? 95 + t / 60 : 0,
      kmSinceClear: cleared ? distance - cleared.km : 1873 + distance,
      minutesSinceClear: sinceClear / 60,
      warmupsSinceClear: cleared ? (coolantTemp > 70 ? 1 : 0) : 12,
      readiness,
      readinessThisCycle: readinessAfter(t, coolantTemp),
    };
  }
}

function gearFor(speed: number): number {
  for (let gear = 1; gear < GEAR_TOP_SPEED.length; gear++) if (speed < GEAR_TOP_SPEED[gear]) return gear;
  return 6;
}

/** Which monitors have run to completion after `seconds` of driving (warm engine needed for most). */
function readinessAfter(seconds: number, coolantTemp: number): Readiness {
  const warm = coolantTemp >= 70;
  return {
    misfire: seconds > 60,
    fuelSystem: seconds > 90,
    components: seconds > 30,
    o2Heater: seconds > 120,
    o2Sensor: warm && seconds > 300,
    catalyst: warm && seconds > 600,
    egr: warm && seconds > 700,
    evap: warm && seconds > 900,
  };
}

function checkDtcs(codes: readonly string[], option: string): string[] {
  return codes.map((code) => {
    const upper = code.toUpperCase();
    if (!DTC_PATTERN.test(upper)) {
      throw new TransportError(
        'EINVAL',
        `simulator: ${option} has "${code}"; a DTC looks like P0104 (P, C, B or U, a digit 0-3, three hex digits)`,
      );
    }
    return upper;
  });
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
