import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { describeDtc, dtcToText } from '../../src/obd/dtc-descriptions.js';
import { DtcTableReader, encodeDtcTable, parseDtcList, renderDtcTableModule } from '../../src/obd/dtc/codec.js';

const DTC_DIR = new URL('../../src/obd/dtc/', import.meta.url);
const readDtcFile = (name: string): string => readFileSync(new URL(name, DTC_DIR), 'utf8');

/** Entries of python-OBD 0.7.3's obd/codes.py DTC table, copied as they are (its typos included). */
const PYTHON_OBD_ENTRIES: ReadonlyArray<readonly [string, string]> = [
  ['P0001', 'Fuel Volume Regulator Control Circuit/Open'],
  ['P0005', "Fuel Shutoff Valve 'A' Control Circuit/Open"],
  ['P0008', 'Engine Position System Performance'],
  ['P0009', 'Engine Position System Performance'],
  ['P0016', 'Crankshaft Position - Camshaft Position Correlation'],
  ['P0027', 'Exhaust Valve Control Solenoid Circuit Range/Performance'],
  ['P0100', 'Mass or Volume Air Flow Circuit'],
  ['P0103', 'Mass or Volume Air Flow Circuit High Input'],
  ['P0104', 'Mass or Volume Air Flow Circuit Intermittent'],
  ['P0109', 'Manifold Absolute Pressure/Barometric Pressure Circuit Intermittent'],
  ['P0123', "Throttle/Pedal Position Sensor/Switch 'A' Circuit High"],
  ['P0128', 'Coolant Thermostat (Coolant Temperature Below Thermostat Regulating Temperature)'],
  ['P0131', 'O2 Sensor Circuit Low Voltage'],
  ['P0171', 'System Too Lean'],
  ['P0300', 'Random/Multiple Cylinder Misfire Detected'],
  ['P0301', 'Cylinder 1 Misfire Detected'],
  ['P0357', "Ignition Coil 'G' Primary/Secondary Circuit"],
  ['P0384', 'Reserved by SAE J2012'],
  ['P0420', 'Catalyst System Efficiency Below Threshold'],
  ['P0425', 'Catalyst Temperature Sensor'],
  ['P0442', 'Evaporative Emission System Leak Detected (small leak)'],
  ['P0462', "Fuel Level Sensor 'A' Circuit Low"],
  ['P0500', "Vehicle Speed Sensor 'A'"],
  ['P0577', 'Cruise Control Input Circuit High'],
  ['P0659', "Actuator Supply Voltage 'A' Circuit High"],
  ['P0700', 'Transmission Control System (MIL Request)'],
  ['P0820', 'Gear Lever X-Y Position Sensor Circuit'],
  ['P0901', 'Clutch Actuator Circuit Range/Performance'],
  ['P0908', 'Gate Select Position Circuit Intermittent'],
  ['P0920', 'Gear Shift Forward Actuator Circuit/Open'],
  ['P0958', 'Auto Shift Manual Mode Circuit High'],
  ['P0A00', 'Motor Electronics Coolant Temperature Sensor Circuit'],
  ['P0A09', 'DC/DC Converter Status Circuit Low Input'],
  ['P2105', 'Throttle Actuator Control System - Forced Engine Shutdown'],
  ['P2118', 'Throttle Actuator Control Motor Current Range/Performance'],
  ['P2424', 'HC Adsorption Catalyst Efficiency Below Threshold'],
  ['P2A00', 'O2 Sensor Circuit Range/Performance'],
  ['P3400', 'Cylinder Deactivation System'],
  ['P3401', 'Cylinder 1 Deactivation/lntake Valve Control Circuit/Open'],
  ['P3449', 'Cylinder 7 Deactivation/lntake Valve Control Circuit/Open'],
  ['P3462', 'Cylinder 8 Exhaust Valve Control Performance'],
  ['P3497', 'Cylinder Deactivation System'],
  ['U0001', 'High Speed CAN Communication Bus'],
  ['U0073', 'Control Module Communication Bus Off'],
  ['U0100', 'Lost Communication With ECM/PCM A'],
  ['U0121', 'Lost Communication With Anti-Lock Brake System (ABS) Control Module'],
  ['U0140', 'Lost Communication With Body Control Module'],
  ['U0431', "Invalid Data Received From Body Control Module 'A'"],
];

/**
 * Generic J2012 codes python-OBD lacks, with their public J2012 wording (the same definitions
 * appear in Ford's and Land Rover's service data, which use the J2012 list for B0/C0/U0).
 */
