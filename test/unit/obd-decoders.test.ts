/**
 * python-OBD 0.7.3's decoders, through the commands that use them. Expected values are worked
 * out by hand from the SAE J1979 / python-OBD formulas, written as the formula where the result
 * is not a round number (so the test states the arithmetic, not our output).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ECU, type Message } from '../../src/elm327/message.js';
import type { Decoded } from '../../src/obd/command.js';
import { allCommands, commandByName } from '../../src/obd/commands/index.js';
import { decodeMessages } from '../../src/obd/decode.js';
import { cvn, encodedString, pidBitmap, temp } from '../../src/obd/decoders.js';
import { describeDtc } from '../../src/obd/dtc-descriptions.js';
import { canMessage, elmMessage, hexBytes, legacyMessage } from '../helpers/messages.js';

function decode(name: string, ...messages: Message[]): Decoded | null {
  const cmd = commandByName(name);
  assert.ok(cmd, `no command ${name}`);
  return decodeMessages(cmd, messages);
}

/** Decodes a CAN and a legacy capture of the same data and checks both give `expected`. */
function both(name: string, hex: string, expected: Decoded | null): void {
  assert.deepEqual(decode(name, canMessage(hex)), expected, `${name} CAN ${hex}`);
  assert.deepEqual(decode(name, legacyMessage(hex)), expected, `${name} legacy ${hex}`);
}

function bitsOf(hex: string): boolean[] {
  return [...hex.replace(/\s/g, '')].flatMap((d) => [...parseInt(d, 16).toString(2).padStart(4, '0')].map((b) => b === '1'));
}

const T = true;
const F = false;

