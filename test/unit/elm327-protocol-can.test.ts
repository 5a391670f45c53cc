import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProtocol, protocolName, PROTOCOL_IDS } from '../../src/elm327/protocols/index.js';
import { ECU, type Message } from '../../src/elm327/message.js';

const bytes = (hex: string): number[] =>
  hex
    .trim()
    .split(/\s+/)
    .map((h) => parseInt(h, 16));
const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));
const data = (m: Message): number[] => [...m.data];

function shuffled<T>(items: T[], seed: number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

// A VIN answer (mode 09 PID 02) as an ELM327 prints it on 11-bit CAN with headers on.
const VIN = '1D4GP00R55B123456';
const VIN_LINES = ['7E8 10 14 49 02 01 31 44 34', '7E8 21 47 50 30 30 52 35 35', '7E8 22 42 31 32 33 34 35 36'];

test("protocol ids and names are python-OBD's", () => {
  assert.deepEqual(
    PROTOCOL_IDS.map((id) => [id, protocolName(id)]),
    [
      ['1', 'SAE J1850 PWM'],
      ['2', 'SAE J1850 VPW'],
      ['3', 'ISO 9141-2'],
      ['4', 'ISO 14230-4 (KWP 5BAUD)'],
      ['5', 'ISO 14230-4 (KWP FAST)'],
      ['6', 'ISO 15765-4 (CAN 11/500)'],
      ['7', 'ISO 15765-4 (CAN 29/500)'],
      ['8', 'ISO 15765-4 (CAN 11/250)'],
      ['9', 'ISO 15765-4 (CAN 29/250)'],
      ['A', 'SAE J1939 (CAN 29/250)'],
    ],
  );
  assert.equal(protocolName('0'), '');
  assert.throws(() => createProtocol('B', []), RangeError);
});

for (const id of ['6', '8']) {
  test(`CAN 11-bit (${id}): a single frame`, () => {
    const p = createProtocol(id, []);
    const [m] = p.parse(['7E8 04 41 0C 1A F8']);
    assert.deepEqual(data(m), [0x41, 0x0c, 0x1a, 0xf8]); // RPM = (0x1A*256 + 0xF8)/4 = 1726
    assert.equal(m.txId, 0x7e8);
    const f = m.frames[0];
    assert.equal(f.raw, '7E8 04 41 0C 1A F8');
    assert.equal(f.priority, 7);
    assert.equal(f.addrMode, 0xe0);
    assert.equal(f.rxId, 0xf1);
    assert.equal(f.txId, 0x7e8);
    assert.equal(f.type, 0);
    assert.equal(f.dataLen, 4);
    assert.deepEqual([...f.data], [0x41, 0x0c, 0x1a, 0xf8]);
  });

  test(`CAN 11-bit (${id}): a VIN in a first frame and two consecutive frames, in any order`, () => {
    const p = createProtocol(id, []);
    const expected = [0x49, 0x02, 0x01, ...ascii(VIN)];
    for (let seed = 1; seed <= 6; seed++) {
      const messages = p.parse(shuffled(VIN_LINES, seed));
      assert.equal(messages.length, 1);
      assert.deepEqual(data(messages[0]), expected);
      assert.equal(messages[0].frames.length, 3);
      assert.equal(messages[0].txId, 0x7e8);
    }
  });
}

test('CAN: a multi-frame answer with a frame missing is dropped', () => {
  const p = createProtocol('6', []);
  assert.deepEqual(p.parse([VIN_LINES[0], VIN_LINES[2]]), []);
  assert.deepEqual(p.parse([VIN_LINES[0], VIN_LINES[1]]), []); // shorter than the announced 20 bytes
  assert.deepEqual(p.parse([VIN_LINES[1], VIN_LINES[2]]), []); // no first frame
});

test('CAN: 4-bit sequence numbers wrap from F to 0', () => {
  // 6 bytes in the first frame + 17 consecutive frames of 7 bytes = 125 bytes.
  const payload = Array.from({ length: 125 }, (_, i) => i);
  const hex = (b: number[]): string => b.map((x) => x.toString(16).toUpperCase().padStart(2, '0')).join(' ');
  const lines = [`7E8 10 7D ${hex(payload.slice(0, 6))}`];
  for (let n = 1; n <= 17; n++) {
    const chunk = payload.slice(6 + (n - 1) * 7, 6 + n * 7);
    lines.push(`7E8 ${hex([0x20 | (n & 0x0f), ...chunk])}`);
  }
  const [m] = createProtocol('6', []).parse(lines);
  assert.deepEqual(data(m), payload);
  assert.deepEqual(
    m.frames.filter((f) => f.type === 2).map((f) => f.seqIndex),
    Array.from({ length: 17 }, (_, i) => i + 1),
  );
});

test('CAN: two ECUs answering 0100 give one message each, ordered by sender, tagged engine / transmission', () => {
  const reply = ['7E9 06 41 00 98 18 80 11', '7E8 06 41 00 BE 3F A8 13'];
  const p = createProtocol('6', reply);
  const messages = p.parse(reply);
  assert.deepEqual(
    messages.map((m) => m.txId),
    [0x7e8, 0x7e9],
  );
  assert.deepEqual(data(messages[0]), bytes('41 00 BE 3F A8 13'));
  assert.deepEqual(data(messages[1]), bytes('41 00 98 18 80 11'));
  assert.deepEqual(
    messages.map((m) => m.ecu),
    [ECU.ENGINE, ECU.TRANSMISSION],
  );
});

test('CAN: without 7E8, the ECU supporting the most PIDs is the engine; the others are unknown', () => {
  const reply = ['7EA 06 41 00 80 00 00 01', '7EB 06 41 00 BE 3F A8 13'];
  const p = createProtocol('6', reply);
  const byId = new Map(p.parse(reply).map((m) => [m.txId, m.ecu]));
  assert.equal(byId.get(0x7eb), ECU.ENGINE);
  assert.equal(byId.get(0x7ea), ECU.UNKNOWN);
});

test('CAN: a lone answer is the engine, whoever sends it', () => {
  const p = createProtocol('6', ['7E9 06 41 00 BE 3F A8 13']);
  assert.equal(p.parse(['7E9 03 41 0D 32'])[0].ecu, ECU.ENGINE);
});

test('CAN: before any 0100, answers from 7E8 are the engine and from 7EA unknown', () => {
  const p = createProtocol('6', []);
  assert.deepEqual(
    p.parse(['7E8 03 41 0D 32', '7EA 03 41 0D 32']).map((m) => m.ecu),
    [ECU.ENGINE, ECU.UNKNOWN],
  );
});

for (const id of ['7', '9']) {
  test(`CAN 29-bit (${id}): single and multi-frame answers`, () => {
    const p = createProtocol(id, ['18 DA F1 10 06 41 00 BE 3F A8 13']);
    const [single] = p.parse(['18 DA F1 10 04 41 0C 1A F8']);
    assert.deepEqual(data(single), [0x41, 0x0c, 0x1a, 0xf8]);
    assert.equal(single.txId, 0x10);
    assert.equal(single.ecu, ECU.ENGINE);
    const f = single.frames[0];
    assert.deepEqual([f.priority, f.addrMode, f.rxId, f.txId], [0x18, 0xda, 0xf1, 0x10]);

    const vin = VIN_LINES.map((l) => l.replace('7E8', '18 DA F1 10'));
    const [m] = p.parse(vin);
    assert.deepEqual(data(m), [0x49, 0x02, 0x01, ...ascii(VIN)]);
  });
}

test('CAN 29-bit: two ECUs', () => {
  const p = createProtocol('7', []);
  const messages = p.parse(['18 DA F1 18 03 41 0D 32', '18 DA F1 10 03 41 0D 32']);
  assert.deepEqual(
    messages.map((m) => m.txId),
    [0x10, 0x18],
  );
});

test('CAN: DTC answers keep only the counted codes', () => {
  const p = createProtocol('6', []);
  // Two codes (P0133, P0244) then padding.
  assert.deepEqual(data(p.parse(['7E8 06 43 02 01 33 02 44'])[0]), bytes('43 02 01 33 02 44'));
  assert.deepEqual(data(p.parse(['7E8 06 43 01 01 33 00 00'])[0]), bytes('43 01 01 33'));
  // Four codes over two frames.
  const [m] = p.parse(['7E8 10 0A 43 04 01 33 02 44', '7E8 21 03 55 04 66 00 00 00']);
  assert.deepEqual(data(m), bytes('43 04 01 33 02 44 03 55 04 66'));
});

test('CAN: frames that cannot be frames are dropped', () => {
  const p = createProtocol('6', []);
  assert.deepEqual(p.parse(['7E8 01']), []); // no data byte
  assert.deepEqual(p.parse(['7E8 00 41']), []); // zero length
  // Longer than classic CAN (an adapter on CAN FD prints such lines; OBDb recorded one): read as its length byte says.
  assert.deepEqual(data(p.parse(['7E8 08 41 00 00 01 02 03 04 05'])[0]), bytes('41 00 00 01 02 03 04 05'));
  assert.deepEqual(p.parse(['7E8 08 41 00 00 01 02 03 04 0']), []); // odd digit count
  assert.deepEqual(p.parse(['7E8 30 00 00']), []); // flow control
  assert.deepEqual(p.parse(['7E8 06 41 00 BE']), []); // shorter than its length byte says
  assert.deepEqual(data(p.parse(['7E8 01 41'])[0]), [0x41]);
  assert.deepEqual(data(p.parse(['7E8 07 41 00 00 01 02 03 04'])[0]), bytes('41 00 00 01 02 03 04'));
});

test("CAN: padding after a single frame's length is ignored", () => {
  const [m] = createProtocol('6', []).parse(['7E8 03 41 0D 32 AA AA AA AA']);
  assert.deepEqual(data(m), [0x41, 0x0d, 0x32]);
});

test('CAN: an answer after "response pending" (7F xx 78) is the one kept', () => {
  const [m] = createProtocol('6', []).parse(['7E8 03 7F 22 78', '7E8 05 62 F1 90 01 02']);
  assert.deepEqual(data(m), bytes('62 F1 90 01 02'));
});

test('CAN: lines without headers are read', () => {
  const p = createProtocol('6', []);
  const [single] = p.parse(['41 0C 1A F8']);
  assert.deepEqual(data(single), [0x41, 0x0c, 0x1a, 0xf8]);
  assert.equal(single.txId, null);
  // Multi-frame with headers off: total length, then numbered segments.
  const [vin] = p.parse(['014', '0: 49 02 01 31 44 34', '1: 47 50 30 30 52 35 35', '2: 42 31 32 33 34 35 36']);
  assert.deepEqual(data(vin), [0x49, 0x02, 0x01, ...ascii(VIN)]);
  const [vin29] = createProtocol('7', []).parse(['014', '0: 49 02 01 31 44 34', '2: 42 31 32 33 34 35 36', '1: 47 50 30 30 52 35 35']);
  assert.deepEqual(data(vin29), [0x49, 0x02, 0x01, ...ascii(VIN)]);
  const [single29] = createProtocol('7', []).parse(['41 00 BE 3F A8 13']);
  assert.deepEqual(data(single29), bytes('41 00 BE 3F A8 13'));
});

test('CAN: text lines become data-less messages after the frames', () => {
  const p = createProtocol('6', []);
  const messages = p.parse(['12.8V', '7E8 03 41 0D 32']);
  assert.equal(messages.length, 2);
  assert.deepEqual(data(messages[0]), [0x41, 0x0d, 0x32]);
  assert.equal(messages[1].frames[0].raw, '12.8V');
  assert.equal(messages[1].data.length, 0);
  assert.equal(messages[1].ecu, ECU.UNKNOWN);
});

test('CAN: consecutive frames of an earlier answer before the first frame are passed over', () => {
  const p = createProtocol('6', []);
  // The tail of a slower answer to the previous request, then this request's answer.
  const messages = p.parse(['7E8 21 AA AA AA AA AA AA AA', '7E8 22 AA AA AA AA AA AA AA', ...VIN_LINES]);
  assert.equal(messages.length, 1);
  assert.deepEqual(data(messages[0]), [0x49, 0x02, 0x01, ...ascii(VIN)]);
  // A first frame whose answer is cut short, then a complete one: the complete one counts.
  const again = p.parse([VIN_LINES[0], VIN_LINES[1], ...VIN_LINES]);
  assert.deepEqual(data(again[0]), [0x49, 0x02, 0x01, ...ascii(VIN)]);
});

test('CAN: frames of two ECUs interleaved assemble per sender', () => {
  const p = createProtocol('6', []);
  const lines = ['7EA 10 0B 62 01 01 01 02 03', '7E8 10 14 49 02 01 31 44 34', '7EA 21 04 05 06 07 08 09 00', VIN_LINES[1], VIN_LINES[2]];
  const messages = p.parse(lines);
  assert.deepEqual(
    messages.map((m) => m.txId),
    [0x7e8, 0x7ea],
  );
  assert.deepEqual(data(messages[0]), [0x49, 0x02, 0x01, ...ascii(VIN)]);
  assert.deepEqual(data(messages[1]), bytes('62 01 01 01 02 03 04 05 06 07 08'));
});

test('CAN 29-bit: a first frame after stray consecutive frames assembles, per source address', () => {
  const p = createProtocol('7', []);
  const lines = [
    '18DAF160 21 00 00 00 00 8B 45 00',
    '18DAF1601039627022EC0000',
    '18DAF16021000000008B4500',
    '18DAF1602200000000000000',
    '18DAF1602300000000000000',
    '18DAF1602400000000000000',
    '18DAF1602500000000000000',
    '18DAF1602600000000000000',
    '18DAF1602700000000000000',
    '18DAF1602800005555555555',
  ];
  const [m] = p.parse(lines);
  assert.equal(m.txId, 0x60);
  assert.equal(m.data.length, 0x39);
  assert.deepEqual([...m.data.subarray(0, 12)], bytes('62 70 22 EC 00 00 00 00 00 00 8B 45'));
});

test('CAN extended addressing: the address byte before the PCI is skipped; ids outside 7E0-7EF are senders', () => {
  const p = createProtocol('6', []);
  const lines = ['607F1100762DD69FFFF', '607F121F21DFFFFFFFF'];
  const [m] = p.parse(lines, { extendedAddress: true });
  assert.equal(m.txId, 0x607);
  assert.deepEqual(data(m), bytes('62 DD 69 FF FF F2 1D'));
  // Read without extended addressing the same lines are not ISO-TP frames at all.
  assert.deepEqual(p.parse(lines), []);
  // 29-bit with an address byte too.
  const [m29] = createProtocol('7', []).parse(['18DAF160 F1 03 41 0D 32'], { extendedAddress: true });
  assert.deepEqual(data(m29), bytes('41 0D 32'));
});
