import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProtocol } from '../../src/elm327/protocols/index.js';
import { ECU, type Message } from '../../src/elm327/message.js';

const bytes = (hex: string): number[] =>
  hex
    .trim()
    .split(/\s+/)
    .map((h) => parseInt(h, 16));
const data = (m: Message): number[] => [...m.data];
const LEGACY = ['1', '2', '3', '4', '5'];

// Captures as an ELM327 prints them with headers on: header, data, checksum
// (ISO 9141 / KWP: sum of the bytes; J1850: CRC-8).
const RPM_LINES: Record<string, string> = {
  '1': '41 6B 10 41 0C 1A F8 3D', // J1850 PWM
  '2': '48 6B 10 41 0C 1A F8 B2', // J1850 VPW
  '3': '48 6B 10 41 0C 1A F8 22', // ISO 9141-2
  '4': '84 F1 10 41 0C 1A F8 E4', // KWP, 4 data bytes
  '5': '84 F1 10 41 0C 1A F8 E4',
};

const VIN_LINES = [
  '48 6B 10 49 02 01 00 00 00 31 40',
  '48 6B 10 49 02 02 44 34 47 50 1F',
  '48 6B 10 49 02 03 30 30 52 35 F8',
  '48 6B 10 49 02 04 35 42 31 32 EC',
  '48 6B 10 49 02 05 33 34 35 36 E5',
];

for (const id of LEGACY) {
  test(`legacy ${id}: header and checksum are stripped from a single answer`, () => {
    const p = createProtocol(id, []);
    const [m] = p.parse([RPM_LINES[id]]);
    assert.deepEqual(data(m), [0x41, 0x0c, 0x1a, 0xf8]);
    assert.equal(m.txId, 0x10);
    assert.equal(m.ecu, ECU.ENGINE);
    const raw = bytes(RPM_LINES[id]);
    assert.deepEqual([m.frames[0].priority, m.frames[0].rxId, m.frames[0].txId], raw.slice(0, 3));
  });

  test(`legacy ${id}: a multi-line answer (09 02) is ordered by its sequence byte`, () => {
    const p = createProtocol(id, []);
    const expected = [0x49, 0x02, ...bytes('00 00 00 31 44 34 47 50 30 30 52 35 35 42 31 32 33 34 35 36')];
    for (const order of [
      [0, 1, 2, 3, 4],
      [4, 3, 2, 1, 0],
      [2, 0, 4, 1, 3],
    ]) {
      const messages = p.parse(order.map((i) => VIN_LINES[i]));
      assert.equal(messages.length, 1);
      assert.deepEqual(data(messages[0]), expected);
    }
  });
}

test('legacy: a multi-line answer with a line missing is dropped', () => {
  const p = createProtocol('3', []);
  for (let skip = 0; skip < VIN_LINES.length - 1; skip++) {
    assert.deepEqual(p.parse(VIN_LINES.filter((_, i) => i !== skip)), []);
  }
});

test('legacy: DTC lines (03) are joined with a count byte forged in, in the order received', () => {
  const p = createProtocol('3', []);
  const [m] = p.parse(['48 6B 10 43 01 33 02 44 03 55 D8', '48 6B 10 43 04 66 00 00 00 00 70']);
  assert.deepEqual(data(m), bytes('43 00 01 33 02 44 03 55 04 66 00 00 00 00'));
});

test('legacy: answers to different services from one ECU are not mixed', () => {
  const p = createProtocol('3', []);
  assert.deepEqual(p.parse(['48 6B 10 41 0D 32 C1', '48 6B 10 49 02 01 00 00 00 31 40']), []);
});

test('legacy: length limits and odd digit counts', () => {
  const p = createProtocol('2', []);
  assert.deepEqual(data(p.parse(['48 6B 10 41 00 FF'])[0]), [0x41, 0x00]); // shortest
  assert.deepEqual(data(p.parse(['48 6B 10 41 00 00 01 02 03 04 FF'])[0]), bytes('41 00 00 01 02 03 04')); // longest
  assert.deepEqual(p.parse(['48 6B 10 41 FF']), []);
  assert.deepEqual(p.parse(['48 6B 10 41 00 00 01 02 03 04 05 FF']), []);
  assert.deepEqual(p.parse(['48 6B 10 41 00 00 F']), []);
});

test('legacy: several ECUs, ordered by address; 0x10 is the engine, 0x18 the transmission', () => {
  // SAE J2178 node addresses: 10-17 engine, 18-1F transmission (python-OBD tags 0x18 UNKNOWN).
  const reply = ['48 6B 18 41 00 80 00 00 01 8D', '48 6B 10 41 00 BE 3F A8 13 BC', '48 6B 28 41 00 80 00 00 01 9D'];
  const p = createProtocol('3', reply);
  const messages = p.parse(reply);
  assert.deepEqual(
    messages.map((m) => m.txId),
    [0x10, 0x18, 0x28],
  );
  assert.deepEqual(
    messages.map((m) => m.ecu),
    [ECU.ENGINE, ECU.TRANSMISSION, ECU.UNKNOWN],
  );
});

test('legacy: without 0x10 the ECU supporting the most PIDs is the engine', () => {
  const reply = ['48 6B 12 41 00 BE 1F B8 11 AA', '48 6B 14 41 00 00 00 B8 11 AA'];
  const p = createProtocol('1', reply);
  const byId = new Map(p.parse(reply).map((m) => [m.txId, m.ecu]));
  assert.equal(byId.get(0x12), ECU.ENGINE);
  assert.equal(byId.get(0x14), ECU.UNKNOWN);
});

test('legacy: KWP answers with a length in the format byte', () => {
  const [m] = createProtocol('5', []).parse(['83 F1 10 41 0D 32 04']);
  assert.deepEqual(data(m), [0x41, 0x0d, 0x32]);
  assert.equal(m.frames[0].rxId, 0xf1);
});

test('legacy: lines without headers are read', () => {
  const [m] = createProtocol('3', []).parse(['41 0C 1A F8']);
  assert.deepEqual(data(m), [0x41, 0x0c, 0x1a, 0xf8]);
  assert.equal(m.txId, null);
  assert.equal(m.ecu, ECU.UNKNOWN);
});

test('legacy: text lines are kept as data-less messages after the frames', () => {
  const messages = createProtocol('3', []).parse(['NO DATA', '48 6B 10 41 00 BE 3F A8 13 BC']);
  assert.equal(messages.length, 2);
  assert.deepEqual(data(messages[0]), bytes('41 00 BE 3F A8 13'));
  assert.equal(messages[1].data.length, 0);
});
