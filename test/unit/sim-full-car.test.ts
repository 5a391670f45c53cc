/**
 * The "full" car profile (a test bench): its engine ECU declares every service 01/06/09 PID of
 * the command tables, every command of allCommands answers through the driver and ObdConnection
 * with a value, and a sample of the new PIDs decodes to what SAE J1979's formulas give for the
 * vehicle state. The petrol profile stays exactly as it was.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Elm327 } from '../../src/elm327/driver.js';
import { allCommands, commandByName, commandMode, commandPid } from '../../src/obd/commands/index.js';
import { CLEAR_DTC } from '../../src/obd/commands/mode04.js';
import { ObdConnection } from '../../src/obd/connection.js';
import { drop } from '../../src/obd/decoders.js';
import type { SimEcu } from '../../src/sim/ecu.js';
import { SimulatedElm327, type SimulatorOptions } from '../../src/sim/elm.js';
import { SimTransport } from '../../src/sim/sim-transport.js';
import { DEFAULT_DTCS } from '../../src/sim/vehicle.js';
import { TransportError } from '../../src/transport/transport.js';

const hex = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');

function engineOf(options: SimulatorOptions): SimEcu {
  const ecu = new SimulatedElm327(options).ecus.find((e) => e.name === 'engine');
  assert.ok(ecu);
  return ecu;
}

/** PIDs of a service's commands, 00 (always answered, never declared) left out. */
function tablePids(mode: number): number[] {
  return allCommands
    .filter((cmd) => commandMode(cmd) === mode)
    .map((cmd) => commandPid(cmd))
    .filter((pid): pid is number => pid !== null && pid !== 0);
}

/** Follows a service's bitmap chain on one ECU, as a scan tool does. */
function walkBitmaps(ecu: SimEcu, service: number): Set<number> {
  const declared = new Set<number>();
  for (let base = 0; base <= 0xe0; base += 0x20) {
    if (base !== 0 && !declared.has(base)) break;
    const [payload] = ecu.respond([service, base], false) ?? [];
    assert.ok(payload, `service ${hex(service)} bitmap ${hex(base)} not answered`);
    assert.deepEqual(payload.slice(0, 2), [service + 0x40, base]);
    payload.slice(2, 6).forEach((byte, i) => {
      for (let bit = 0; bit < 8; bit++) if (byte & (0x80 >> bit)) declared.add(base + i * 8 + bit + 1);
    });
  }
  return declared;
}

/**
 * Data lengths SAE J1979-DA gives the PIDs our table reads raw (length 0); the fixed-length ones
 * are checked against the table itself.
 */
const J1979_RAW_LENGTHS: Readonly<Record<number, number>> = {
  0x6b: 5,
  0x6d: 11,
  0x6e: 9,
  0x75: 7,
  0x76: 7,
  0x7a: 7,
  0x7b: 7,
  0x81: 41,
  0x82: 41,
  0x85: 10,
  0x86: 5,
  0x88: 13,
  0x89: 41,
  0x8a: 41,
  0x8b: 7,
  0x8c: 17,
  0x8f: 7,
  0x90: 3,
  0x91: 5,
  0x92: 2,
  0x93: 3,
  0x94: 12,
  0x98: 9,
  0x99: 9,
  0x9a: 6,
  0x9b: 4,
  0x9c: 17,
  0x9f: 9,
  0xa3: 9,
  0xa7: 4,
  0xa8: 4,
  0xc3: 2,
  0xc4: 8,
};

