import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Elm327, ElmError, type Elm327Options } from '../../src/elm327/driver.js';
import type { Addressing } from '../../src/elm327/addressing.js';
import { ECU } from '../../src/elm327/message.js';
import { ScriptedAdapter, type ScriptedReply } from '../helpers/scripted-adapter.js';

const OPTIONS: Elm327Options = { baudrate: 'auto', protocol: 'auto', timeout: 100, checkVoltage: true, startLowPower: false };

async function connected(replies: Record<string, ScriptedReply> = {}, chunkSize?: number) {
  const transport = new ScriptedAdapter({ replies, chunkSize });
  const elm = new Elm327(transport, OPTIONS);
  await elm.connect();
  const start = transport.commands.length;
  return { transport, elm, sent: () => transport.commands.slice(start) };
}

const isElmError =
  (code: string) =>
  (err: unknown): boolean =>
    err instanceof ElmError && err.code === code;

test('request parses the answer with the active protocol', async () => {
  const { elm } = await connected({ '010C': '7E8 04 41 0C 1A F8' }, 3);
  const [m] = await elm.request('010C');
  assert.deepEqual([...m.data], [0x41, 0x0c, 0x1a, 0xf8]);
  assert.equal(m.ecu, ECU.ENGINE);
  assert.equal(m.txId, 0x7e8);
});

test('NO DATA gives no messages', async () => {
  const { elm } = await connected({ '0150': 'NO DATA' });
  assert.deepEqual(await elm.request('0150'), []);
});

test('a multi-frame answer comes back as one message (VIN)', async () => {
  const { elm } = await connected({
    '0902': ['7E8 10 14 49 02 01 31 44 34', '7E8 21 47 50 30 30 52 35 35', '7E8 22 42 31 32 33 34 35 36'],
  });
  const [m] = await elm.request('0902');
  assert.equal(Buffer.from(m.data.subarray(3)).toString('latin1'), '1D4GP00R55B123456');
});

const ERROR_REPLIES: Array<[string | string[], string]> = [
  ['CAN ERROR', 'CAN_ERROR'],
  ['BUS INIT: ...ERROR', 'BUS_INIT_ERROR'],
  ['BUS ERROR', 'BUS_ERROR'],
  ['FB ERROR', 'BUS_ERROR'],
  ['BUS BUSY', 'BUS_BUSY'],
  ['DATA ERROR', 'DATA_ERROR'],
  [['7E8 03 41 0D 32 <DATA ERROR'], 'DATA_ERROR'],
  ['<RX ERROR', 'DATA_ERROR'],
  ['BUFFER FULL', 'BUFFER_FULL'],
  ['STOPPED', 'STOPPED'],
  [['SEARCHING...', 'UNABLE TO CONNECT'], 'UNABLE_TO_CONNECT'],
  ['?', 'UNKNOWN_COMMAND'],
  ['ERR94', 'CAN_ERROR'],
  ['ERR71', 'BUS_ERROR'],
];

for (const [reply, code] of ERROR_REPLIES) {
  test(`adapter reply ${JSON.stringify(reply)} rejects with ${code}`, async () => {
    const { elm } = await connected({ '010D': reply });
    await assert.rejects(elm.request('010D'), (err: unknown) => isElmError(code)(err) && (err as Error).message.includes('010D'));
  });
}

test('SEARCHING... and "BUS INIT: ..." notes before the data are skipped', async () => {
  const { elm } = await connected({ '010D': ['SEARCHING...', '7E8 03 41 0D 32'], '0105': ['BUS INIT: ...', '7E8 03 41 05 7B'] });
  assert.deepEqual([...(await elm.request('010D'))[0].data], [0x41, 0x0d, 0x32]);
  assert.deepEqual([...(await elm.request('0105'))[0].data], [0x41, 0x05, 0x7b]);
});

test('adapter text answers are kept in frames[0].raw (ATRV, ATI)', async () => {
  const { elm } = await connected();
  const [volts] = await elm.request('ATRV');
  assert.equal(volts.frames[0].raw, '12.6V');
  assert.equal(volts.data.length, 0);
  assert.equal(volts.ecu, ECU.UNKNOWN);
});