const J2012_ENTRIES: ReadonlyArray<readonly [string, string]> = [
  ['B0001', 'Driver Frontal Stage 1 Deployment Control'],
  ['B0004', 'Driver Knee Bolster Deployment Control'],
  ['B0020', 'Left Side Airbag Deployment Control'],
  ['B0090', 'Left Frontal Restraints Sensor'],
  ['C0031', 'Left Front Wheel Speed Sensor'],
  ['C0032', 'Left Front Wheel Speed Sensor Supply'],
  ['C0034', 'Right Front Wheel Speed Sensor'],
  ['C0035', 'Right Front Wheel Speed Sensor Supply'],
  ['C003A', 'Right Rear Wheel Speed Sensor'],
  ['C0063', 'Yaw Rate Sensor'],
  ['P000A', 'A Camshaft Position Slow Response Bank 1'],
  ['P0A80', 'Replace Hybrid/EV Battery Pack'],
  ['P220A', 'NOx Sensor Supply Voltage Circuit Bank 1 Sensor 1'],
  ['P232F', 'O2 Sensor Out of Range During Deceleration Bank 1 Sensor 2'],
  ['P2855', 'Clutch A Pressure Charge Performance'],
  ['P34A4', 'A Camshaft Position Actuator Temperature Sensor Circuit Bank 1'],
  ['U0570', 'Invalid Data Received From Image Processing Sensor K'],
];

/** Ranges J2012 leaves to each manufacturer: first digit 1 or 2 for every letter, P30xx-P33xx. */
function isManufacturerRange(code: string): boolean {
  const digit = code[1];
  return digit === '1' || (digit === '2' && code[0] !== 'P') || (code[0] === 'P' && digit === '3' && code[2] < '4');
}

function allCodeTexts(): string[] {
  const codes: string[] = [];
  for (let a = 0; a <= 0xff; a++) for (let b = 0; b <= 0xff; b++) codes.push(dtcToText(a, b));
  return codes;
}

describe('describeDtc', () => {
  it('gives python-OBD 0.7.3 descriptions word for word', () => {
    for (const [code, description] of PYTHON_OBD_ENTRIES) {
      assert.equal(describeDtc(code), description, code);
    }
  });

  it('knows the well-known codes of every letter', () => {
    assert.equal(describeDtc('P0300'), 'Random/Multiple Cylinder Misfire Detected');
    assert.equal(describeDtc('P0420'), 'Catalyst System Efficiency Below Threshold');
    assert.equal(describeDtc('U0100'), 'Lost Communication With ECM/PCM A');
    assert.equal(describeDtc('C0035'), 'Right Front Wheel Speed Sensor Supply');
    assert.equal(describeDtc('B0001'), 'Driver Frontal Stage 1 Deployment Control');
  });

  it('describes generic J2012 codes beyond python-OBD', () => {
    for (const [code, description] of J2012_ENTRIES) {
      assert.equal(describeDtc(code), description, code);
    }
  });

  it('reads hex digits in either case', () => {
    assert.equal(describeDtc('p0104'), 'Mass or Volume Air Flow Circuit Intermittent');
    assert.equal(describeDtc('c003a'), 'Right Rear Wheel Speed Sensor');
  });

  it('returns an empty string for manufacturer-specific codes', () => {
    for (const code of ['P1234', 'P1000', 'P3000', 'P33FF', 'B1000', 'B2000', 'C1234', 'C2000', 'U1000', 'U2000']) {
      assert.equal(describeDtc(code), '', code);
    }
  });

  it('has no description anywhere in the manufacturer ranges', () => {
    const described = allCodeTexts().filter((code) => isManufacturerRange(code) && describeDtc(code) !== '');
    assert.deepEqual(described, []);
  });

  it('has a generic code described under every letter, each a trimmed single line', () => {
    const counts: Record<string, number> = { P: 0, C: 0, B: 0, U: 0 };
    for (const code of allCodeTexts()) {
      const description = describeDtc(code);
      if (description === '') continue;
      counts[code[0]] += 1;
      assert.equal(description, description.trim(), code);
      assert.doesNotMatch(description, /[\n\r]/, code);
    }
    // python-OBD alone lists 1767 P and 299 U codes; J2012 adds B0 and C0 codes.
    assert.ok(counts.P > 1767, `P: ${counts.P}`);
    assert.ok(counts.U > 299, `U: ${counts.U}`);
    assert.ok(counts.C > 0, `C: ${counts.C}`);
    assert.ok(counts.B > 0, `B: ${counts.B}`);
  });

  it('returns an empty string for malformed input and never throws', () => {
    const bad: unknown[] = [
      '',
      'X0000',
      'P01',
      'P01044',
      ' P0104',
      'P0104 ',
      'P4000',
      'PO104',
      'P01G4',
      null,
      undefined,
      104,
      {},
      ['P0104'],
    ];
    for (const input of bad) {
      assert.equal(describeDtc(input as string), '', String(input));
    }
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        assert.equal(typeof describeDtc(text), 'string');
      }),
    );
  });
});

