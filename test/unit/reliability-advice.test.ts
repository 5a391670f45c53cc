import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ElmError } from '../../src/elm327/errors.js';
import { explainConnectFailure } from '../../src/link/advice.js';
import { serialError } from '../../src/transport/serial.js';
import { tcpError } from '../../src/transport/tcp.js';

test('advice: a missing device lists the serial ports found, or says none were', () => {
  const error = serialError('/dev/ttyUSB9', new Error('Error: No such file or directory, cannot open /dev/ttyUSB9'));
  const withPorts = explainConnectFailure(error, '/dev/ttyUSB9', ['/dev/ttyUSB0', '/dev/rfcomm0']);
  assert.equal(withPorts.code, 'ENOENT');
  assert.match(
    withPorts.message,
    /^\/dev\/ttyUSB9: no such device\. Serial ports found: \/dev\/ttyUSB0, \/dev\/rfcomm0\. Fix: set connection\.port/,
  );
  assert.match(explainConnectFailure(error, '/dev/ttyUSB9', []).message, /No serial ports found.*plug the adapter in/);
});

test('advice: permission denied names the dialout group; busy names fuser', () => {
  const denied = explainConnectFailure(
    serialError('/dev/ttyUSB0', new Error('Error: Permission denied, cannot open /dev/ttyUSB0')),
    '/dev/ttyUSB0',
  );
  assert.match(denied.message, /permission denied\. Fix: .*sudo usermod -aG dialout \$USER/);
  const busy = explainConnectFailure(
    serialError('/dev/ttyUSB0', new Error('Error Resource temporarily unavailable Cannot lock port')),
    '/dev/ttyUSB0',
  );
  assert.equal(busy.code, 'EBUSY');
  assert.match(busy.message, /port busy.*fuser -v \/dev\/ttyUSB0/);
});

test('advice: no ELM327 at any baud rate keeps the rates tried and adds what to check', () => {
  const error = new ElmError(
    'NOT_CONNECTED',
    'no ELM327 answered on /dev/ttyUSB0 at 38400, 9600 baud (is it the right port, and is the adapter powered?)',
  );
  const advice = explainConnectFailure(error, '/dev/ttyUSB0');
  assert.match(advice.message, /no ELM327 answered on \/dev\/ttyUSB0 at 38400, 9600 baud.*Fix: check connection\.port/);
});

test("advice: TCP refusals and unreachable hosts keep the transport's explanation", () => {
  const url = 'tcp://192.168.0.10:35000';
  const refused = explainConnectFailure(tcpError(url, Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })), url);
  assert.equal(refused.code, 'ECONNREFUSED');
  assert.match(refused.message, /connection refused.*35000/);
  const unreachable = explainConnectFailure(tcpError(url, Object.assign(new Error('x'), { code: 'EHOSTUNREACH' })), url);
  assert.match(unreachable.message, /unreachable.*WiFi/);
  assert.equal(explainConnectFailure('weird', 'sim').message, 'sim: weird');
});