describe('simulator, car "full": declared services', () => {
  const engine = engineOf({ car: 'full' });

  it('declares every service 01, 06 and 09 PID of the command tables', () => {
    for (const [mode, declared] of [
      [0x01, engine.supportedPids(false)],
      [0x06, engine.supportedMonitors()],
      [0x09, engine.supportedInfoTypes()],
    ] as const) {
      const missing = tablePids(mode).filter((pid) => !declared.has(pid));
      assert.deepEqual(missing.map(hex), [], `service ${hex(mode)} PIDs not declared`);
    }
    // The bitmaps a scan tool reads say the same.
    assert.deepEqual([...walkBitmaps(engine, 0x01)].sort(), [...engine.supportedPids(false)].sort());
    assert.deepEqual([...walkBitmaps(engine, 0x06)].sort(), [...engine.supportedMonitors()].sort());
  });

  it('answers each service 01 PID with its J1979 data length', () => {
    for (const cmd of allCommands.filter((c) => commandMode(c) === 0x01)) {
      const pid = commandPid(cmd) as number;
      const [payload] = engine.respond([0x01, pid], false) ?? [];
      assert.ok(payload, `${cmd.name} not answered`);
      assert.deepEqual(payload.slice(0, 2), [0x41, pid]);
      const expected = cmd.bytes > 0 ? cmd.bytes : 2 + J1979_RAW_LENGTHS[pid];
      assert.equal(payload.length, expected, `${cmd.name} (${hex(pid)}) length`);
    }
  });

  it('the freeze frame holds every service 01 PID, monitor statuses included, and 02 names its DTC', () => {
    const frozen = walkBitmaps(engine, 0x02);
    assert.deepEqual([...frozen].sort(), [...engine.supportedPids(false)].sort());
    assert.deepEqual(engine.respond([0x02, 0x02], false), [[0x42, 0x02, 0x01, 0x04]], 'P0104 stored the frame');
    const [status] = engine.respond([0x02, 0x01], false) ?? [];
    assert.equal(status?.[2], 0x80 | DEFAULT_DTCS.length, 'MIL on and the stored DTC count at the time');
  });

  it('on a legacy bus declares only the PIDs whose answer fits one frame', () => {
    const legacy = engineOf({ car: 'full', protocol: '3' });
    const declared = legacy.supportedPids(true);
    for (const pid of [0x12, 0x14, 0x1d, 0x53, 0x5d, 0x64, 0x87, 0xa5]) assert.ok(declared.has(pid), `${hex(pid)} missing`);
    for (const pid of [0x68, 0x70, 0x7f, 0x81, 0x8c, 0xc4]) assert.ok(!declared.has(pid), `${hex(pid)} too long for one frame`);
    for (const pid of declared) {
      if (pid % 0x20 === 0) continue;
      const [payload] = legacy.respond([0x01, pid], true) ?? [];
      assert.ok(payload && payload.length <= 7, `${hex(pid)} answer fits a legacy frame`);
    }
  });

  it('keeps the transmission ECU as the petrol car has it', () => {
    const tcm = (car: 'petrol' | 'full'): SimEcu => new SimulatedElm327({ car }).ecus.find((e) => e.name === 'transmission') as SimEcu;
    assert.deepEqual([...tcm('full').supportedPids(false)], [...tcm('petrol').supportedPids(false)]);
    assert.deepEqual([...tcm('full').supportedInfoTypes()], [...tcm('petrol').supportedInfoTypes()]);
    assert.equal(tcm('full').supportedMonitors().size, 0);
  });
});

