/**
 * Service 09 (vehicle information): VIN, calibration IDs, CVNs, in-use performance tracking
 * and the ECU name, laid out the two ways J1979 sends them. On CAN one message carries the
 * number of data items and all the bytes (ISO-TP splits it); on the older protocols each
 * message carries a sequence number and four bytes, and the "message count" InfoTypes
 * (01, 03, 05, 07, 09) count those messages instead of data items.
 */
import { asciiBytes, bitmapBytes, declaredPids } from './encode.js';

export interface EcuInfo {
  /** 17 characters, engine ECU only. */
  readonly vin?: string;
  /** One calibration ID, up to 16 characters. */
  readonly calibrationId: string;
  /** Its calibration verification number, 4 bytes. */
  readonly cvn: readonly number[];
  /** In-use performance tracking counters (spark ignition, 16 values), if this ECU keeps them. */
  readonly performanceTracking?: readonly number[];
  /** In-use performance tracking counters (compression ignition, InfoType 0B, 18 values), if kept. */
  readonly compressionTracking?: readonly number[];
  /** Acronym (up to 4 characters) and name (up to 15), e.g. ["ECM", "EngineControl"]. */
  readonly name: readonly [string, string];
}

/** A data InfoType: its data items as bytes, and the count InfoType that belongs to it, if any. */
interface InfoItems {
  readonly items: number[][];
  readonly countPid: number | null;
}

/** Each counter is one data item of two bytes. */
const counterItems = (counters: readonly number[]): number[][] => counters.map((v) => [(v >> 8) & 0xff, v & 0xff]);

function infoItems(info: EcuInfo): Map<number, InfoItems> {
  const items = new Map<number, InfoItems>();
  if (info.vin) items.set(0x02, { items: [asciiBytes(info.vin, 17)], countPid: 0x01 });
  items.set(0x04, { items: [asciiBytes(info.calibrationId, 16)], countPid: 0x03 });
  items.set(0x06, { items: [[...info.cvn]], countPid: 0x05 });
  if (info.performanceTracking) items.set(0x08, { items: counterItems(info.performanceTracking), countPid: 0x07 });
  // 07 counts the messages of 08 only; 0B gets no count InfoType here.
  if (info.compressionTracking) items.set(0x0b, { items: counterItems(info.compressionTracking), countPid: null });
  // ECU name: 4-byte acronym, '-', 15-byte name, both padded with 00.
  const [acronym, name] = info.name;
  items.set(0x0a, { items: [[...asciiBytes(acronym, 4), 0x2d, ...asciiBytes(name, 15)]], countPid: 0x09 });
  return items;
}

/** Answers service 09 requests for one ECU. */
export class InfoService {
  private readonly items: Map<number, InfoItems>;
  private readonly declared: Set<number>;

  constructor(info: EcuInfo) {
    this.items = infoItems(info);
    const pids = [...this.items.entries()].flatMap(([pid, entry]) => (entry.countPid === null ? [pid] : [pid, entry.countPid]));
    this.declared = declaredPids(pids);
  }

  /** InfoTypes answered besides 00 (for tests and bitmaps). */
  supported(): ReadonlySet<number> {
    return this.declared;
  }

  /** Messages answering `09 pid` (CAN: one message; legacy: one per frame), or null when unsupported. */
  respond(pid: number, legacy: boolean): number[][] | null {
    if (pid % 0x20 === 0) {
      if (pid !== 0 && !this.declared.has(pid)) return null;
      return [[0x49, pid, ...bitmapBytes(pid, this.declared)]];
    }
    const data = this.items.get(pid);
    if (data) return legacy ? legacyFrames(pid, data.items.flat()) : [[0x49, pid, data.items.length, ...data.items.flat()]];
    for (const entry of this.items.values()) {
      if (entry.countPid !== pid) continue;
      const count = legacy ? Math.ceil(entry.items.flat().length / 4) : entry.items.length;
      return [[0x49, pid, count]];
    }
    return null;
  }
}

/** Legacy layout: data left-padded with 00 to whole groups of four, one numbered frame per group. */
function legacyFrames(pid: number, bytes: number[]): number[][] {
  const padded = [...new Array<number>((4 - (bytes.length % 4)) % 4).fill(0), ...bytes];
  const frames: number[][] = [];
  for (let i = 0; i < padded.length; i += 4) frames.push([0x49, pid, i / 4 + 1, ...padded.slice(i, i + 4)]);
  return frames;
}