test('headers: ATSH only when the header changes; 7E0 is taken as the one in use at start', async () => {
  const { elm, sent } = await connected({ '221234': '7EC 04 62 12 34 56', ATSH7E4: 'OK', ATSH7E0: 'OK', '010D': '7E8 03 41 0D 32' });
  await elm.request('010D', { header: '7E0' });
  await elm.request('221234', { header: '7E4' });
  await elm.request('221234', { header: '7e4' });
  await elm.request('010D', { header: '7E0' });
  await elm.request('010D');
  assert.deepEqual(sent(), ['010D', 'ATSH7E4', '221234', '221234', 'ATSH7E0', '010D', '010D']);
});

test('a refused header rejects the request, and is sent again next time', async () => {
  let accept = false;
  const { elm, sent } = await connected({ ATSH7E4: () => (accept ? 'OK' : '?'), '221234': '7EC 04 62 12 34 56' });
  await assert.rejects(elm.request('221234', { header: '7E4' }), isElmError('UNKNOWN_COMMAND'));
  accept = true;
  const [m] = await elm.request('221234', { header: '7E4' });
  assert.deepEqual([...m.data], [0x62, 0x12, 0x34, 0x56]);
  assert.deepEqual(sent(), ['ATSH7E4', '221234', 'ATSH7E4', '221234']);
});

const BMW_BATTERY: Addressing = {
  extendedAddress: '07',
  receiveFilter: '607',
  tester: null,
  flowControl: { header: '6F1', data: '07300000' },
  timeout: null,
  priority: null,
};

test('addressing: set up before the request (extended address, receive filter, flow control), put back before a plain one, not repeated', async () => {
  const at = (command: string): ScriptedReply => (command.startsWith('AT') ? 'OK' : '?');
  const replies: Record<string, ScriptedReply> = {
    '22DD68': ['607 F1 10 07 62 DD 68 8E 39', '607 F1 21 00 00 00 00 00 00'],
    '010D': '7E8 03 41 0D 32',
  };
  for (const command of [
    'ATCEA07',
    'ATCRA607',
    'ATFCSH6F1',
    'ATFCSD07300000',
    'ATFCSM1',
    'ATFCSM0',
    'ATCRA',
    'ATCEA',
    'ATSH6F1',
    'ATSH7E0',
  ])
    replies[command] = at(command);
  const { elm, sent } = await connected(replies);
  const [m] = await elm.request('22DD68', { header: '6F1', addressing: BMW_BATTERY });
  assert.equal(m.txId, 0x607);
  assert.deepEqual([...m.data], [0x62, 0xdd, 0x68, 0x8e, 0x39, 0x00, 0x00]);
  await elm.request('22DD68', { header: '6F1', addressing: { ...BMW_BATTERY } });
  const [plain] = await elm.request('010D', { header: '7E0' });
  assert.deepEqual([...plain.data], [0x41, 0x0d, 0x32]);
  assert.deepEqual(sent(), [
    'ATCEA07',
    'ATCRA607',
    'ATFCSH6F1',
    'ATFCSD07300000',
    'ATFCSM1',
    'ATSH6F1',
    '22DD68',
    '22DD68',
    'ATFCSM0',
    'ATCRA',
    'ATCEA',
    'ATSH7E0',
    '010D',
  ]);
});