describe('python-OBD quantities', () => {
  it('RPM: (256A + B) / 4', () => {
    both('RPM', '41 0C 1A F8', { value: 1726, unit: 'revolutions_per_minute' });
    both('RPM', '41 0C FF FF', { value: 16383.75, unit: 'revolutions_per_minute' });
  });

  it('SPEED: A km/h', () => {
    both('SPEED', '41 0D 32', { value: 50, unit: 'kilometer_per_hour' });
  });

  it('temperatures: A - 40 °C', () => {
    both('COOLANT_TEMP', '41 05 7B', { value: 83, unit: 'degree_Celsius' });
    both('INTAKE_TEMP', '41 0F 00', { value: -40, unit: 'degree_Celsius' });
    both('AMBIANT_AIR_TEMP', '41 46 FF', { value: 215, unit: 'degree_Celsius' });
    both('OIL_TEMP', '41 5C 5A', { value: 50, unit: 'degree_Celsius' });
  });

  it('percent: A * 100 / 255', () => {
    both('ENGINE_LOAD', '41 04 FF', { value: 100, unit: 'percent' });
    both('THROTTLE_POS', '41 11 80', { value: (128 * 100) / 255, unit: 'percent' });
    both('FUEL_LEVEL', '41 2F 00', { value: 0, unit: 'percent' });
  });

  it('centred percent: (A - 128) * 100 / 128', () => {
    both('SHORT_FUEL_TRIM_1', '41 06 80', { value: 0, unit: 'percent' });
    both('LONG_FUEL_TRIM_1', '41 07 00', { value: -100, unit: 'percent' });
    both('SHORT_FUEL_TRIM_2', '41 08 FF', { value: 99.21875, unit: 'percent' });
    both('SHORT_O2_TRIM_B1', '41 55 90 00', { value: 12.5, unit: 'percent' });
  });

  it('pressures', () => {
    both('FUEL_PRESSURE', '41 0A 80', { value: 384, unit: 'kilopascal' });
    both('INTAKE_PRESSURE', '41 0B 65', { value: 101, unit: 'kilopascal' });
    both('BAROMETRIC_PRESSURE', '41 33 64', { value: 100, unit: 'kilopascal' });
    both('FUEL_RAIL_PRESSURE_VAC', '41 22 01 00', { value: 256 * 0.079, unit: 'kilopascal' });
    both('FUEL_RAIL_PRESSURE_DIRECT', '41 23 00 64', { value: 1000, unit: 'kilopascal' });
    both('FUEL_RAIL_PRESSURE_ABS', '41 59 00 10', { value: 160, unit: 'kilopascal' });
    both('EVAP_VAPOR_PRESSURE_ABS', '41 53 FF FF', { value: 327.675, unit: 'kilopascal' });
    both('EVAP_VAPOR_PRESSURE_ALT', '41 54 7F FF', { value: 0, unit: 'pascal' });
    both('EVAP_VAPOR_PRESSURE_ALT', '41 54 00 00', { value: -32767, unit: 'pascal' });
  });

  it("EVAP_VAPOR_PRESSURE: python-OBD's ((signed A) * 256 + (signed B)) / 4", () => {
    both('EVAP_VAPOR_PRESSURE', '41 32 01 00', { value: 64, unit: 'pascal' });
    // A = -1, B = -128 as python-OBD reads them: (-256 - 128) / 4
    both('EVAP_VAPOR_PRESSURE', '41 32 FF 80', { value: -96, unit: 'pascal' });
  });

  it('angles: timing advance (A - 128) / 2, injection timing (256A + B - 26880) / 128', () => {
    both('TIMING_ADVANCE', '41 0E 00', { value: -64, unit: 'degree' });
    both('TIMING_ADVANCE', '41 0E FF', { value: 63.5, unit: 'degree' });
    both('FUEL_INJECT_TIMING', '41 5D 69 00', { value: 0, unit: 'degree' });
    both('FUEL_INJECT_TIMING', '41 5D FF FF', { value: (65535 - 26880) / 128, unit: 'degree' });
  });

  it('air flow: MAF (256A + B) / 100 g/s, MAX_MAF 10A g/s', () => {
    both('MAF', '41 10 0B B8', { value: 3000 * 0.01, unit: 'gps' });
    both('MAX_MAF', '41 50 FF 00 00 00', { value: 2550, unit: 'gps' });
  });

  it('FUEL_RATE: (256A + B) * 0.05 L/h, unit "lph"', () => {
    both('FUEL_RATE', '41 5E 00 64', { value: 100 * 0.05, unit: 'lph' });
  });

  it('O2 sensors: narrow band A / 200 V, wide band voltage and current', () => {
    both('O2_B1S1', '41 14 5A 80', { value: 0.45, unit: 'volt' });
    both('O2_S1_WR_VOLTAGE', '41 24 12 34 80 00', { value: (0x8000 * 8) / 65535, unit: 'volt' });
    both('O2_S1_WR_VOLTAGE', '41 24 00 00 FF FF', { value: 8, unit: 'volt' });
    both('O2_S1_WR_CURRENT', '41 34 AB CD 80 00', { value: 0, unit: 'milliampere' });
    both('O2_S1_WR_CURRENT', '41 34 00 00 00 00', { value: -128, unit: 'milliampere' });
  });

  it('UAS-scaled values: times, distances, voltage, ratio, catalyst temperature', () => {
    both('RUN_TIME', '41 1F 01 2C', { value: 300, unit: 'second' });
    both('DISTANCE_W_MIL', '41 21 00 0A', { value: 10, unit: 'kilometer' });
    both('DISTANCE_SINCE_DTC_CLEAR', '41 31 01 00', { value: 256, unit: 'kilometer' });
    both('WARMUPS_SINCE_DTC_CLEAR', '41 30 0C', { value: 12, unit: 'count' });
    both('RUN_TIME_MIL', '41 4D 00 3C', { value: 60, unit: 'minute' });
    both('TIME_SINCE_DTC_CLEARED', '41 4E 01 00', { value: 256, unit: 'minute' });
    both('CONTROL_MODULE_VOLTAGE', '41 42 30 D4', { value: 12500 * 0.001, unit: 'volt' });
    both('COMMANDED_EQUIV_RATIO', '41 44 80 00', { value: 32768 * 0.0000305, unit: 'ratio' });
    both('CATALYST_TEMP_B1S1', '41 3C 11 94', { value: 4500 * 0.1 - 40, unit: 'degree_Celsius' });
  });

  it('ABSOLUTE_LOAD: (256A + B) * (100 / 255)', () => {
    both('ABSOLUTE_LOAD', '41 43 00 FF', { value: 255 * (100 / 255), unit: 'percent' });
    both('ABSOLUTE_LOAD', '41 43 FF FF', { value: 65535 * (100 / 255), unit: 'percent' });
    // python-OBD multiplies by the quotient: 15 * (100 / 255) is 5.88235294117647, one bit
    // below 15 * 100 / 255
    both('ABSOLUTE_LOAD', '41 43 00 0F', { value: 5.88235294117647, unit: 'percent' });
  });
});

