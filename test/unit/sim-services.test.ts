import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hexBytes, simHarness } from '../helpers/sim-harness.js';
import { reassembleCan } from '../helpers/sim-frames.js';

/** DTC from its two bytes (SAE J2012): letter from bits 15-14, then digit, then three hex digits. */
function dtcName(a: number, b: number): string {
  const value = (a << 8) | b;
  return 'PCBU'[value >> 14] + ((value >> 12) & 3).toString() + (value & 0xfff).toString(16).toUpperCase().padStart(3, '0');
}

const ascii = (bytes: readonly number[]): string => String.fromCharCode(...bytes);

/** VIN check digit (position 9), per 49 CFR 565. */
function vinCheckDigit(vin: string): string {
  const values: Record<string, number> = {};
  'ABCDEFGH'.split('').forEach((c, i) => (values[c] = i + 1));
  'JKLMN'.split('').forEach((c, i) => (values[c] = i + 1));
  values.P = 7;
  values.R = 9;
  'STUVWXYZ'.split('').forEach((c, i) => (values[c] = i + 2));
  const weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
  const sum = vin.split('').reduce((s, c, i) => s + (/\d/.test(c) ? Number(c) : values[c]) * weights[i], 0);
  return sum % 11 === 10 ? 'X' : String(sum % 11);
}

