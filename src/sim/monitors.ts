/**
 * Service 06 (on-board monitoring test results), CAN layout only: each test result is nine
 * bytes — MID, TID, unit-and-scaling ID, then value, minimum and maximum as 16-bit numbers.
 * The values tell the same story as the DTCs: the bank 1 catalyst test fails (P0420), bank 2
 * passes. Non-CAN vehicles report service 06 differently; the simulator leaves it out there.
 */
import { bitmapBytes, declaredPids } from './encode.js';

export interface MonitorTest {
  readonly tid: number;
  /** Unit and scaling ID (J1979 appendix E): 0x01 raw count, 0x0A 0.122 mV, 0x10 1 ms, 0x24 counts. */
  readonly uas: number;
  readonly value: number;
  readonly min: number;
  readonly max: number;
}

/** Volts in units of 0.122 mV (UAS 0x0A). */
export const mv122 = (volts: number): number => Math.round(volts / 0.000122);

export const misfireTests = (average: number): MonitorTest[] => [
  { tid: 0x0b, uas: 0x24, value: average, min: 0, max: 0xffff },
  { tid: 0x0c, uas: 0x24, value: 0, min: 0, max: 0xffff },
];

/** The V6's engine monitors by MID. TIDs 80 and up are manufacturer-defined, as on real cars. */
export const ENGINE_MONITORS: ReadonlyMap<number, readonly MonitorTest[]> = new Map([
  // Wide-range upstream sensors: response time (ms).
  [0x01, [{ tid: 0x87, uas: 0x10, value: 118, min: 0, max: 300 }]],
  [0x05, [{ tid: 0x87, uas: 0x10, value: 121, min: 0, max: 300 }]],
  // Narrow-band downstream sensors: minimum and maximum voltage over the test.
  [
    0x02,
    [
      { tid: 0x07, uas: 0x0a, value: mv122(0.08), min: 0, max: mv122(0.4) },
      { tid: 0x08, uas: 0x0a, value: mv122(0.86), min: mv122(0.6), max: 0xffff },
    ],
  ],
  [
    0x06,
    [
      { tid: 0x07, uas: 0x0a, value: mv122(0.07), min: 0, max: mv122(0.4) },
      { tid: 0x08, uas: 0x0a, value: mv122(0.84), min: mv122(0.6), max: 0xffff },
    ],
  ],
  // Catalysts: oxygen storage index; bank 1 is above its limit (failed).
  [0x21, [{ tid: 0x80, uas: 0x01, value: 180, min: 0, max: 150 }]],
  [0x22, [{ tid: 0x80, uas: 0x01, value: 75, min: 0, max: 150 }]],
  // EGR flow and the small-leak evap test.
  [0x31, [{ tid: 0x81, uas: 0x01, value: 512, min: 300, max: 900 }]],
  [0x3c, [{ tid: 0x83, uas: 0x01, value: 95, min: 0, max: 255 }]],
  // Misfire: general, then cylinders 1-6 (average over ten cycles, this cycle).
  [0xa1, misfireTests(2)],
  [0xa2, misfireTests(1)],
  [0xa3, misfireTests(0)],
  [0xa4, misfireTests(0)],
  [0xa5, misfireTests(1)],
  [0xa6, misfireTests(0)],
  [0xa7, misfireTests(0)],
]);

/** 16 bits; a negative number (signed UAS ids) goes out as its two's complement. */
const word = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];

/** Answers service 06 requests of the engine ECU from its test results by MID. */
export class MonitorService {
  private readonly declared: ReadonlySet<number>;

  constructor(private readonly monitors: ReadonlyMap<number, readonly MonitorTest[]> = ENGINE_MONITORS) {
    this.declared = declaredPids(monitors.keys());
  }

  supported(): ReadonlySet<number> {
    return this.declared;
  }

  /** The response to `06 mid`, or null when the MID is not supported. */
  respond(mid: number): number[] | null {
    if (mid % 0x20 === 0) {
      if (mid !== 0 && !this.declared.has(mid)) return null;
      return [0x46, mid, ...bitmapBytes(mid, this.declared)];
    }
    const tests = this.monitors.get(mid);
    if (!tests) return null;
    return [0x46, ...tests.flatMap((t) => [mid, t.tid, t.uas, ...word(t.value), ...word(t.min), ...word(t.max)])];
  }
}
