/**
 * How the serial and TCP transports name what went wrong: addresses they refuse and the codes
 * (with advice) their errors map to. No port or socket is opened here; the links themselves
 * are tried in test/e2e/transport-serial.test.ts and transport-tcp.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serialError } from '../../src/transport/serial.js';
import { parseTcpUrl, tcpError } from '../../src/transport/tcp.js';
import { TransportError } from '../../src/transport/transport.js';

test('parseTcpUrl reads host and port, IPv6 included, and refuses anything else', () => {
  assert.deepEqual(parseTcpUrl('tcp://192.168.0.10:35000'), { host: '192.168.0.10', port: 35000 });
  assert.deepEqual(parseTcpUrl('tcp://[::1]:35000'), { host: '::1', port: 35000 });
  assert.deepEqual(parseTcpUrl('TCP://obd.local:23'), { host: 'obd.local', port: 23 });
  for (const bad of [
    'tcp://host',
    'tcp://host:0',
    'tcp://host:99999',
    'http://host:80',
    'tcp://:35000',
    'tcp://host:35000/path',
    'tcp//host:1',
  ]) {
    assert.throws(
      () => parseTcpUrl(bad),
      (err: unknown) => err instanceof TransportError && err.code === 'EINVAL',
      bad,
    );
  }
});

test('socket errors map to codes', () => {
  const mapped = (code: string): TransportError => tcpError('tcp://x:1', Object.assign(new Error(code), { code }));
  assert.equal(mapped('EAI_AGAIN').code, 'ENOTFOUND');
  assert.match(mapped('ENOTFOUND').message, /host not found/);
  assert.match(mapped('EHOSTUNREACH').message, /unreachable/);
  assert.equal(mapped('ECONNRESET').code, 'ECONNRESET');
});

test('serialport errors map to codes with advice', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['Error: No such file or directory, cannot open /dev/ttyUSB0', 'ENOENT', /no such device/],
    [
      'Error: Permission denied, cannot open /dev/ttyUSB0',
      'EACCES',
      /permission denied \(add your user to the dialout group: sudo usermod -aG dialout \$USER\)/,
    ],
    ['Error Resource temporarily unavailable Cannot lock port', 'EBUSY', /port busy/],
    ['Error: Device or resource busy, cannot open /dev/ttyUSB0', 'EBUSY', /port busy/],
    ['Opening COM3: Access denied', 'EBUSY', /port busy/],
    ['Error: Inappropriate ioctl for device, cannot open /dev/null', 'ENOTTY', /not a serial port/],
    ['Error: No such device or address, cannot open /dev/ttyUSB0', 'ENODEV', /unplugged/],
    ['something else', 'EIO', /something else/],
  ];
  for (const [message, code, advice] of cases) {
    const mapped = serialError('/dev/ttyUSB0', new Error(message));
    assert.equal(mapped.code, code, message);
    assert.match(mapped.message, advice);
    assert.ok(mapped.message.startsWith('/dev/ttyUSB0: '));
  }
});