describe('python-OBD special values', () => {
  it('PID bitmaps are boolean arrays, most significant bit first', () => {
    both('PIDS_A', '41 00 BE 1F A8 13', { value: bitsOf('BE1FA813'), unit: "<class 'obd.utils.BitArray'>" });
    // PIDS_9A expects 7 bytes: the answer is padded with a zero byte, as python-OBD does
    assert.deepEqual(decode('PIDS_9A', canMessage('49 00 55 40 00 00', { ecu: ECU.TRANSMISSION })), {
      value: bitsOf('5540000000'),
      unit: "<class 'obd.utils.BitArray'>",
    });
    assert.deepEqual(decode('MIDS_A', canMessage('46 00 C0 00 00 01')), {
      value: bitsOf('C0000001'),
      unit: "<class 'obd.utils.BitArray'>",
    });
  });

  it('service 02 bitmaps and undecoded PIDs give no value', () => {
    assert.equal(decode('DTC_PIDS_A', canMessage('42 00 BE 1F A8 13')), null);
    assert.equal(decode('MAX_VALUES', canMessage('41 4F 01 02 03 04')), null);
    assert.equal(decode('EMISSION_REQ', canMessage('41 5F 01')), null);
    assert.equal(decode('CLEAR_DTC', canMessage('44')), null);
  });

  it('service 02 decodes like service 01', () => {
    assert.deepEqual(decode('DTC_RPM', canMessage('42 0C 1A F8')), { value: 1726, unit: 'revolutions_per_minute' });
  });

  it('STATUS: MIL, DTC count (7 bits) and ignition type (bit 3 of B)', () => {
    both('STATUS', '41 01 83 07 FF 00', {
      value: { MIL: true, DTC_COUNT: 3, ignition_type: 'spark' },
      unit: "<class 'obd.OBDResponse.Status'>",
    });
    both('STATUS_DRIVE_CYCLE', '41 41 00 79 03 03', {
      value: { MIL: false, DTC_COUNT: 0, ignition_type: 'compression' },
      unit: "<class 'obd.OBDResponse.Status'>",
    });
    both('STATUS', '41 01 7F 00 00 00', {
      value: { MIL: false, DTC_COUNT: 127, ignition_type: 'spark' },
      unit: "<class 'obd.OBDResponse.Status'>",
    });
  });

  it('FUEL_STATUS: one bit per fuel system, both systems as a tuple', () => {
    const tuple = "<class 'tuple'>";
    both('FUEL_STATUS', '41 03 02 00', { value: ['Closed loop, using oxygen sensor feedback to determine fuel mix', ''], unit: tuple });
    both('FUEL_STATUS', '41 03 08 08', { value: ['Open loop due to system failure', 'Open loop due to system failure'], unit: tuple });
    both('FUEL_STATUS', '41 03 00 01', { value: ['', 'Open loop due to insufficient engine temperature'], unit: tuple });
    both('FUEL_STATUS', '41 03 00 00', null);
    both('FUEL_STATUS', '41 03 03 00', null); // two bits set
    both('FUEL_STATUS', '41 03 20 00', null); // bit 5: no such status
  });

  it('AIR_STATUS: the single set bit picks the status', () => {
    both('AIR_STATUS', '41 12 01', { value: 'Upstream', unit: "<class 'str'>" });
    both('AIR_STATUS', '41 12 08', { value: 'Pump commanded on for diagnostics', unit: "<class 'str'>" });
    both('AIR_STATUS', '41 12 03', null);
    both('AIR_STATUS', '41 12 10', null); // python-OBD raises here
  });

  it('OBD_COMPLIANCE and FUEL_TYPE: table lookups', () => {
    both('OBD_COMPLIANCE', '41 1C 06', { value: 'EOBD (Europe)', unit: "<class 'str'>" });
    both('OBD_COMPLIANCE', '41 1C 21', { value: 'Heavy Duty Euro OBD Stage VI (HD EOBD-IV)', unit: "<class 'str'>" });
    both('OBD_COMPLIANCE', '41 1C 22', null);
    both('FUEL_TYPE', '41 51 01', { value: 'Gasoline', unit: "<class 'str'>" });
    both('FUEL_TYPE', '41 51 17', { value: 'Bifuel running diesel', unit: "<class 'str'>" });
    both('FUEL_TYPE', '41 51 18', null);
  });

  it('O2_SENSORS and O2_SENSORS_ALT: nested booleans after an empty bank 0', () => {
    both('O2_SENSORS', '41 13 F0', { value: [[], [T, T, T, T], [F, F, F, F]], unit: "<class 'tuple'>" });
    both('O2_SENSORS', '41 13 01', { value: [[], [F, F, F, F], [F, F, F, T]], unit: "<class 'tuple'>" });
    both('O2_SENSORS_ALT', '41 1D 0F', { value: [[], [F, F], [F, F], [T, T], [T, T]], unit: "<class 'tuple'>" });
  });

  it('AUX_INPUT_STATUS: bit 7 of A, false is a value', () => {
    both('AUX_INPUT_STATUS', '41 1E 80', { value: true, unit: "<class 'bool'>" });
    both('AUX_INPUT_STATUS', '41 1E 7F', { value: false, unit: "<class 'bool'>" });
  });
});