describe('simulator: OBD services on CAN', () => {
  it('two ECUs answer 0100 with different bitmaps, engine (7E8) first', () => {
    const sim = simHarness();
    sim.send('ATH1');
    const messages = reassembleCan(sim.send('0100'));
    assert.deepEqual(
      messages.map((m) => m.id),
      ['7E8', '7E9'],
    );
    assert.deepEqual(messages[0].payload.slice(0, 2), [0x41, 0x00]);
    assert.notDeepEqual(messages[0].payload, messages[1].payload);
  });

  it('the VIN is a 20-byte ISO-TP message: first frame 10 14, then 21 and 22', () => {
    const sim = simHarness();
    sim.send('ATH1');
    const lines = sim.send('0902');
    assert.equal(lines.length, 3);
    assert.match(lines[0], /^7E8 10 14 49 02 01 /);
    assert.match(lines[1], /^7E8 21 /);
    assert.match(lines[2], /^7E8 22 /);
    const [message] = reassembleCan(lines);
    const vin = ascii(message.payload.slice(3));
    assert.equal(vin.length, 17);
    assert.match(vin, /^[A-HJ-NPR-Z0-9]{17}$/);
    assert.equal(vin[8], vinCheckDigit(vin), 'check digit');
  });

  it('headers off: the VIN shows as the byte count line and numbered lines (ELM327 datasheet layout)', () => {
    const sim = simHarness({ vin: '1D4GP00R55B123456' });
    const lines = sim.send('0902');
    assert.deepEqual(lines, ['014', '0: 49 02 01 31 44 34', '1: 47 50 30 30 52 35 35', '2: 42 31 32 33 34 35 36']);
  });

  it('a mode 01 request with several PIDs gets one answer, each PID followed by its data', () => {
    const sim = simHarness();
    sim.send('ATH1');
    sim.send('ATSH7E0');
    const [message] = reassembleCan(sim.send('010C0D05'));
    const p = message.payload;
    assert.equal(p[0], 0x41);
    assert.deepEqual([p[1], p[4], p[6]], [0x0c, 0x0d, 0x05]);
    assert.equal(p.length, 8, '41 + 0C a b + 0D a + 05 a');
    assert.equal(message.frames, 2, 'eight bytes need a first and a consecutive frame');
    // Unsupported PIDs are skipped; the transmission answers only the speed.
    sim.send('ATSH7DF');
    const both = reassembleCan(sim.send('010C0D05'));
    assert.deepEqual(both[1].payload.slice(0, 2), [0x41, 0x0d]);
    assert.equal(both[1].payload.length, 3);
  });

  it('the response-count digit stops after that many frames (python-OBD fast mode)', () => {
    const sim = simHarness();
    sim.send('ATH1');
    assert.equal(sim.send('01001').length, 1);
    assert.equal(sim.send('01002').length, 2);
    assert.equal(sim.send('09023').length, 3);
  });

  it('stored, pending and permanent DTCs; a clear removes stored and pending but not permanent', () => {
    const sim = simHarness();
    sim.send('ATSH7E0');
    const codes = (request: string): string[] => {
      const bytes = hexBytes(sim.send(request)[0]);
      assert.equal(bytes[1], (bytes.length - 2) / 2, 'count byte');
      const out: string[] = [];
      for (let i = 2; i < bytes.length; i += 2) out.push(dtcName(bytes[i], bytes[i + 1]));
      return out;
    };
    assert.deepEqual(codes('03'), ['P0104', 'P0420']);
    assert.deepEqual(codes('07'), ['P0171']);
    assert.deepEqual(codes('0A'), ['P0420']);
    const status = hexBytes(sim.send('0101')[0]);
    assert.equal(status[2], 0x80 | 2, 'MIL on, two codes');
    assert.deepEqual(sim.send('0202'), ['42 02 01 04'], 'freeze frame stored by P0104 (python-OBD request form)');

    assert.deepEqual(sim.send('04'), ['44']);
    assert.deepEqual(codes('03'), []);
    assert.deepEqual(codes('07'), []);
    assert.deepEqual(codes('0A'), ['P0420']);
    assert.equal(hexBytes(sim.send('0101')[0])[2], 0x00, 'MIL off, no codes');
    assert.deepEqual(sim.send('020200'), ['42 02 00 00 00'], 'no freeze frame left');
    assert.deepEqual(sim.send('020C00'), ['NO DATA']);
    assert.deepEqual(hexBytes(sim.send('0131')[0]).slice(2), [0, 0], 'distance since codes cleared restarts');
  });

  it('custom DTCs and VIN come from the options; bad ones are rejected with EINVAL', () => {
    const sim = simHarness({ dtcs: ['U0100', 'C1234', 'B2AAA'], pendingDtcs: [], permanentDtcs: [] });
    sim.send('ATSH7E0');
    sim.send('ATH1');
    const bytes = reassembleCan(sim.send('03'))[0].payload;
    assert.equal(bytes[1], 3);
    assert.deepEqual([dtcName(bytes[2], bytes[3]), dtcName(bytes[4], bytes[5]), dtcName(bytes[6], bytes[7])], ['U0100', 'C1234', 'B2AAA']);
    assert.throws(() => simHarness({ dtcs: ['P01'] }), { code: 'EINVAL' });
    assert.throws(() => simHarness({ vin: 'IOQ45678901234567' }), { code: 'EINVAL' });
    assert.throws(() => simHarness({ protocol: 'B' }), { code: 'EINVAL' });
  });

  it('freeze frame values decode to a warm engine on the road', () => {
    const sim = simHarness();
    sim.send('ATSH7E0');
    const rpm = hexBytes(sim.send('020C00')[0]);
    assert.deepEqual(rpm.slice(0, 3), [0x42, 0x0c, 0x00]);
    assert.ok((rpm[3] * 256 + rpm[4]) / 4 > 1000);
    const coolant = hexBytes(sim.send('020500')[0])[3] - 40;
    assert.ok(coolant > 80 && coolant <= 90, String(coolant));
  });

  it('service 09: calibration IDs, CVNs and ECU names from both ECUs', () => {
    const sim = simHarness();
    sim.send('ATH1');
    const calids = reassembleCan(sim.send('0904'));
    assert.equal(calids.length, 2);
    for (const m of calids) {
      assert.deepEqual(m.payload.slice(0, 3), [0x49, 0x04, 0x01]);
      assert.equal(m.payload.length, 3 + 16);
    }
    const cvns = reassembleCan(sim.send('0906'));
    assert.deepEqual(
      cvns.map((m) => m.payload.length),
      [7, 7],
    );
    const names = reassembleCan(sim.send('090A')).map((m) => ascii(m.payload.slice(3)).replace(/\0/g, ''));
    assert.deepEqual(names, ['ECM-EngineControl', 'TCM-TransmissionCtl']);
    const [ipt] = reassembleCan(sim.send('0908'));
    assert.equal(ipt.payload[2], 16, 'sixteen tracking counters');
    assert.equal(ipt.payload.length, 3 + 32);
  });

  it('service 06: the bank 1 catalyst test fails (P0420) and bank 2 passes', () => {
    const sim = simHarness();
    sim.send('ATH1');
    sim.send('ATSH7E0');
    const result = (mid: string): { value: number; min: number; max: number } => {
      const p = reassembleCan(sim.send(`06${mid}`))[0].payload;
      return { value: p[4] * 256 + p[5], min: p[6] * 256 + p[7], max: p[8] * 256 + p[9] };
    };
    const b1 = result('21');
    const b2 = result('22');
    assert.ok(b1.value > b1.max, 'bank 1 over its limit');
    assert.ok(b2.value >= b2.min && b2.value <= b2.max, 'bank 2 within limits');
  });

  it('29-bit CAN: "18 DA F1 10" ids; requests reach ECUs through DB33F1 or DA10F1', () => {
    const sim = simHarness({ protocol: '7' }, ['ATZ', 'ATE0', 'ATSP7', 'ATH1']);
    const lines = sim.send('010C');
    assert.equal(lines.length, 1);
    assert.match(lines[0], /^18 DA F1 10 04 41 0C [0-9A-F]{2} [0-9A-F]{2} AA AA AA$/);
    assert.deepEqual(
      reassembleCan(sim.send('0100'), 4).map((m) => m.id),
      ['18DAF110', '18DAF118'],
    );
    sim.send('ATSH DA 18 F1');
    assert.deepEqual(
      reassembleCan(sim.send('0100'), 4).map((m) => m.id),
      ['18DAF118'],
    );
    sim.send('ATSH7E0');
    assert.deepEqual(sim.send('0100'), ['NO DATA'], 'an 11-bit header means nothing on 29-bit CAN');
  });
});

