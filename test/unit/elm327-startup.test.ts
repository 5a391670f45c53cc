import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Elm327, ElmError, type Elm327Options } from '../../src/elm327/driver.js';
import { ECU } from '../../src/elm327/message.js';
import { ScriptedAdapter, type ScriptedAdapterOptions } from '../helpers/scripted-adapter.js';

const BASE: Elm327Options = { baudrate: 'auto', protocol: 'auto', timeout: 50, checkVoltage: true, startLowPower: false };

function make(adapter: ScriptedAdapterOptions = {}, options: Partial<Elm327Options> = {}) {
  const transport = new ScriptedAdapter(adapter);
  const elm = new Elm327(transport, {
    ...BASE,
    startupTimeouts: { probe: 20, reset: 200, command: 100, search: 200, tryProtocol: 100, wake: 10 },
    ...options,
  });
  return { transport, elm };
}

/** Commands after the baud probes. */
const afterProbes = (commands: string[]): string[] => commands.filter((c) => c !== '\x7F\x7F');

test('start-up on a CAN car: ATZ, ATE0, ATH1, ATL0, ATRV, ATSP0, 0100, ATDPN; status Car Connected', async () => {
  const { transport, elm } = make();
  await elm.connect();
  assert.deepEqual(afterProbes(transport.commands), ['ATZ', 'ATE0', 'ATH1', 'ATL0', 'ATRV', 'ATSP0', '0100', 'ATDPN']);
  assert.equal(elm.status, 'Car Connected');
  assert.equal(elm.protocolId, '6');
  assert.equal(elm.protocolName, 'ISO 15765-4 (CAN 11/500)');
  assert.equal(elm.version, 'ELM327 v1.5');
  assert.equal(elm.portName, '/dev/pts/9');
});

test('baud detection tries 38400, 9600, 230400, 115200 ... until a prompt comes back', async () => {
  const { transport, elm } = make({ portName: '/dev/ttyUSB0', baud: 115200 });
  await elm.connect();
  assert.deepEqual(transport.baudRates, [38400, 9600, 230400, 115200]);
  assert.equal(transport.commands.filter((c) => c === '\x7F\x7F').length, 1); // only the answered probe reached it
  assert.equal(transport.writes.filter((w) => w === '\x7F\x7F\r').length, 4);
  assert.equal(elm.status, 'Car Connected');
});

test('baud detection ignores garbled answers at a wrong rate', async () => {
  const { transport, elm } = make({ portName: '/dev/ttyUSB0', baud: 9600, wrongBaudReply: '\xF8\x80\x3E' });
  await elm.connect();
  assert.deepEqual(transport.baudRates, [38400, 9600]);
});

test('no adapter answering at any baud rate: connect rejects, transport closed, Not Connected', async () => {
  const { transport, elm } = make({ portName: '/dev/ttyUSB0', baud: 1200 });
  await assert.rejects(
    elm.connect(),
    (err: unknown) => err instanceof ElmError && err.code === 'NOT_CONNECTED' && /\/dev\/ttyUSB0/.test(err.message),
  );
  assert.deepEqual(transport.baudRates, [38400, 9600, 230400, 115200, 57600, 19200]);
  assert.equal(transport.isOpen, false);
  assert.equal(elm.status, 'Not Connected');
});

test('a pseudo-terminal skips baud detection (as python-OBD does); an explicit rate is set as given', async () => {
  const pts = make({ portName: '/dev/pts/3' });
  await pts.elm.connect();
  assert.deepEqual(pts.transport.baudRates, []);
  assert.equal(pts.transport.commands[0], 'ATZ');
  const fixed = make({ portName: '/dev/ttyUSB0', baud: 115200 }, { baudrate: 115200 });
  await fixed.elm.connect();
  assert.deepEqual(fixed.transport.baudRates, [115200]);
  assert.equal(fixed.transport.commands[0], 'ATZ');
});

test('ATE0 not acknowledged: connect rejects', async () => {
  const { elm, transport } = make({ replies: { ATE0: '?' } });
  await assert.rejects(elm.connect(), (err: unknown) => err instanceof ElmError && /ATE0/.test(err.message));
  assert.equal(transport.isOpen, false);
});

test('ATH1 answered with something else than OK: connect rejects', async () => {
  const { elm } = make({ replies: { ATH1: ['OK', 'STOPPED'] } });
  await assert.rejects(elm.connect(), (err: unknown) => err instanceof ElmError && /ATH1/.test(err.message));
});

test('ATE0 with the echo still on is accepted', async () => {
  const { elm } = make({ replies: { ATE0: ['ATE0', 'OK'] } });
  await elm.connect();
  assert.equal(elm.status, 'Car Connected');
});

test('under 6 V at the socket: status stays ELM Connected and the car is not tried', async () => {
  const { transport, elm } = make({ replies: { ATRV: '0.4V' } });
  await elm.connect();
  assert.equal(elm.status, 'ELM Connected');
  assert.ok(!transport.commands.includes('0100'));
  assert.equal(elm.protocolName, '');
  assert.equal(elm.protocolId, '');
});

