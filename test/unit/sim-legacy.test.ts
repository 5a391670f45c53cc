import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hexBytes, simHarness } from '../helpers/sim-harness.js';
import { legacyFrames } from '../helpers/sim-frames.js';
import { crc8J1850 } from '../../src/sim/protocols.js';

const sum8 = (bytes: readonly number[]): number => bytes.reduce((s, b) => (s + b) % 256, 0);

function legacySim(protocol: string) {
  return simHarness({ protocol }, ['ATZ', 'ATE0', `ATSP${protocol}`, 'ATH1']);
}

/** Lines without the BUS INIT progress line of K-line protocols. */
function obdLines(lines: string[]): string[] {
  return lines.filter((l) => !l.startsWith('BUS INIT'));
}

describe('simulator: legacy protocol framing', () => {
  it('the J1850 CRC is CRC-8/SAE-J1850 (catalogue check value 0x4B for "123456789")', () => {
    assert.equal(crc8J1850([...'123456789'].map((c) => c.charCodeAt(0))), 0x4b);
  });

  for (const [protocol, first, check] of [
    ['1', 0x41, 'crc'],
    ['2', 0x48, 'crc'],
    ['3', 0x48, 'sum'],
  ] as const) {
    it(`protocol ${protocol}: "${first.toString(16).toUpperCase()} 6B 10" header, payload, ${check === 'crc' ? 'CRC-8' : 'checksum'}`, () => {
      const sim = legacySim(protocol);
      const frames = legacyFrames(obdLines(sim.send('010C')));
      assert.equal(frames.length, 1, 'the transmission ECU has no RPM');
      const [frame] = frames;
      assert.deepEqual(frame.header, [first, 0x6b, 0x10]);
      assert.deepEqual(frame.data.slice(0, 2), [0x41, 0x0c]);
      assert.equal(frame.data.length, 4);
      const all = [...frame.header, ...frame.data];
      assert.equal(frame.check, check === 'crc' ? crc8J1850(all) : sum8(all));
    });
  }

  for (const protocol of ['4', '5']) {
    it(`protocol ${protocol} (KWP): format byte 80 + length, tester F1, source, checksum`, () => {
      const sim = legacySim(protocol);
      const [frame] = legacyFrames(obdLines(sim.send('010C')));
      assert.deepEqual(frame.header, [0x80 | 4, 0xf1, 0x10]);
      assert.equal(frame.check, sum8([...frame.header, ...frame.data]));
    });
  }

  it('both ECUs answer 0100 from their bus addresses 10 and 18', () => {
    const sim = legacySim('2');
    const frames = legacyFrames(sim.send('0100'));
    assert.deepEqual(
      frames.map((f) => f.header[2]),
      [0x10, 0x18],
    );
    for (const f of frames) assert.equal(f.check, crc8J1850([...f.header, ...f.data]));
  });

  it('headers off: only the payload', () => {
    const sim = simHarness({ protocol: '3' }, ['ATZ', 'ATE0', 'ATSP3']);
    const lines = obdLines(sim.send('010D'));
    assert.equal(lines.length, 2);
    for (const line of lines) assert.match(line, /^41 0D [0-9A-F]{2}$/);
  });

  it('the VIN comes in five numbered frames of four bytes, three 00 fill bytes first (J1979 non-CAN)', () => {
    const sim = legacySim('2');
    const frames = legacyFrames(sim.send('0902'));
    assert.equal(frames.length, 5);
    frames.forEach((f, i) => assert.deepEqual(f.data.slice(0, 3), [0x49, 0x02, i + 1]));
    const bytes = frames.flatMap((f) => f.data.slice(3));
    assert.deepEqual(bytes.slice(0, 3), [0, 0, 0]);
    assert.equal(String.fromCharCode(...bytes.slice(3)), sim.elm.vehicle.vin);
    assert.deepEqual(legacyFrames(sim.send('0901'))[0].data, [0x49, 0x01, 0x05], 'message count: five frames');
  });

  it('DTCs come three to a frame, zero-filled; an ECU without codes sends one frame of zeros', () => {
    const sim = legacySim('3');
    const frames = legacyFrames(obdLines(sim.send('03')));
    assert.deepEqual(
      frames.map((f) => f.header[2]),
      [0x10, 0x18],
    );
    assert.deepEqual(frames[0].data, [0x43, 0x01, 0x04, 0x04, 0x20, 0x00, 0x00]);
    assert.deepEqual(frames[1].data, [0x43, 0x07, 0x41, 0, 0, 0, 0], 'the transmission stores P0741');
    const pending = legacyFrames(obdLines(sim.send('07')));
    assert.deepEqual(
      pending.map((f) => f.header[2]),
      [0x10, 0x18],
    );
    assert.deepEqual(pending[1].data, [0x47, 0, 0, 0, 0, 0, 0], 'no pending code in the transmission');
  });

  it('several PIDs in one request is a CAN feature: legacy ECUs stay silent', () => {
    const sim = legacySim('3');
    assert.deepEqual(obdLines(sim.send('010C0D')), ['NO DATA']);
  });
});

describe('simulator: SAE J1939 (protocol A)', () => {
  it('answers broadcast PGNs with 8-byte frames from source address 00', () => {
    const sim = simHarness({ protocol: 'A' }, ['ATZ', 'ATE0', 'ATSPA', 'ATH1']);
    const [line] = sim.send('00FEEE');
    const bytes = hexBytes(line);
    assert.deepEqual(bytes.slice(0, 4), [0x18, 0xfe, 0xee, 0x00]);
    assert.equal(bytes.length, 12);
    const coolant = bytes[4] - 40;
    assert.ok(coolant >= 20 && coolant <= 90, String(coolant));
    const eec1 = hexBytes(sim.send('F004')[0]);
    const rpm = (eec1[7] + eec1[8] * 256) * 0.125;
    assert.ok(rpm >= 750 && rpm <= 3500, String(rpm));
  });

  it('OBD-II requests and unknown PGNs get NO DATA', () => {
    const sim = simHarness({ protocol: 'A' }, ['ATZ', 'ATE0', 'ATSPA']);
    assert.deepEqual(sim.send('0100'), ['NO DATA']);
    assert.deepEqual(sim.send('00FEDC'), ['NO DATA']);
  });
});