describe('simulator: protocol selection against the car', () => {
  it('a CAN car answers "CAN ERROR" at the wrong bit rate and NO DATA with the wrong id size', () => {
    const sim = simHarness();
    sim.send('ATSP8');
    assert.deepEqual(sim.send('0100'), ['CAN ERROR']);
    sim.send('ATSP7');
    assert.deepEqual(sim.send('0100'), ['NO DATA']);
    sim.send('ATSP3');
    assert.deepEqual(sim.send('0100'), ['BUS INIT: ...ERROR']);
  });

  it('a K-line car prints BUS INIT when its protocol is chosen by hand, SEARCHING... when automatic', () => {
    const sim = simHarness({ protocol: '4' }, ['ATZ', 'ATE0', 'ATSP4']);
    const lines = sim.send('0100');
    assert.equal(lines[0], 'BUS INIT: ...OK');
    assert.match(lines[1], /^41 00 /);
    sim.send('ATSP0');
    assert.equal(sim.send('0100')[0], 'SEARCHING...');
    assert.deepEqual(sim.send('ATDPN'), ['A4']);
  });

  it('a J1939 car is not found by the automatic search', () => {
    const sim = simHarness({ protocol: 'A' }, ['ATZ', 'ATE0', 'ATSP0']);
    assert.deepEqual(sim.send('0100'), ['SEARCHING...', 'UNABLE TO CONNECT']);
  });

  it('ignition off: UNABLE TO CONNECT when searching, NO DATA once connected', () => {
    const sim = simHarness({}, ['ATZ', 'ATE0', 'ATSP0']);
    sim.elm.setIgnition(false);
    assert.deepEqual(sim.send('0100'), ['SEARCHING...', 'UNABLE TO CONNECT']);
    sim.elm.setIgnition(true);
    assert.equal(sim.send('0100')[0], 'SEARCHING...');
    sim.elm.setIgnition(false);
    assert.deepEqual(sim.send('0100'), ['NO DATA']);
  });
});