describe('simulator, car "full": every command through the driver', () => {
  const START = 1_700_000_000_000;

  /** A connection to the bench, its clock `seconds` into the drive (engine warm, on the motorway at 900 s). */
  async function connectFull(seconds: number) {
    let nowMs = START;
    const transport = new SimTransport({ car: 'full', now: () => nowMs });
    nowMs = START + seconds * 1000;
    const elm = new Elm327(transport, { baudrate: 38400, protocol: 'auto', timeout: 500, checkVoltage: true, startLowPower: false });
    await elm.connect();
    const obd = new ObdConnection(elm, { fast: true, allowClearDtc: false });
    await obd.loadSupportedCommands();
    return { obd, state: transport.elm.vehicle.state() };
  }

  async function value(obd: ObdConnection, name: string): Promise<unknown> {
    const cmd = commandByName(name);
    assert.ok(cmd, name);
    const { response } = await obd.query(cmd);
    return response.value;
  }

  it('every command but CLEAR_DTC gives a value and a unit (those python-OBD decodes at all)', async () => {
    const { obd } = await connectFull(900);
    try {
      const decodable = allCommands.filter((cmd) => cmd !== CLEAR_DTC && cmd.decoder !== drop);
      assert.ok(decodable.length > 400, `${decodable.length} commands`);
      const failed: string[] = [];
      for (const cmd of decodable) {
        const { response, failure } = await obd.query(cmd);
        if (response.value === null || response.unit === null) failed.push(`${cmd.name}: ${failure?.message ?? 'no value'}`);
      }
      assert.deepEqual(failed, []);
    } finally {
      await obd.close();
    }
  });

  it('new PIDs decode to the J1979 formula applied to the vehicle state', async () => {
    const { obd, state: s } = await connectFull(900);
    try {
      assert.equal(await value(obd, 'AIR_STATUS'), 'From the outside atmosphere or off', 'warm engine: secondary air off');
      assert.equal(((await value(obd, 'FREEZE_DTC')) as string[])[0], DEFAULT_DTCS[0]);
      assert.deepEqual(await value(obd, 'O2_SENSORS_ALT'), [[], [true, true], [true, true], [true, true], [true, true]]);
      // 22: 0.079 kPa per bit; the rail is held above the manifold: gauge pressure plus manifold vacuum.
      assert.equal(
        await value(obd, 'FUEL_RAIL_PRESSURE_VAC'),
        Math.round((s.fuelPressure + s.baroPressure - s.intakePressure) / 0.079) * 0.079,
      );
      // 53: (256A + B) / 200 kPa absolute; 54: 256A + B − 32767 Pa.
      assert.equal(await value(obd, 'EVAP_VAPOR_PRESSURE_ABS'), Math.round((s.baroPressure * 1000 + s.evapPressure) / 5) / 200);
      assert.equal(await value(obd, 'EVAP_VAPOR_PRESSURE_ALT'), Math.round(s.evapPressure + 32767) - 32767);
      // 59: 10 kPa per bit, absolute.
      assert.equal(await value(obd, 'FUEL_RAIL_PRESSURE_ABS'), Math.round((s.railPressure + s.baroPressure) / 10) * 10);
      // 5D: (256A + B) / 128 − 210 degrees.
      assert.equal(await value(obd, 'FUEL_INJECT_TIMING'), Math.round((2 + (10 * s.load) / 100 + 210) * 128) / 128 - 210);
      // 64: A − 125 % for idle and points 1-4.
      assert.deepEqual(await value(obd, 'ENGINE_PERCENT_TORQUE_DATA'), { idle: 15, point_1: 100, point_2: 95, point_3: 82, point_4: 60 });
      // 66: two MAF sensors sharing the flow, (256B + C) / 32 g/s.
      const halfMaf = Math.round((s.maf / 2) * 32) / 32;
      assert.deepEqual(await value(obd, 'MAF_SENSOR_AB'), { sensor_a: halfMaf, sensor_b: halfMaf });
      // 67: B − 40 °C, C − 40 °C (radiator outlet 4 °C cooler).
      assert.deepEqual(await value(obd, 'COOLANT_TEMP_12'), {
        sensor_1: Math.round(s.coolantTemp + 40) - 40,
        sensor_2: Math.round(s.coolantTemp - 4 + 40) - 40,
      });
      // 87: (256B + C) / 32 kPa for both MAP sensors.
      const map = Math.round(s.intakePressure * 32) / 32;
      assert.deepEqual(await value(obd, 'INTAKE_PRESSURE_AB'), { sensor_a: map, sensor_b: map });
      // 9D: (256A + B) / 50 g/s; petrol is 0.745 kg/l.
      const fuel = Math.round(((s.fuelRate * 0.745) / 3.6) * 50) / 50;
      assert.deepEqual(await value(obd, 'ENGINE_FUEL_RATE'), { engine: fuel, vehicle: fuel });
      assert.deepEqual(await value(obd, 'TRANSMISSION_ACTUAL_GEAR'), { gear: s.gear, ratio: s.gearRatio });
      // 09 0B: eighteen counters in J1979's order.
      assert.deepEqual(await value(obd, 'PERF_TRACKING_COMPRESSION'), {
        OBDCOND: 48,
        IGNCNTR: 412,
        HCCATCOMP: 41,
        HCCATCOND: 48,
        NCATCOMP: 44,
        NCATCOND: 48,
        NADSCOMP: 40,
        NADSCOND: 48,
        PMCOMP: 46,
        PMCOND: 48,
        EGSCOMP: 45,
        EGSCOND: 48,
        EGRCOMP: 40,
        EGRCOND: 48,
        BPCOMP: 47,
        BPCOND: 48,
        FUELCOMP: 43,
        FUELCOND: 48,
      });
    } finally {
      await obd.close();
    }
  });

  it('new service 06 monitors: standard TIDs by name, signed manufacturer results', async () => {
    const { obd } = await connectFull(900);
    try {
      const o2 = (await value(obd, 'MONITOR_O2_B3S1')) as Array<{ tid: number; name: string; value: number; unit: string }>;
      assert.deepEqual(
        o2.map((t) => [t.tid, t.name, t.unit]),
        [
          [0x01, 'RTL_THRESHOLD_VOLTAGE', 'millivolt'],
          [0x05, 'RTL_SWITCH_TIME', 'millisecond'],
          [0x06, 'LTR_SWITCH_TIME', 'millisecond'],
        ],
      );
      // 0.45 V in 0.122 mV steps.
      assert.equal(o2[0].value, Math.round(0.45 / 0.000122) * 0.122);
      // UAS 9C: signed, 0.01° per bit.
      assert.deepEqual(await value(obd, 'MONITOR_VVT_B2'), [
        { tid: 0x80, name: 'Unknown', desc: 'Unknown', value: -80 * 0.01, min: -500 * 0.01, max: 500 * 0.01, unit: 'degree' },
      ]);
      const misfire = (await value(obd, 'MONITOR_MISFIRE_CYLINDER_12')) as Array<{ name: string; value: number }>;
      assert.deepEqual(
        misfire.map((t) => [t.name, t.value]),
        [
          ['MISFIRE_AVERAGE', 0],
          ['MISFIRE_COUNT', 0],
        ],
      );
      // The V6's own results stay: bank 1 catalyst above its limit.
      assert.deepEqual(
        ((await value(obd, 'MONITOR_CATALYST_B1')) as Array<{ value: number; max: number }>).map((t) => [t.value, t.max]),
        [[180, 150]],
      );
    } finally {
      await obd.close();
    }
  });

  it('secondary air is pumped upstream during a cold start', async () => {
    const { obd } = await connectFull(10);
    try {
      assert.equal(await value(obd, 'AIR_STATUS'), 'Upstream');
    } finally {
      await obd.close();
    }
  });
});