test('an unreadable voltage stops at ELM Connected', async () => {
  const { transport, elm } = make({ replies: { ATRV: '?' } });
  await elm.connect();
  assert.equal(elm.status, 'ELM Connected');
  assert.ok(!transport.commands.includes('ATSP0'));
});

test('check_voltage off: no ATRV, and the car still connects', async () => {
  const { transport, elm } = make({}, { checkVoltage: false });
  await elm.connect();
  assert.ok(!transport.commands.includes('ATRV'));
  assert.equal(elm.status, 'Car Connected');
});

test('ignition off (UNABLE TO CONNECT): OBD Connected, no protocol, no one-by-one search', async () => {
  const { transport, elm } = make({ replies: { '0100': ['SEARCHING...', 'UNABLE TO CONNECT'] } });
  await elm.connect();
  assert.equal(elm.status, 'OBD Connected');
  assert.equal(elm.protocolName, '');
  assert.ok(!transport.commands.some((c) => c.startsWith('ATTP')));
});

test('ignition off with check_voltage off: ELM Connected', async () => {
  const { elm } = make({ replies: { '0100': ['SEARCHING...', 'UNABLE TO CONNECT'] } }, { checkVoltage: false });
  await elm.connect();
  assert.equal(elm.status, 'ELM Connected');
});

test("an inconclusive automatic search tries protocols one by one in python-OBD's order", async () => {
  let current = '0';
  const { transport, elm } = make({
    replies: {
      ATDPN: '0',
      ATTP6: () => ((current = '6'), 'OK'),
      ATTP8: () => ((current = '8'), 'OK'),
      ATTP1: () => ((current = '1'), 'OK'),
      '0100': () => (current === '0' ? ['SEARCHING...', 'NO DATA'] : current === '1' ? '41 6B 10 41 00 BE 3F A8 13 91' : 'CAN ERROR'),
    },
  });
  await elm.connect();
  assert.deepEqual(
    transport.commands.filter((c) => c.startsWith('ATTP')),
    ['ATTP6', 'ATTP8', 'ATTP1'],
  );
  assert.equal(elm.status, 'Car Connected');
  assert.equal(elm.protocolId, '1');
  assert.equal(elm.protocolName, 'SAE J1850 PWM');
});

test('an explicit protocol is tried with ATTP and a 0100 (BUS INIT note tolerated)', async () => {
  const { transport, elm } = make(
    {
      replies: { ATTP3: 'OK', '0100': ['BUS INIT: ...OK', '48 6B 10 41 00 BE 3F A8 13 BC'] },
    },
    { protocol: '3' },
  );
  await elm.connect();
  assert.ok(!transport.commands.includes('ATSP0'));
  assert.deepEqual(transport.commands.slice(-2), ['ATTP3', '0100']);
  assert.equal(elm.status, 'Car Connected');
  assert.equal(elm.protocolName, 'ISO 9141-2');
});

test('an explicit protocol that fails to initialise leaves OBD Connected', async () => {
  const { elm } = make({ replies: { ATTP4: 'OK', '0100': 'BUS INIT: ...ERROR' } }, { protocol: '4' });
  await elm.connect();
  assert.equal(elm.status, 'OBD Connected');
  assert.equal(elm.protocolId, '');
});

test('the ECUs answering the first 0100 are learned: 7E8 engine, 7E9 transmission', async () => {
  const { elm } = make({
    replies: {
      '0100': ['SEARCHING...', '7E9 06 41 00 98 18 80 11', '7E8 06 41 00 BE 3F A8 13'],
      '010D': ['7E8 03 41 0D 32', '7E9 03 41 0D 32'],
    },
  });
  await elm.connect();
  const messages = await elm.request('010D');
  assert.deepEqual(
    messages.map((m) => [m.txId, m.ecu]),
    [
      [0x7e8, ECU.ENGINE],
      [0x7e9, ECU.TRANSMISSION],
    ],
  );
});

test('start_low_power sends a wake-up byte first', async () => {
  const { transport, elm } = make({}, { startLowPower: true });
  await elm.connect();
  assert.equal(transport.writes[0], ' ');
  assert.equal(elm.status, 'Car Connected');
});

test('junk around the ATZ answer still yields the version; ATI is the fallback', async () => {
  const junk = make({ replies: { ATZ: ['\xFC\x80', 'ELM327 v2.1'] } });
  await junk.elm.connect();
  assert.equal(junk.elm.version, 'ELM327 v2.1');
  const silent = make({ replies: { ATZ: '', ATI: 'ELM327 v1.4b' } });
  await silent.elm.connect();
  assert.equal(silent.elm.version, 'ELM327 v1.4b');
});

test('progress is reported through the logger', async () => {
  const records: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) records.push(JSON.parse(line));
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const { elm } = make({ portName: '/dev/ttyUSB0', baud: 9600 }, { logger });
  await elm.connect();
  const tried = records.filter((r) => r.msg === 'trying baud rate').map((r) => r.baud);
  assert.deepEqual(tried, [38400, 9600]);
  assert.ok(records.some((r) => r.msg === 'connected to the vehicle' && r.protocol === 'ISO 15765-4 (CAN 11/500)'));
});