test('addressing: a refused setup command rejects the request; the next request puts everything back first', async () => {
  const replies: Record<string, ScriptedReply> = { ATCEA07: '?', '010D': '7E8 03 41 0D 32' };
  for (const command of [
    'ATCRA607',
    'ATFCSH6F1',
    'ATFCSD07300000',
    'ATFCSM1',
    'ATSH6F1',
    'ATST32',
    'ATFCSM0',
    'ATCRA',
    'ATCEA',
    'ATTAF1',
    'ATCP18',
    'ATSH7E0',
  ])
    replies[command] = 'OK';
  const { elm, sent } = await connected(replies);
  await assert.rejects(
    elm.request('22DD68', { header: '6F1', addressing: BMW_BATTERY }),
    (err: unknown) => isElmError('UNKNOWN_COMMAND')(err) && /ATCEA07/.test((err as Error).message),
  );
  const [m] = await elm.request('010D', { header: '7E0' });
  assert.deepEqual([...m.data], [0x41, 0x0d, 0x32]);
  // The request was queued behind its setup (as behind a header) and its answer is dropped.
  assert.deepEqual(sent(), [
    'ATCEA07',
    'ATCRA607',
    'ATFCSH6F1',
    'ATFCSD07300000',
    'ATFCSM1',
    'ATSH6F1',
    '22DD68',
    'ATST32',
    'ATFCSM0',
    'ATCRA',
    'ATCEA',
    'ATTAF1',
    'ATCP18',
    'ATSH7E0',
    '010D',
  ]);
});

test('an invalid header or command is refused before anything is written', async () => {
  const { elm, sent } = await connected();
  await assert.rejects(elm.request('010D', { header: '7G0' }), isElmError('UNKNOWN_COMMAND'));
  await assert.rejects(elm.request('010D\rATZ'), isElmError('UNKNOWN_COMMAND'));
  await assert.rejects(elm.send(''), isElmError('UNKNOWN_COMMAND'));
  assert.deepEqual(sent(), []);
});

test('send returns the raw lines', async () => {
  const { elm } = await connected({ ATDPN: 'A6' });
  assert.deepEqual(await elm.send('ATDPN'), ['A6']);
  assert.deepEqual(await elm.send('ATRV'), ['12.6V']);
});

test('a silent adapter makes a request time out; the next request still gets its own answer', async () => {
  let calls = 0;
  const { elm } = await connected({ '010C': () => (++calls === 1 ? null : '7E8 04 41 0C 1A F8') });
  await assert.rejects(elm.request('010C'), isElmError('TIMEOUT'));
  const [m] = await elm.request('010C');
  assert.deepEqual([...m.data], [0x41, 0x0c, 0x1a, 0xf8]);
});

test('requests before connect are refused with NOT_CONNECTED', async () => {
  const elm = new Elm327(new ScriptedAdapter(), OPTIONS);
  await assert.rejects(elm.request('010C'), isElmError('NOT_CONNECTED'));
  await assert.rejects(elm.send('ATI'), isElmError('NOT_CONNECTED'));
  assert.equal(elm.status, 'Not Connected');
});

test('close rejects pending requests with CLOSED and closes the transport', async () => {
  const { elm, transport } = await connected({ '010C': null });
  const pending = elm.request('010C');
  const waiting = elm.request('010D');
  await elm.close();
  await assert.rejects(pending, isElmError('CLOSED'));
  await assert.rejects(waiting, isElmError('CLOSED'));
  assert.equal(transport.isOpen, false);
  assert.equal(elm.status, 'Not Connected');
  assert.equal(elm.protocolName, '');
  await assert.rejects(elm.request('010C'), isElmError('NOT_CONNECTED'));
});

test('a lost transport rejects pending requests with LOST and notifies onLost', async () => {
  const { elm, transport } = await connected({ '010C': null });
  const lost: Error[] = [];
  elm.onLost((err) => lost.push(err));
  const pending = elm.request('010C');
  transport.lose('unplugged');
  await assert.rejects(pending, isElmError('LOST'));
  assert.equal(lost.length, 1);
  assert.equal(elm.status, 'Not Connected');
  // It can connect again.
  await elm.connect();
  assert.equal(elm.status, 'Car Connected');
});

test('many queued requests are answered in order', async () => {
  const { elm } = await connected({ '010C': '7E8 04 41 0C 1A F8', '010D': '7E8 03 41 0D 32' });
  const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => elm.request(i % 2 ? '010D' : '010C')));
  replies.forEach((messages, i) => assert.equal(messages[0].data[1], i % 2 ? 0x0d : 0x0c));
});
