/**
 * The two simulated ECUs — engine (CAN 7E0/7E8, address 10) and transmission (7E1/7E9,
 * address 18) — answering J1979 services from the vehicle model. The car profile picks what
 * the engine ECU declares: the petrol V6's own set, or the test bench of full-car.ts. An ECU
 * returns payloads (service byte onward); splitting them into CAN frames or legacy frames with
 * headers and check bytes is frames.ts's job. As on real cars, an ECU stays silent on what it does not
 * support (J1979 forbids negative answers to functional OBD requests), which the adapter
 * shows as NO DATA.
 */
import { bitmapBytes, declaredPids, encodeDtc, ENGINE_PIDS, isBitmapPid, TRANSMISSION_PIDS, type PidEncoder } from './encode.js';
import { fullEngine } from './full-car.js';
import { InfoService, type EcuInfo } from './info.js';
import { ENGINE_MONITORS, MonitorService, type MonitorTest } from './monitors.js';
import type { Vehicle } from './vehicle.js';

/** The car the simulator models: the petrol V6, or a test bench answering every command. */
export type CarProfile = 'petrol' | 'full';
export const CAR_PROFILES: readonly CarProfile[] = ['petrol', 'full'];

/** What only the engine ECU keeps: service 06 results and the freeze frame. */
export interface EngineDiagnostics {
  /** Service 06 test results by MID. */
  readonly monitors: ReadonlyMap<number, readonly MonitorTest[]>;
  /**
   * Whether the freeze frame also holds the monitor statuses (PIDs 01 and 41). J1979 leaves
   * them out; the test bench keeps them so that python-OBD's DTC_STATUS commands answer too.
   */
  readonly freezeMonitorStatus: boolean;
}

/** The engine ECU of a car profile: its service 01 PIDs, service 09 records and diagnostics. */
export interface EngineProfile extends EngineDiagnostics {
  readonly pids: ReadonlyMap<number, PidEncoder>;
  readonly info: EcuInfo;
}

/** Longest payload one legacy (J1850, ISO 9141, KWP) frame carries. */
const LEGACY_MAX_PAYLOAD = 7;
/** J1979 allows up to six PIDs in one service 01 request on CAN. */
const MAX_PIDS_PER_REQUEST = 6;

export interface EcuAddresses {
  /** 11-bit CAN id the ECU answers from (request id is 8 lower). */
  readonly canId: number;
  /** Address on 29-bit CAN (18 DA F1 xx) and on the legacy buses. */
  readonly address: number;
}

export class SimEcu {
  private readonly declared: { can: Set<number>; legacy: Set<number> };
  private readonly info: InfoService;
  private readonly monitors: MonitorService | null;

  constructor(
    readonly name: 'engine' | 'transmission',
    readonly addresses: EcuAddresses,
    private readonly vehicle: Vehicle,
    private readonly pids: ReadonlyMap<number, PidEncoder>,
    info: EcuInfo,
    /** The freeze frame and test results, which only the engine ECU keeps; null for others. */
    private readonly engine: EngineDiagnostics | null,
  ) {
    // A legacy frame cannot carry PIDs with long answers (7C): such an ECU would not declare them.
    const sample = vehicle.stateAt(0);
    const fitsLegacy = [...pids].filter(([, encode]) => 2 + encode(sample).length <= LEGACY_MAX_PAYLOAD).map(([pid]) => pid);
    this.declared = { can: declaredPids(pids.keys()), legacy: declaredPids(fitsLegacy) };
    this.info = new InfoService(info);
    this.monitors = engine ? new MonitorService(engine.monitors) : null;
  }

  private get isEngine(): boolean {
    return this.engine !== null;
  }

  /** Service 01 PIDs this ECU declares (bitmap PIDs included, 00 excluded). */
  supportedPids(legacy: boolean): ReadonlySet<number> {
    return legacy ? this.declared.legacy : this.declared.can;
  }

  supportedInfoTypes(): ReadonlySet<number> {
    return this.info.supported();
  }

  supportedMonitors(): ReadonlySet<number> {
    return this.monitors?.supported() ?? new Set();
  }

  /** Payloads answering `request` (service byte first), or null when this ECU stays silent. */
  respond(request: readonly number[], legacy: boolean): number[][] | null {
    const [service, ...args] = request;
    switch (service) {
      case 0x01:
        return one(this.currentData(args, legacy));
      case 0x02:
        return one(this.isEngine ? this.freezeFrameData(args, legacy) : null);
      case 0x03:
        return args.length === 0
          ? this.dtcReport(0x43, this.isEngine ? this.vehicle.storedDtcs() : this.vehicle.transmissionDtcs(), legacy)
          : null;
      case 0x07:
        return args.length === 0 ? this.dtcReport(0x47, this.isEngine ? this.vehicle.pendingDtcs() : [], legacy) : null;
      case 0x0a:
        return args.length === 0 ? this.dtcReport(0x4a, this.isEngine ? this.vehicle.permanentDtcs() : [], legacy) : null;
      case 0x04:
        // A clear goes to every ECU at once (functional request); the vehicle forgets all codes once.
        if (args.length !== 0) return null;
        if (this.isEngine) this.vehicle.clearDtcs();
        return [[0x44]];
      case 0x14:
        // UDS ClearDiagnosticInformation with a 3-byte group of DTCs (FFFFFF: all), on CAN.
        if (legacy || args.length !== 3) return null;
        if (this.isEngine) this.vehicle.clearDtcs();
        return [[0x54]];
      case 0x06:
        return !legacy && args.length === 1 && this.monitors ? one(this.monitors.respond(args[0])) : null;
      case 0x09:
        return args.length === 1 ? this.info.respond(args[0], legacy) : null;
      default:
        return null;
    }
  }

