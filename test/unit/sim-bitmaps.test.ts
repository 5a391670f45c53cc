import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { simHarness, type SimHarness } from '../helpers/sim-harness.js';
import { bitmapPids, legacyFrames, reassembleCan } from '../helpers/sim-frames.js';

/** Data bytes after the service and PID bytes, per SAE J1979 / ISO 15031-5 (service 01). */
const J1979_LENGTH: Record<number, number> = {
  0x01: 4,
  0x02: 2,
  0x03: 2,
  0x04: 1,
  0x05: 1,
  0x06: 1,
  0x07: 1,
  0x08: 1,
  0x09: 1,
  0x0a: 1,
  0x0b: 1,
  0x0c: 2,
  0x0d: 1,
  0x0e: 1,
  0x0f: 1,
  0x10: 2,
  0x11: 1,
  0x12: 1,
  0x13: 1,
  0x1c: 1,
  0x1d: 1,
  0x1e: 1,
  0x1f: 2,
  0x21: 2,
  0x22: 2,
  0x23: 2,
  0x2c: 1,
  0x2d: 1,
  0x2e: 1,
  0x2f: 1,
  0x30: 1,
  0x31: 2,
  0x32: 2,
  0x33: 1,
  0x3c: 2,
  0x3d: 2,
  0x3e: 2,
  0x3f: 2,
  0x41: 4,
  0x42: 2,
  0x43: 2,
  0x44: 2,
  0x45: 1,
  0x46: 1,
  0x47: 1,
  0x48: 1,
  0x49: 1,
  0x4a: 1,
  0x4b: 1,
  0x4c: 1,
  0x4d: 2,
  0x4e: 2,
  0x4f: 4,
  0x50: 4,
  0x51: 1,
  0x52: 1,
  0x53: 2,
  0x54: 2,
  0x55: 2,
  0x56: 2,
  0x57: 2,
  0x58: 2,
  0x59: 2,
  0x5a: 1,
  0x5b: 1,
  0x5c: 1,
  0x5d: 2,
  0x5e: 2,
  0x5f: 1,
  0x61: 1,
  0x62: 1,
  0x63: 2,
  0x64: 5,
  0x7c: 9,
  0x8e: 1,
  0xa2: 2,
  0xa4: 4,
  0xa6: 4,
};
for (let pid = 0x14; pid <= 0x1b; pid++) J1979_LENGTH[pid] = 2;
for (let pid = 0x24; pid <= 0x2b; pid++) J1979_LENGTH[pid] = 4;
for (let pid = 0x34; pid <= 0x3b; pid++) J1979_LENGTH[pid] = 4;
for (let pid = 0; pid <= 0xe0; pid += 0x20) J1979_LENGTH[pid] = 4;

const hex = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');

/** One ECU's payloads for `request`, CAN, headers on. */
function canPayloads(sim: SimHarness, request: string): number[][] {
  const lines = sim.send(request);
  if (lines.length === 1 && lines[0] === 'NO DATA') return [];
  return reassembleCan(lines).map((m) => m.payload);
}

/** Follows the bitmap chain from `service` 00, as a scan tool does; returns every declared PID. */
function walkBitmaps(request: (pid: number) => number[][], reply: number): Set<number> {
  const declared = new Set<number>();
  for (let base = 0; base <= 0xe0; base += 0x20) {
    if (base !== 0 && !declared.has(base)) break;
    const [payload] = request(base);
    assert.ok(payload, `bitmap ${hex(base)} declared but not answered`);
    assert.deepEqual(payload.slice(0, 2), [reply, base]);
    for (const pid of bitmapPids(base, payload.slice(2, 6))) declared.add(pid);
  }
  return declared;
}