describe('simulator, car option', () => {
  /** What the V6's ECUs declared before the full profile existed. */
  const PETROL_01 = [
    0x01, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x13, 0x15, 0x19, 0x1c, 0x1e, 0x1f,
    0x20, 0x21, 0x23, 0x24, 0x28, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x38, 0x3c, 0x3d, 0x40, 0x41, 0x42, 0x43, 0x44,
    0x45, 0x46, 0x47, 0x49, 0x4a, 0x4c, 0x4d, 0x4e, 0x4f, 0x50, 0x51, 0x52, 0x55, 0x56, 0x57, 0x58, 0x5a, 0x5c, 0x5e, 0x60, 0x61, 0x62,
    0x63, 0x7c, 0x80, 0x8e, 0xa0, 0xa2, 0xa6,
  ];
  const PETROL_06 = [
    0x01, 0x02, 0x05, 0x06, 0x20, 0x21, 0x22, 0x31, 0x3c, 0x40, 0x60, 0x80, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
  ];
  const PETROL_09 = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a];
  const sorted = (set: ReadonlySet<number>): number[] => [...set].sort((a, b) => a - b);

  for (const options of [{}, { car: 'petrol' }] as const) {
    it(`${JSON.stringify(options)}: the petrol V6 declares exactly what it did`, () => {
      const engine = engineOf(options);
      assert.deepEqual(sorted(engine.supportedPids(false)), PETROL_01);
      assert.deepEqual(sorted(engine.supportedMonitors()), PETROL_06);
      assert.deepEqual(sorted(engine.supportedInfoTypes()), PETROL_09);
      assert.equal(engine.respond([0x01, 0x12], false), null, 'no secondary air');
      assert.equal(engine.respond([0x09, 0x0b], false), null, 'no compression-ignition tracking');
      assert.deepEqual(engine.respond([0x01, 0x13], false), [[0x41, 0x13, 0x33]], 'O2 sensors: banks 1-2, sensors 1-2');
      // J1979's freeze frame: no monitor status.
      assert.equal(engine.respond([0x02, 0x01], false), null);
    });
  }

  it('an unknown car is a TransportError EINVAL naming the choices', () => {
    for (const car of ['diesel', 'FULL', '', 42]) {
      assert.throws(
        () => new SimTransport({ car: car as unknown as SimulatorOptions['car'] }),
        (error: unknown) => error instanceof TransportError && error.code === 'EINVAL' && /car must be petrol or full/.test(error.message),
      );
    }
  });
});