describe('dtcToText', () => {
  it('decodes the examples of SAE J1979', () => {
    assert.equal(dtcToText(0x01, 0x04), 'P0104');
    assert.equal(dtcToText(0x41, 0x23), 'C0123');
    assert.equal(dtcToText(0x81, 0x00), 'B0100');
    assert.equal(dtcToText(0xc1, 0x00), 'U0100');
  });

  it('takes the first digit from bits 5-4 of the first byte', () => {
    assert.equal(dtcToText(0x00, 0x01), 'P0001');
    assert.equal(dtcToText(0x12, 0x34), 'P1234');
    assert.equal(dtcToText(0x21, 0x05), 'P2105');
    assert.equal(dtcToText(0x34, 0x01), 'P3401');
    assert.equal(dtcToText(0x7f, 0xff), 'C3FFF');
    assert.equal(dtcToText(0xa0, 0x00), 'B2000');
    assert.equal(dtcToText(0xd0, 0x00), 'U1000');
    assert.equal(dtcToText(0xff, 0xff), 'U3FFF');
  });

  it('writes hex digits in upper case', () => {
    assert.equal(dtcToText(0x0a, 0x1b), 'P0A1B');
    assert.equal(dtcToText(0x40, 0x3a), 'C003A');
  });

  it('gives P0000 for the zero pair (callers treat it as padding)', () => {
    assert.equal(dtcToText(0x00, 0x00), 'P0000');
  });

  it('round-trips every pair of bytes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), (a, b) => {
        const text = dtcToText(a, b);
        assert.match(text, /^[PCBU][0-3][0-9A-F]{3}$/);
        const letterBits = 'PCBU'.indexOf(text[0]);
        const rebuiltA = (letterBits << 6) | (Number(text[1]) << 4) | parseInt(text[2], 16);
        assert.equal(rebuiltA, a);
        assert.equal(parseInt(text.slice(3), 16), b);
      }),
    );
  });

  it('returns an empty string for values that are not bytes', () => {
    const bad: Array<[unknown, unknown]> = [
      [-1, 0],
      [256, 0],
      [0, 256],
      [1.5, 0],
      [0, Number.NaN],
      ['1', 4],
      [null, 4],
      [undefined, undefined],
    ];
    for (const [a, b] of bad) {
      assert.equal(dtcToText(a as number, b as number), '', `${String(a)}, ${String(b)}`);
    }
  });

  it('feeds describeDtc', () => {
    assert.equal(describeDtc(dtcToText(0x01, 0x04)), 'Mass or Volume Air Flow Circuit Intermittent');
    assert.equal(describeDtc(dtcToText(0x80, 0x01)), 'Driver Frontal Stage 1 Deployment Control');
  });
});

describe('DTC table (src/obd/dtc)', () => {
  const pythonObd = parseDtcList(readDtcFile('python-obd-codes.txt'));
  const j2012 = parseDtcList(readDtcFile('j2012-generic-codes.txt'));

  it('table.ts is rendered from the .txt lists (UPDATE_DTC_TABLE=1 rewrites it)', () => {
    const rendered = renderDtcTableModule([j2012, pythonObd]);
    if (process.env.UPDATE_DTC_TABLE === '1') writeFileSync(new URL('table.ts', DTC_DIR), rendered);
    assert.equal(readDtcFile('table.ts'), rendered);
  });

  it('answers every listed code with its listed text, python-OBD first', () => {
    assert.equal(pythonObd.size, 2066, 'python-OBD 0.7.3 lists 2066 codes');
    for (const [code, description] of j2012) {
      if (!pythonObd.has(code)) assert.equal(describeDtc(code), description, code);
    }
    for (const [code, description] of pythonObd) assert.equal(describeDtc(code), description, code);
  });

  it('the python-OBD list agrees with the entries copied into this test', () => {
    for (const [code, description] of PYTHON_OBD_ENTRIES) assert.equal(pythonObd.get(code), description, code);
  });

  it('encodes and finds any list, first, last and missing codes included', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.stringMatching(/^[PCBU][0-3][0-9A-F]{3}$/),
          fc.array(fc.stringMatching(/^[!-~]{1,6}$/), { minLength: 1, maxLength: 5 }).map((words) => words.join(' ')),
          { maxKeys: 40 },
        ),
        fc.stringMatching(/^[PCBU][0-3][0-9A-F]{3}$/),
        (entries, probe) => {
          const list = new Map(Object.entries(entries));
          const reader = new DtcTableReader(encodeDtcTable([list]));
          for (const [code, description] of list) assert.equal(reader.describe(code), description);
          assert.equal(reader.describe(probe), list.get(probe));
        },
      ),
    );
  });

  it('lets a later list override an earlier one', () => {
    const reader = new DtcTableReader(
      encodeDtcTable([
        new Map([
          ['P0001', 'Old Text'],
          ['P0002', 'Kept'],
        ]),
        new Map([['P0001', 'New Text']]),
      ]),
    );
    assert.equal(reader.describe('P0001'), 'New Text');
    assert.equal(reader.describe('P0002'), 'Kept');
  });

  it('rejects malformed list lines', () => {
    for (const text of ['P0001', 'P0001  Two spaces', 'X0001 Bad letter', 'P0001 Trailing ', 'P0001 A\nP0001 Again']) {
      assert.throws(() => parseDtcList(text), Error, JSON.stringify(text));
    }
  });
});
