import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatorValue, replyData, type SimEcuData } from '../../src/sim/custom-ecus.js';
import { hexBytes, simHarness } from '../helpers/sim-harness.js';

const ECUS: SimEcuData = {
  '7E4': {
    '220101': [
      { kind: 'bytes', bytes: [0xa5] },
      { kind: 'ramp', min: 3000, max: 4000, period: 10_000, bytes: 2 },
    ],
    '220105': [{ kind: 'bytes', bytes: Array.from({ length: 20 }, (_, i) => i) }],
    '220106': [{ kind: 'sine', min: -100, max: 100, period: 4000, bytes: 2 }],
  },
  '7E0': { '221234': [{ kind: 'bytes', bytes: [0x56] }] },
};

/** Answer lines with headers on, as [CAN id, frame bytes after the PCI]. */
function frames(lines: string[]): Array<[string, number[]]> {
  return lines.map((line) => {
    const [id, ...rest] = line.split(' ');
    return [id!, hexBytes(rest.join(' '))];
  });
}

test('an ECU on 7E4 answers its requests from 7EC: the positive response, the echo, then the data', () => {
  const sim = simHarness({ ecus: ECUS }, ['ATZ', 'ATE0', 'ATSP6', 'ATH1', 'ATSH7E4']);
  const [[id, frame]] = frames(sim.send('220101'));
  assert.equal(id, '7EC');
  // PCI 06, then 62 01 01, A5, and the ramp at its start: 3000 = 0x0BB8.
  assert.deepEqual(frame.slice(0, 7), [0x06, 0x62, 0x01, 0x01, 0xa5, 0x0b, 0xb8]);
  sim.at(5);
  assert.deepEqual(frames(sim.send('220101'))[0]![1].slice(5, 7), [0x0d, 0xac], 'half-way: 3500');
  assert.deepEqual(sim.send('229999'), ['NO DATA'], 'a request it does not know');
  assert.deepEqual(sim.send('010C'), ['NO DATA'], 'no J1979 data from this ECU');
});

test('a long reply goes out as ISO-TP first and consecutive frames', () => {
  const sim = simHarness({ ecus: ECUS }, ['ATZ', 'ATE0', 'ATSP6', 'ATH1', 'ATSH7E4']);
  const lines = frames(sim.send('220105'));
  // 3 echo bytes + 20 data bytes = 23: a first frame (10 17) with 6 bytes, then 3 consecutive frames.
  assert.deepEqual(
    lines.map(([id]) => id),
    ['7EC', '7EC', '7EC', '7EC'],
  );
  assert.deepEqual(lines[0]![1].slice(0, 8), [0x10, 0x17, 0x62, 0x01, 0x05, 0, 1, 2]);
  assert.deepEqual(lines[1]![1].slice(0, 8), [0x21, 3, 4, 5, 6, 7, 8, 9]);
});

test("a functional request (7DF) reaches the custom ECU too; one on 7E0 adds to the engine's answers", () => {
  const sim = simHarness({ ecus: ECUS }, ['ATZ', 'ATE0', 'ATSP6', 'ATH1']);
  assert.deepEqual(
    frames(sim.send('220101')).map(([id]) => id),
    ['7EC'],
  );
  sim.send('ATSH7E0');
  assert.deepEqual(frames(sim.send('221234'))[0]!.slice(0, 1), ['7E8']);
  assert.deepEqual(frames(sim.send('221234'))[0]![1].slice(0, 5), [0x04, 0x62, 0x12, 0x34, 0x56]);
  assert.equal(frames(sim.send('010D'))[0]![0], '7E8', 'the engine still answers J1979');
});

test('generators: a ramp rises from min to max each period; a sine starts mid-way and peaks at a quarter', () => {
  const ramp = { kind: 'ramp', min: 0, max: 200, period: 1000, bytes: 1 } as const;
  assert.deepEqual(
    [0, 250, 500, 999, 1000, 1250].map((ms) => generatorValue(ramp, ms)),
    [0, 50, 100, 200, 0, 50],
  );
  const sine = { kind: 'sine', min: -100, max: 100, period: 4000, bytes: 2 } as const;
  assert.deepEqual(
    [0, 1000, 2000, 3000].map((ms) => generatorValue(sine, ms)),
    [0, 100, 0, -100],
  );
  // Negative raw values go out as two's complement: -100 = FF 9C.
  assert.deepEqual(replyData([sine], 3000), [0xff, 0x9c]);
  assert.deepEqual(replyData([{ kind: 'bytes', bytes: [1, 2] }, ramp], 500), [1, 2, 100]);
});

test('the configured ECU answers on the sine through the simulated adapter, with the fake clock', () => {
  const sim = simHarness({ ecus: ECUS }, ['ATZ', 'ATE0', 'ATSP6', 'ATH1', 'ATSH7E4']);
  sim.at(1);
  assert.deepEqual(frames(sim.send('220106'))[0]![1].slice(0, 6), [0x05, 0x62, 0x01, 0x06, 0x00, 0x64]);
  sim.at(3);
  assert.deepEqual(frames(sim.send('220106'))[0]![1].slice(4, 6), [0xff, 0x9c]);
});