describe('simulator: support bitmaps agree with what the ECUs answer', () => {
  for (const [header, name] of [
    ['7E0', 'engine'],
    ['7E1', 'transmission'],
  ] as const) {
    it(`service 01, ${name} (CAN): every declared PID answers with its J1979 length, every other one NO DATA`, () => {
      const sim = simHarness();
      sim.send('ATH1');
      sim.send(`ATSH${header}`);
      sim.at(900);
      const declared = walkBitmaps((pid) => canPayloads(sim, `01${hex(pid)}`), 0x41);
      assert.ok(declared.size > 3);
      for (let pid = 0x01; pid <= 0xc4; pid++) {
        const payloads = canPayloads(sim, `01${hex(pid)}`);
        if (declared.has(pid)) {
          assert.equal(payloads.length, 1, `PID ${hex(pid)} declared but not answered`);
          assert.deepEqual(payloads[0].slice(0, 2), [0x41, pid]);
          const expected = J1979_LENGTH[pid];
          assert.ok(expected !== undefined, `PID ${hex(pid)} declared but has no J1979 length in this test`);
          assert.equal(payloads[0].length - 2, expected, `PID ${hex(pid)} data length`);
        } else {
          assert.deepEqual(payloads, [], `PID ${hex(pid)} not declared but answered`);
        }
      }
    });
  }

  it('service 01 engine bitmap matches the PIDs a petrol V6 with wide-range sensors has', () => {
    const sim = simHarness();
    sim.send('ATH1');
    sim.send('ATSH7E0');
    const declared = walkBitmaps((pid) => canPayloads(sim, `01${hex(pid)}`), 0x41);
    for (const pid of [0x04, 0x05, 0x0c, 0x0d, 0x10, 0x11, 0x1f, 0x2f, 0x33, 0x42, 0x46, 0x5c, 0x5e, 0x61, 0x62, 0x63, 0x7c, 0xa6]) {
      assert.ok(declared.has(pid), `PID ${hex(pid)} missing`);
    }
    // 13 (O2 locations) and 1D (alternative layout) exclude each other; so do narrow and wide upstream sensors.
    assert.ok(declared.has(0x13) && !declared.has(0x1d));
    assert.ok(declared.has(0x24) && !declared.has(0x14));
    assert.ok(!declared.has(0xc0), 'no PIDs above A6, so no C0 bitmap');
  });

  it('service 01 on ISO 9141-2: same rule, and nothing longer than a legacy frame is declared', () => {
    const sim = simHarness({ protocol: '3' }, ['ATZ', 'ATE0', 'ATSP3', 'ATH1']);
    const request = (pid: number): number[][] => {
      const lines = sim.send(`01${hex(pid)}`).filter((l) => !l.startsWith('BUS INIT'));
      return lines[0] === 'NO DATA'
        ? []
        : legacyFrames(lines)
            .filter((f) => f.header[2] === 0x10)
            .map((f) => f.data);
    };
    const declared = walkBitmaps(request, 0x41);
    assert.ok(!declared.has(0x7c));
    for (let pid = 0x01; pid <= 0xc4; pid++) {
      const payloads = request(pid);
      if (declared.has(pid)) assert.equal(payloads[0]?.length - 2, J1979_LENGTH[pid], `PID ${hex(pid)}`);
      else assert.deepEqual(payloads, [], `PID ${hex(pid)} not declared but answered`);
    }
  });

  for (const [header, name] of [
    ['7E0', 'engine'],
    ['7E1', 'transmission'],
  ] as const) {
    it(`service 09, ${name}: declared InfoTypes answer, the others do not`, () => {
      const sim = simHarness();
      sim.send('ATH1');
      sim.send(`ATSH${header}`);
      const declared = walkBitmaps((pid) => canPayloads(sim, `09${hex(pid)}`), 0x49);
      for (let pid = 0x01; pid <= 0x1f; pid++) {
        const payloads = canPayloads(sim, `09${hex(pid)}`);
        assert.equal(payloads.length, declared.has(pid) ? 1 : 0, `InfoType ${hex(pid)}`);
      }
      assert.equal(declared.has(0x02), name === 'engine', 'only the engine ECU reports the VIN');
    });
  }

  it('service 06: declared MIDs answer with whole 9-byte test results, others NO DATA', () => {
    const sim = simHarness();
    sim.send('ATH1');
    sim.send('ATSH7E0');
    const declared = walkBitmaps((mid) => canPayloads(sim, `06${hex(mid)}`), 0x46);
    assert.ok(declared.has(0x21) && declared.has(0xa1));
    for (let mid = 0x01; mid <= 0xc0; mid++) {
      const payloads = canPayloads(sim, `06${hex(mid)}`);
      if (mid % 0x20 === 0) continue;
      if (!declared.has(mid)) {
        assert.deepEqual(payloads, [], `MID ${hex(mid)}`);
        continue;
      }
      const [payload] = payloads;
      assert.equal(payload[0], 0x46);
      assert.equal((payload.length - 1) % 9, 0, `MID ${hex(mid)} results are 9 bytes each`);
      for (let i = 1; i < payload.length; i += 9) assert.equal(payload[i], mid);
    }
  });

  it('service 02 (freeze frame 00): the bitmaps match the frozen PIDs, with or without the frame number', () => {
    const sim = simHarness();
    sim.send('ATH1');
    sim.send('ATSH7E0');
    // python-OBD's form, without the frame number: "0200" -> "42 00 <bitmap>".
    const declared = walkBitmaps((pid) => canPayloads(sim, `02${hex(pid)}`), 0x42);
    assert.ok(declared.has(0x02) && declared.has(0x0c) && declared.has(0x05));
    assert.ok(!declared.has(0x01) && !declared.has(0x41), 'monitor status is not part of a freeze frame');
    for (let pid = 0x01; pid <= 0xc4; pid++) {
      const payloads = canPayloads(sim, `02${hex(pid)}00`);
      if (declared.has(pid)) {
        assert.deepEqual(payloads[0].slice(0, 3), [0x42, pid, 0x00]);
        assert.equal(payloads[0].length - 3, J1979_LENGTH[pid], `PID ${hex(pid)}`);
      } else assert.deepEqual(payloads, [], `PID ${hex(pid)}`);
    }
  });
});
