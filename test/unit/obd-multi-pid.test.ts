/**
 * Multi-PID requests: splitting one service 01 answer into one response per PID (values from
 * the J1979 formulas), telling a proper answer from garbage, and deciding per adapter whether
 * batching works.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ECU, type Message } from '../../src/elm327/message.js';
import { ElmError } from '../../src/elm327/errors.js';
import type { OBDCommand } from '../../src/obd/command.js';
import { commandByName } from '../../src/obd/commands/index.js';
import { batchRequestText, isBatchable, MultiPidBatcher, splitBatchAnswer, type MultiPidLink } from '../../src/obd/multi-pid.js';
import { canMessage } from '../helpers/messages.js';

const cmd = (name: string): OBDCommand => {
  const found = commandByName(name);
  assert.ok(found, name);
  return found;
};
const RPM = cmd('RPM');
const SPEED = cmd('SPEED');
const COOLANT = cmd('COOLANT_TEMP');
const MAF = cmd('MAF');

describe('multi-PID: which commands and what request', () => {
  it('only fixed-length service 01 data PIDs with the default header share a request', () => {
    assert.equal(isBatchable(RPM), true);
    assert.equal(isBatchable(cmd('FUEL_STATUS')), true);
    assert.equal(isBatchable(cmd('PIDS_A')), false, 'bitmaps may not be mixed with data PIDs (J1979)');
    assert.equal(isBatchable(cmd('PIDS_B')), false);
    assert.equal(isBatchable(cmd('DTC_RPM')), false, 'service 02');
    assert.equal(isBatchable(cmd('GET_DTC')), false);
    assert.equal(isBatchable(cmd('VIN')), false);
    assert.equal(isBatchable(cmd('ELM_VOLTAGE')), false);
    assert.equal(isBatchable({ ...RPM, header: '7E1' }), false, 'another header needs its own request');
    assert.equal(isBatchable({ ...RPM, bytes: 0 }), false, 'a variable length cannot be split');
  });

  it('the request is 01 followed by each PID', () => {
    assert.equal(batchRequestText([RPM, SPEED, COOLANT]), '010C0D05');
  });
});

describe('multi-PID: splitting an answer', () => {
  it('gives each PID the bytes its own decoder reads: values as from single requests', () => {
    // 41 | 0C 1A F8 | 0D 32 | 05 5A | 10 01 F4: RPM (256A+B)/4, SPEED A, coolant A-40, MAF (256A+B)/100.
    const split = splitBatchAnswer([RPM, SPEED, COOLANT, MAF], [canMessage('41 0C 1A F8 0D 32 05 5A 10 01 F4')]);
    assert.ok(split);
    assert.deepEqual([...split.get(RPM)![0].data], [0x41, 0x0c, 0x1a, 0xf8]);
    assert.deepEqual([...split.get(SPEED)![0].data], [0x41, 0x0d, 0x32]);
    assert.deepEqual([...split.get(COOLANT)![0].data], [0x41, 0x05, 0x5a]);
    assert.deepEqual([...split.get(MAF)![0].data], [0x41, 0x10, 0x01, 0xf4]);
    assert.equal(split.get(RPM)![0].ecu, ECU.ENGINE);
  });

  it('PIDs come back in any order, and an ECU may leave out those it does not support', () => {
    const engine = canMessage('41 0D 32 0C 1A F8');
    const gearbox = canMessage('41 0D 33', { txId: 0x7e9, ecu: ECU.TRANSMISSION });
    const split = splitBatchAnswer([RPM, SPEED, COOLANT], [engine, gearbox]);
    assert.ok(split);
    assert.equal(split.get(COOLANT), undefined);
    assert.deepEqual(
      split.get(SPEED)!.map((m) => [m.ecu, m.data[2]]),
      [
        [ECU.ENGINE, 0x32],
        [ECU.TRANSMISSION, 0x33],
      ],
    );
  });

  it('an answer that is not PID/data pairs of the requested PIDs is rejected whole', () => {
    const cases: Array<[string, Message[]]> = [
      ['a PID not asked for', [canMessage('41 0C 1A F8 0F 40')]],
      ['a PID twice', [canMessage('41 0D 32 0D 32')]],
      ['a cut-off pair', [canMessage('41 0D 32 0C 1A')]],
      ['a negative answer', [canMessage('7F 01 12')]],
      ['another service', [canMessage('43 01 01 04')]],
      ['one good ECU and one garbled', [canMessage('41 0D 32'), canMessage('41 FF', { txId: 0x7e9, ecu: ECU.TRANSMISSION })]],
    ];
    for (const [what, messages] of cases) assert.equal(splitBatchAnswer([RPM, SPEED], messages), null, what);
  });

  it('adapter text lines (no data) are ignored; no ECU at all is an empty split', () => {
    const text: Message = { frames: [], ecu: ECU.UNKNOWN, txId: null, data: new Uint8Array(0) };
    assert.deepEqual(splitBatchAnswer([RPM, SPEED], [text]), new Map());
  });
});

/** A link that answers like a car would, or fails in one of the ways seen in the wild. */
class FakeLink implements MultiPidLink {
  isConnected = true;
  protocolId = '6';
  fast = true;
  readonly requests: string[] = [];
  constructor(public answer: (text: string) => Message[] | Error) {}
  supports(): boolean {
    return true;
  }
  async request(text: string): Promise<Message[]> {
    this.requests.push(text);
    const reply = this.answer(text);
    if (reply instanceof Error) throw reply;
    return reply;
  }
}

