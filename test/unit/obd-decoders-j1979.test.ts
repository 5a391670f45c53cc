/**
 * Decoders of the SAE J1979 PIDs python-OBD lacks (service 01 60-C4, service 09 07-0B).
 * Expected values are worked out by hand from the J1979 formulas.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Decoded } from '../../src/obd/command.js';
import { commandByName } from '../../src/obd/commands/index.js';
import { decodeMessages } from '../../src/obd/decode.js';
import { canMessage } from '../helpers/messages.js';

function decode(name: string, hex: string): Decoded | null {
  const cmd = commandByName(name);
  assert.ok(cmd, `no command ${name}`);
  return decodeMessages(cmd, [canMessage(hex)]);
}

const DICT = "<class 'dict'>";

describe('service 01 PIDs 60-C4', () => {
  it('torque: A - 125 %, reference torque 256A + B N·m', () => {
    assert.deepEqual(decode('DEMAND_TORQUE', '41 61 96'), { value: 25, unit: 'percent' });
    assert.deepEqual(decode('ACTUAL_TORQUE', '41 62 00'), { value: -125, unit: 'percent' });
    assert.deepEqual(decode('ENGINE_FRICTION_TORQUE', '41 8E 8C'), { value: 15, unit: 'percent' });
    assert.deepEqual(decode('REFERENCE_TORQUE', '41 63 01 F4'), { value: 500, unit: 'newton_meter' });
    assert.deepEqual(decode('ENGINE_PERCENT_TORQUE_DATA', '41 64 7D 80 90 A0 B0'), {
      value: { idle: 0, point_1: 3, point_2: 19, point_3: 35, point_4: 51 },
      unit: 'percent',
    });
  });

  it('AUX_IO: supported states as booleans, unsupported ones null', () => {
    // A = 0101: PTO and manual gear supported; B = 0001: PTO active, not in gear
    assert.deepEqual(decode('AUX_IO', '41 65 05 01'), {
      value: { pto_active: true, drive: null, in_gear: false, glow_plug_lamp: null },
      unit: DICT,
    });
  });

  it('MAF_SENSOR_AB: (256X + Y) / 32 g/s per supported sensor', () => {
    assert.deepEqual(decode('MAF_SENSOR_AB', '41 66 01 0C 80 00 00'), { value: { sensor_a: 100, sensor_b: null }, unit: 'gps' });
    assert.deepEqual(decode('MAF_SENSOR_AB', '41 66 03 0C 80 00 10'), { value: { sensor_a: 100, sensor_b: 0.5 }, unit: 'gps' });
  });

  it('temperature records: X - 40 °C', () => {
    assert.deepEqual(decode('COOLANT_TEMP_12', '41 67 03 5A 64'), { value: { sensor_1: 50, sensor_2: 60 }, unit: 'degree_Celsius' });
    assert.deepEqual(decode('INTAKE_TEMP_SENSORS', '41 68 09 50 00 00 46 00 00'), {
      value: { bank1_sensor1: 40, bank1_sensor2: null, bank1_sensor3: null, bank2_sensor1: 30, bank2_sensor2: null, bank2_sensor3: null },
      unit: 'degree_Celsius',
    });
    assert.deepEqual(decode('CHARGE_AIR_COOLER_TEMP', '41 77 01 64 00 00 00'), {
      value: { bank1_sensor1: 60, bank1_sensor2: null, bank2_sensor1: null, bank2_sensor2: null },
      unit: 'degree_Celsius',
    });
    assert.deepEqual(decode('MANIFOLD_SURFACE_TEMP', '41 84 A0'), { value: 120, unit: 'degree_Celsius' });
  });

  it('wide temperatures: (256X + Y) / 10 - 40 °C', () => {
    assert.deepEqual(decode('EGT_B1', '41 78 01 1B 58 00 00 00 00 00 00'), {
      value: { sensor_1: 660, sensor_2: null, sensor_3: null, sensor_4: null },
      unit: 'degree_Celsius',
    });
    assert.deepEqual(decode('DPF_TEMP', '41 7C 0F 0F A0 0F A0 11 94 11 94'), {
      value: { bank1_inlet: 360, bank1_outlet: 360, bank2_inlet: 410, bank2_outlet: 410 },
      unit: 'degree_Celsius',
    });
  });

  it('EGR_DATA: duty cycles X * 100 / 255 %, error (X - 128) * 100 / 128 %', () => {
    assert.deepEqual(decode('EGR_DATA', '41 69 07 80 40 A0 00 00 00'), {
      value: { commanded_a: (128 * 100) / 255, actual_a: (64 * 100) / 255, error_a: 25, commanded_b: null, actual_b: null, error_b: null },
      unit: 'percent',
    });
  });

  it('turbo and boost records', () => {
    assert.deepEqual(decode('TURBO_RPM', '41 74 01 09 C4 00 00'), {
      value: { turbo_a: 25000, turbo_b: null },
      unit: 'revolutions_per_minute',
    });
    assert.deepEqual(decode('TURBO_INLET_PRESSURE', '41 6F 03 62 63'), { value: { sensor_a: 98, sensor_b: 99 }, unit: 'kilopascal' });
    assert.deepEqual(decode('BOOST_PRESSURE_CONTROL', '41 70 03 0C 80 0D 00 00 00 00 00 00'), {
      value: { commanded_a: 100, actual_a: 104, commanded_b: null, actual_b: null },
      unit: 'kilopascal',
    });
    assert.deepEqual(decode('WASTEGATE_CONTROL', '41 72 03 FF 00 00 00'), {
      value: { commanded_a: 100, actual_a: 0, commanded_b: null, actual_b: null },
      unit: 'percent',
    });
    assert.deepEqual(decode('EXHAUST_PRESSURE', '41 73 01 27 10 00 00'), {
      value: { bank1: 10000 * 0.01, bank2: null },
      unit: 'kilopascal',
    });
    assert.deepEqual(decode('INTAKE_PRESSURE_AB', '41 87 01 0C A0 00 00'), {
      value: { sensor_a: 101, sensor_b: null },
      unit: 'kilopascal',
    });
  });

  it('ENGINE_RUN_TIME: 32-bit seconds', () => {
    assert.deepEqual(decode('ENGINE_RUN_TIME', '41 7F 07 00 00 0E 10 00 00 01 2C 00 00 00 00'), {
      value: { total: 3600, idle: 300, pto: 0 },
      unit: 'second',
    });
  });

  it('NOX_SENSOR: 256X + Y ppm', () => {
    assert.deepEqual(decode('NOX_SENSOR', '41 83 05 00 C8 00 00 01 00 00 00'), {
      value: { bank1_sensor1: 200, bank1_sensor2: null, bank2_sensor1: 256, bank2_sensor2: null },
      unit: 'ppm',
    });
  });

  it('single values', () => {
    assert.deepEqual(decode('THROTTLE_POS_G', '41 8D FF'), { value: 100, unit: 'percent' });
    assert.deepEqual(decode('ENGINE_FUEL_RATE', '41 9D 01 F4 02 58'), { value: { engine: 10, vehicle: 12 }, unit: 'gps' });
    assert.deepEqual(decode('EXHAUST_FLOW_RATE', '41 9E 03 E8'), { value: 200, unit: 'kilogram / hour' });
    assert.deepEqual(decode('CYLINDER_FUEL_RATE', '41 A2 01 40'), { value: 10, unit: 'milligram' });
    assert.deepEqual(decode('DEF_DOSING', '41 A5 01 64'), { value: 50, unit: 'percent' });
    assert.equal(decode('DEF_DOSING', '41 A5 00 64'), null);
    assert.deepEqual(decode('ABS_DISABLE_SWITCH', '41 A9 01 01'), { value: true, unit: "<class 'bool'>" });
    assert.equal(decode('ABS_DISABLE_SWITCH', '41 A9 00 01'), null);
  });

  it('ODOMETER: 32-bit / 10 km', () => {
    assert.deepEqual(decode('ODOMETER', '41 A6 00 00 EA 5C'), { value: 5999.6, unit: 'kilometer' });
    assert.deepEqual(decode('ODOMETER', '41 A6 01 00 00 00'), { value: 2 ** 24 / 10, unit: 'kilometer' });
  });

  it('TRANSMISSION_ACTUAL_GEAR: gear in the high nibble of B, ratio (256C + D) / 1000', () => {
    assert.deepEqual(decode('TRANSMISSION_ACTUAL_GEAR', '41 A4 02 30 0D 05'), { value: { gear: 3, ratio: 3.333 }, unit: DICT });
  });

  it('undecoded records keep their bytes, whatever their length', () => {
    assert.deepEqual(decode('FUEL_PRESSURE_CONTROL', '41 6D 01 02 03'), { value: [1, 2, 3], unit: "<class 'bytearray'>" });
    const long = '41 89 ' + '01 '.repeat(41);
    assert.equal((decode('AECD_RUN_TIME_3', long)?.value as number[]).length, 41);
  });

  it('NTE status bytes are bit fields', () => {
    assert.deepEqual(decode('NOX_NTE_STATUS', '41 7D 81'), {
      value: [true, false, false, false, false, false, false, true],
      unit: "<class 'obd.utils.BitArray'>",
    });
  });

  it('new bitmaps decode like python-OBD bitmaps', () => {
    const bits = decode('PIDS_F', '41 A0 00 00 00 01')?.value as boolean[];
    assert.equal(bits.length, 32);
    assert.equal(bits[31], true);
    assert.equal(bits.filter(Boolean).length, 1);
  });
});

describe('service 09 records python-OBD left out', () => {
  it('ECU_NAME: ASCII without the count byte and zero padding', () => {
    const text = Array.from('ECM\0-EngineControl\0', (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join(' ');
    assert.deepEqual(decode('ECU_NAME', `49 0A 01 ${text}`), { value: 'ECM-EngineControl', unit: "<class 'str'>" });
  });

  it('PERF_TRACKING_SPARK: named two-byte counters after the count byte', () => {
    assert.deepEqual(decode('PERF_TRACKING_SPARK', '49 08 02 00 0A 00 14'), { value: { OBDCOND: 10, IGNCNTR: 20 }, unit: 'count' });
  });

  it('PERF_TRACKING_COMPRESSION: its own counter names; extra counters get item names', () => {
    const counters = Array.from({ length: 19 }, (_, i) => `00 ${(i + 1).toString(16).padStart(2, '0')}`).join(' ');
    const value = decode('PERF_TRACKING_COMPRESSION', `49 0B 13 ${counters}`)?.value as Record<string, number>;
    assert.equal(value.OBDCOND, 1);
    assert.equal(value.HCCATCOMP, 3);
    assert.equal(value.FUELCOND, 18);
    assert.equal(value.item_19, 19);
  });

  it('PERF_TRACKING with no counters gives no value', () => {
    assert.equal(decode('PERF_TRACKING_SPARK', '49 08 00'), null);
  });
});