describe('trouble codes', () => {
  const pair = (code: string) => [code, describeDtc(code)];
  const list = "<class 'list'>";

  it('FREEZE_DTC: one code as a tuple (00 00 reads P0000, as in python-OBD)', () => {
    both('FREEZE_DTC', '41 02 01 04', { value: pair('P0104'), unit: "<class 'tuple'>" });
    both('FREEZE_DTC', '41 02 41 23', { value: pair('C0123'), unit: "<class 'tuple'>" });
    both('FREEZE_DTC', '41 02 00 00', { value: pair('P0000'), unit: "<class 'tuple'>" });
  });

  it('describes known codes', () => {
    assert.equal(describeDtc('P0104'), 'Mass or Volume Air Flow Circuit Intermittent');
  });

  it('GET_DTC on CAN skips the count byte', () => {
    assert.deepEqual(decode('GET_DTC', canMessage('43 02 01 04 80 03')), { value: [pair('P0104'), pair('B0003')], unit: list });
    assert.deepEqual(decode('GET_DTC', canMessage('43 00')), { value: [], unit: list });
    // letters in the hex digits are upper case: 01 0A is P010A, C1 00 is U0100
    assert.deepEqual(decode('GET_DTC', canMessage('43 02 01 0A C1 00')), { value: [pair('P010A'), pair('U0100')], unit: list });
  });

  it('GET_DTC on CAN collects every ECU, in message order', () => {
    const engine = canMessage('43 01 01 04');
    const gearbox = canMessage('43 01 07 00', { txId: 0x7e9, ecu: ECU.TRANSMISSION });
    assert.deepEqual(decode('GET_DTC', engine, gearbox), { value: [pair('P0104'), pair('P0700')], unit: list });
  });

  it('GET_DTC on CAN reads a multi-frame answer', () => {
    const message = canMessage('43 04 01 04 80 03 41 23 C1 00');
    assert.equal(message.frames.length, 2);
    assert.deepEqual(decode('GET_DTC', message), {
      value: [pair('P0104'), pair('B0003'), pair('C0123'), pair('U0100')],
      unit: list,
    });
  });

  it('GET_DTC on legacy protocols has no count byte, with or without the 00 python-OBD inserts', () => {
    assert.deepEqual(decode('GET_DTC', legacyMessage('43 01 04 80 03 41 23')), {
      value: [pair('P0104'), pair('B0003'), pair('C0123')],
      unit: list,
    });
    assert.deepEqual(decode('GET_DTC', legacyMessage('43 01 04 00 00 00 00')), { value: [pair('P0104')], unit: list });
    assert.deepEqual(decode('GET_DTC', legacyMessage('43 00 01 04 00 00 00 00')), { value: [pair('P0104')], unit: list });
  });

  it('GET_CURRENT_DTC and GET_PERMANENT_DTC read like GET_DTC', () => {
    assert.deepEqual(decode('GET_CURRENT_DTC', canMessage('47 01 01 0A')), { value: [pair('P010A')], unit: list });
    assert.deepEqual(decode('GET_CURRENT_DTC', legacyMessage('47 01 0A 00 00 00 00')), { value: [pair('P010A')], unit: list });
    assert.deepEqual(decode('GET_PERMANENT_DTC', canMessage('4A 01 C1 00')), { value: [pair('U0100')], unit: list });
  });

  it('drops 00 00 padding and a dangling odd byte', () => {
    assert.deepEqual(decode('GET_DTC', canMessage('43 03 00 00 01 04 00 00')), { value: [pair('P0104')], unit: list });
    assert.deepEqual(decode('GET_DTC', canMessage('43 02 01 04 80 03 41')), { value: [pair('P0104'), pair('B0003')], unit: list });
  });
});