const goodAnswer = (text: string): Message[] => {
  const pids = (text.slice(2).match(/../g) ?? []).filter((p) => p.length === 2);
  const data = { '0C': '0C 1A F8', '0D': '0D 32', '05': '05 5A' } as Record<string, string>;
  return [canMessage('41 ' + pids.map((p) => data[p]).join(' '))];
};

describe('multi-PID: the batcher decides per adapter session', () => {
  it('turns on after a proper answer and learns the response count for fast mode', async () => {
    const link = new FakeLink(goodAnswer);
    const batcher = new MultiPidBatcher(link);
    assert.equal(batcher.state, 'unknown');
    const first = await batcher.query([RPM, SPEED, COOLANT]);
    assert.equal(batcher.state, 'on');
    assert.deepEqual(first.missing, []);
    assert.equal(first.answered.get(RPM)!.value, (0x1a * 256 + 0xf8) / 4);
    assert.equal(first.answered.get(RPM)!.unit, 'revolutions_per_minute');
    assert.equal(first.answered.get(SPEED)!.value, 0x32);
    assert.equal(first.answered.get(COOLANT)!.value, 0x5a - 40);
    await batcher.query([RPM, SPEED, COOLANT]);
    // The 8-byte answer came as an ISO-TP first frame and one consecutive frame: count 2.
    assert.deepEqual(link.requests, ['010C0D05', '010C0D052']);
  });

  it('a refused request ("?"), NO DATA or only the first PID answered turn it off for the session', async () => {
    const failures: Array<[string, (text: string) => Message[] | Error]> = [
      ['refused', () => new ElmError('UNKNOWN_COMMAND', '010C0D: ?')],
      ['no data', () => []],
      ['first PID only', () => [canMessage('41 0C 1A F8')]],
      ['garbage', () => [canMessage('41 0C 1A')]],
    ];
    for (const [what, answer] of failures) {
      const batcher = new MultiPidBatcher(new FakeLink(answer));
      const result = await batcher.query([RPM, SPEED]);
      assert.equal(result.answered.size, 0, what);
      assert.deepEqual(result.missing, [RPM, SPEED], what);
      assert.equal(batcher.state, 'off', what);
      assert.equal(batcher.accepts(RPM), false, what);
    }
  });

  it('once on, a missing PID is reported missing (to be asked alone) without turning batching off', async () => {
    const link = new FakeLink(goodAnswer);
    const batcher = new MultiPidBatcher(link);
    await batcher.query([RPM, SPEED]);
    link.answer = () => [canMessage('41 0C 1A F8 0D 32')];
    const result = await batcher.query([RPM, SPEED, COOLANT]);
    assert.deepEqual(result.missing, [COOLANT]);
    assert.equal(batcher.state, 'on');
  });

  it('a working adapter that keeps failing rests, then is tried again', async () => {
    let now = 0;
    const link = new FakeLink(goodAnswer);
    const batcher = new MultiPidBatcher(link, undefined, () => now);
    await batcher.query([RPM, SPEED]);
    link.answer = () => [];
    for (let i = 0; i < 3; i++) await batcher.query([RPM, SPEED]);
    assert.equal(batcher.state, 'off');
    assert.equal(batcher.enabled, false);
    now += 30_001;
    assert.equal(batcher.enabled, true);
    link.answer = goodAnswer;
    await batcher.query([RPM, SPEED]);
    assert.equal(batcher.state, 'on');
  });

  it('never batches off CAN (multi-PID requests are an ISO 15765-4 feature)', () => {
    for (const id of ['1', '2', '3', '4', '5', 'A']) {
      const link = new FakeLink(goodAnswer);
      link.protocolId = id;
      assert.equal(new MultiPidBatcher(link).accepts(RPM), false, id);
    }
  });
});