  private currentData(pids: readonly number[], legacy: boolean): number[] | null {
    // Several PIDs in one request is a CAN-only feature.
    if (pids.length === 0 || pids.length > (legacy ? 1 : MAX_PIDS_PER_REQUEST)) return null;
    const declared = this.supportedPids(legacy);
    const state = this.vehicle.state();
    const out = [0x41];
    for (const pid of pids) {
      if (isBitmapPid(pid)) {
        if (pid === 0 || declared.has(pid)) out.push(pid, ...bitmapBytes(pid, declared));
        continue;
      }
      const encode = declared.has(pid) ? this.pids.get(pid) : undefined;
      if (encode) out.push(pid, ...encode(state));
    }
    return out.length > 1 ? out : null;
  }

  /**
   * Service 02, frame 00 only. The frame holds every service 01 PID of this ECU except the
   * monitor statuses (01, 41), which J1979 leaves out of freeze frames (the test bench keeps
   * them), plus PID 02: the DTC that stored it (0000 once cleared, when nothing else is left).
   * J1979 puts the frame number after the PID, in the request and in the answer; python-OBD
   * sends "020C" without it (and expects none back), so a request without a frame number is
   * answered without one.
   */
  private freezeFrameData(args: readonly number[], legacy: boolean): number[] | null {
    if (args.length < 1 || args.length > 2) return null;
    const [pid, frame] = args;
    if (frame !== undefined && frame !== 0) return null;
    const freeze = this.vehicle.freezeFrame();
    const keepStatus = this.engine?.freezeMonitorStatus === true;
    const frozen = freeze
      ? [...this.supportedPids(legacy)].filter((p) => !isBitmapPid(p) && (keepStatus || (p !== 0x01 && p !== 0x41)))
      : [];
    const declared = declaredPids([0x02, ...frozen]);
    let data: number[] | null = null;
    if (isBitmapPid(pid)) data = pid === 0 || declared.has(pid) ? bitmapBytes(pid, declared) : null;
    else if (pid === 0x02) data = freeze ? encodeDtc(freeze.dtc) : [0x00, 0x00];
    else if (freeze && declared.has(pid)) data = this.pids.get(pid)?.(freeze.state) ?? null;
    if (!data) return null;
    return [0x42, pid, ...(frame === undefined ? [] : [frame]), ...data];
  }

  /**
   * DTC lists. CAN: one message, a count byte then two bytes per code. Legacy: frames of
   * three codes each, zero-filled; an ECU with no codes still answers one frame of zeros.
   */
  private dtcReport(reply: number, codes: readonly string[], legacy: boolean): number[][] {
    const bytes = codes.flatMap(encodeDtc);
    if (!legacy) return [[reply, codes.length, ...bytes]];
    const frames: number[][] = [];
    for (let i = 0; i === 0 || i < bytes.length; i += 6) {
      const chunk = bytes.slice(i, i + 6);
      frames.push([reply, ...chunk, ...new Array<number>(6 - chunk.length).fill(0)]);
    }
    return frames;
  }
}

function one(payload: number[] | null): number[][] | null {
  return payload ? [payload] : null;
}

/** In-use performance tracking (spark): OBDCOND, IGNCNTR, then completions/conditions per monitor. */
const ENGINE_IPT = [48, 412, 41, 48, 46, 48, 45, 48, 47, 48, 40, 48, 0, 0, 22, 48];

/** The V6's engine ECU. */
function petrolEngine(vehicle: Vehicle): EngineProfile {
  return {
    pids: ENGINE_PIDS,
    info: {
      vin: vehicle.vin,
      calibrationId: 'OBDIOSIM-ECM-042',
      cvn: [0x1a, 0x2b, 0x3c, 0x4d],
      performanceTracking: ENGINE_IPT,
      name: ['ECM', 'EngineControl'],
    },
    monitors: ENGINE_MONITORS,
    freezeMonitorStatus: false,
  };
}

/** The simulated car's ECUs, in the order they win CAN arbitration (lower id first). */
export function createEcus(vehicle: Vehicle, car: CarProfile = 'petrol'): SimEcu[] {
  const petrol = petrolEngine(vehicle);
  const engine = car === 'full' ? fullEngine(petrol, vehicle) : petrol;
  return [
    new SimEcu('engine', { canId: 0x7e8, address: 0x10 }, vehicle, engine.pids, engine.info, engine),
    new SimEcu(
      'transmission',
      { canId: 0x7e9, address: 0x18 },
      vehicle,
      TRANSMISSION_PIDS,
      {
        calibrationId: 'OBDIOSIM-TCM-017',
        cvn: [0x5e, 0x6f, 0x70, 0x81],
        name: ['TCM', 'TransmissionCtl'],
      },
      null,
    ),
  ];
}