describe('service 06 monitors', () => {
  const monitorUnit = "<class 'obd.OBDResponse.Monitor'>";
  const rtl = {
    tid: 1,
    name: 'RTL_THRESHOLD_VOLTAGE',
    desc: 'Rich to lean sensor threshold voltage',
    value: 0x0bb0 * 0.122,
    min: 0x0bb0 * 0.122,
    max: 0x0bb0 * 0.122,
    unit: 'millivolt',
  };

  it('decodes one 9-byte test record', () => {
    assert.deepEqual(decode('MONITOR_O2_B1S1', canMessage('46 01 01 0A 0B B0 0B B0 0B B0')), { value: [rtl], unit: monitorUnit });
  });

  it('decodes several records: standard TIDs by number first, then others as they come', () => {
    const data = '46 01 85 24 00 96 00 4B FF FF 01 05 10 00 48 00 00 00 64 01 01 0A 0B B0 0B B0 0B B0';
    assert.deepEqual(decode('MONITOR_O2_B1S1', canMessage(data)), {
      value: [
        rtl,
        { tid: 5, name: 'RTL_SWITCH_TIME', desc: 'Rich to lean sensor switch time', value: 72, min: 0, max: 100, unit: 'millisecond' },
        { tid: 0x85, name: 'Unknown', desc: 'Unknown', value: 150, min: 75, max: 65535, unit: 'count' },
      ],
      unit: monitorUnit,
    });
  });

  it('scales signed ids, reads id 2E as booleans, skips unknown ids and trailing bytes', () => {
    // TID 0B, UAS 81 (signed count): FF FE = -2; TID 0C, UAS 2E: any non-zero byte; TID 02, UAS 42: unknown
    const data = '46 A2 0B 81 FF FE 80 00 7F FF A2 0C 2E 00 01 00 00 00 00 A2 02 42 00 01 00 01 00 01 AB CD';
    assert.deepEqual(decode('MONITOR_MISFIRE_CYLINDER_1', canMessage(data)), {
      value: [
        {
          tid: 0x0b,
          name: 'MISFIRE_AVERAGE',
          desc: 'Average misfire counts for last ten driving cycles',
          value: -2,
          min: -32768,
          max: 32767,
          unit: 'count',
        },
        {
          tid: 0x0c,
          name: 'MISFIRE_COUNT',
          desc: 'Misfire counts for last/current driving cycles',
          value: true,
          min: false,
          max: false,
          unit: "<class 'bool'>",
        },
      ],
      unit: monitorUnit,
    });
  });

  it('a later record of the same TID replaces the earlier one', () => {
    const data = '46 01 01 0A 0B B0 0B B0 0B B0 01 01 0A 00 01 00 00 00 02';
    const decoded = decode('MONITOR_O2_B1S1', canMessage(data));
    assert.deepEqual(decoded?.value, [{ ...rtl, value: 0.122, min: 0, max: 2 * 0.122 }]);
  });

  it('no complete record gives an empty monitor', () => {
    assert.deepEqual(decode('MONITOR_O2_B1S1', canMessage('46 01 01 0A 0B B0 0B B0 0B')), { value: [], unit: monitorUnit });
  });
});

describe('service 09', () => {
  const ascii = (text: string) => Array.from(text, (c) => c.charCodeAt(0));
  const hexOf = (text: string) => Array.from(text, (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join(' ');

  it('VIN on CAN: count byte and padding stripped, characters as byte numbers', () => {
    const vin = '1GNEK13ZX3R298984';
    assert.deepEqual(decode('VIN', canMessage(`49 02 01 ${hexOf(vin)}`)), { value: ascii(vin), unit: "<class 'bytearray'>" });
  });

  it('VIN on legacy protocols (three zero bytes before the 17 characters)', () => {
    const vin = 'WP0ZZZ99ZTS392120';
    assert.deepEqual(decode('VIN', legacyMessage(`49 02 00 00 00 ${hexOf(vin)}`)), { value: ascii(vin), unit: "<class 'bytearray'>" });
  });

  it('VIN shorter than 17 bytes gives no value', () => {
    assert.equal(encodedString(17)([canMessage(`49 02 01 ${hexOf('WP0ZZZ99')}`)]), null);
  });

  it("CALIBRATION_ID keeps python-OBD's 18-byte length (the last CAN character is cut)", () => {
    assert.deepEqual(decode('CALIBRATION_ID', canMessage(`49 04 01 ${hexOf('JMB*47RB1234ABCD')}`)), {
      value: ascii('JMB*47RB1234ABC'),
      unit: "<class 'bytearray'>",
    });
  });

  it('CVN: lower-case hex text', () => {
    assert.deepEqual(decode('CVN', canMessage('49 06 01 79 1B C8 21')), { value: '791bc821', unit: "<class 'str'>" });
    // python-OBD's own test vector, called without the command's length: 0x0B is whitespace
    assert.deepEqual(cvn([canMessage('60 21 79 1B C8 21 6E 0B')]), { value: '791bc8216e', unit: "<class 'str'>" });
  });

  it('message counts', () => {
    assert.deepEqual(decode('VIN_MESSAGE_COUNT', canMessage('49 01 05')), { value: 5, unit: 'count' });
    assert.deepEqual(decode('CVN_MESSAGE_COUNT', canMessage('49 05 01', { ecu: ECU.TRANSMISSION })), { value: 1, unit: 'count' });
  });
});

describe('adapter commands', () => {
  it('ELM_VOLTAGE reads the raw line', () => {
    assert.deepEqual(decode('ELM_VOLTAGE', elmMessage('12.6V')), { value: 12.6, unit: 'volt' });
    assert.deepEqual(decode('ELM_VOLTAGE', elmMessage('12')), { value: 12, unit: 'volt' });
    assert.deepEqual(decode('ELM_VOLTAGE', elmMessage('12.875')), { value: 12.875, unit: 'volt' });
    assert.equal(decode('ELM_VOLTAGE', elmMessage('12ABCD')), null);
    assert.equal(decode('ELM_VOLTAGE', elmMessage('NaN')), null);
  });

  it('ELM_VERSION joins the lines', () => {
    assert.deepEqual(decode('ELM_VERSION', elmMessage('ELM327 v1.5')), { value: 'ELM327 v1.5', unit: "<class 'str'>" });
    assert.deepEqual(decode('ELM_VERSION', elmMessage('A'), elmMessage('B')), { value: 'A\nB', unit: "<class 'str'>" });
  });

  it('car messages do not answer adapter commands', () => {
    assert.equal(decode('ELM_VOLTAGE', canMessage('41 0C 1A F8')), null);
  });
});

describe('decodeMessages', () => {
  it('keeps only the ECUs the command listens to', () => {
    assert.equal(decode('RPM', canMessage('41 0C 1A F8', { txId: 0x7e9, ecu: ECU.TRANSMISSION })), null);
    assert.equal(decode('RPM', elmMessage('NO DATA')), null);
    const gearbox = canMessage('41 0C 00 04', { txId: 0x7e9, ecu: ECU.TRANSMISSION });
    assert.deepEqual(decode('RPM', gearbox, canMessage('41 0C 1A F8')), { value: 1726, unit: 'revolutions_per_minute' });
  });

  it('pads short data with zeros and cuts long data to the command length', () => {
    assert.deepEqual(decode('RPM', canMessage('41 0C 1A')), { value: 0x1a00 / 4, unit: 'revolutions_per_minute' });
    assert.deepEqual(decode('SPEED', canMessage('41 0D 32 FF FF')), { value: 50, unit: 'kilometer_per_hour' });
    assert.deepEqual(decode('COOLANT_TEMP', canMessage('41')), { value: -40, unit: 'degree_Celsius' });
  });

  it('does not change the messages it was given', () => {
    const message = canMessage('41 0C 1A');
    decode('RPM', message);
    assert.deepEqual(Array.from(message.data), [0x41, 0x0c, 0x1a]);
  });

  it('gives null for no messages', () => {
    for (const cmd of allCommands) assert.equal(decodeMessages(cmd, []), null, cmd.name);
  });

  it('decoders called directly read all bytes like python-OBD and never throw on short data', () => {
    assert.deepEqual(temp([canMessage('41 00 03 E8')]), { value: 960, unit: 'degree_Celsius' });
    assert.deepEqual(pidBitmap([canMessage('41 00 11')]), { value: bitsOf('11'), unit: "<class 'obd.utils.BitArray'>" });
    for (const cmd of allCommands) {
      assert.doesNotThrow(() => cmd.decoder([]), cmd.name);
      assert.doesNotThrow(() => cmd.decoder([canMessage('41')]), cmd.name);
    }
  });

  it('any bytes from any ECU give null or a JSON-ready value with a unit, never an exception', () => {
    const message = fc
      .tuple(fc.uint8Array({ maxLength: 40 }), fc.constantFrom(ECU.ENGINE, ECU.TRANSMISSION, ECU.UNKNOWN))
      .map(([data, ecu]): Message => ({ ...canMessage('00'), data, ecu }));
    fc.assert(
      fc.property(fc.constantFrom(...allCommands), fc.array(message, { maxLength: 3 }), (cmd, messages) => {
        const decoded = decodeMessages(cmd, messages);
        if (decoded === null) return;
        assert.equal(typeof decoded.unit, 'string');
        assert.deepEqual(JSON.parse(JSON.stringify(decoded.value)), decoded.value);
        // direct calls on unconstrained data must not throw either
        cmd.decoder(messages);
      }),
      { numRuns: 3000 },
    );
  });

  it('hex helper rejects bad text', () => {
    assert.throws(() => hexBytes('4'));
    assert.deepEqual(Array.from(hexBytes('41 0c')), [0x41, 0x0c]);
  });
});
