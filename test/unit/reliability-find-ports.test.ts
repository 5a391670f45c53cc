import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findSerialPorts } from '../../src/link/find-ports.js';

const folders: Record<string, string[]> = {
  '/dev': ['tty', 'ttyS0', 'ttyUSB1', 'ttyUSB0', 'rfcomm0', 'ttyACM0', 'ttyUSB10', 'null'],
  '/dev/serial/by-id': ['usb-FTDI_FT232R-if00-port0'],
};
const readdir = async (dir: string): Promise<string[]> => {
  const names = folders[dir];
  if (!names) throw Object.assign(new Error(`ENOENT: ${dir}`), { code: 'ENOENT' });
  return names;
};
const realpath = async (path: string): Promise<string> => (path.includes('by-id') ? '/dev/ttyUSB0' : path);

test('find ports: udevadm missing (list rejects) falls back to the device folders, USB first, no duplicates', async () => {
  const list = () => Promise.reject(Object.assign(new Error('spawn udevadm ENOENT'), { code: 'ENOENT' }));
  const ports = await findSerialPorts({ list, readdir, realpath });
  assert.deepEqual(ports, ['/dev/ttyUSB0', '/dev/ttyUSB1', '/dev/ttyUSB10', '/dev/ttyACM0', '/dev/rfcomm0']);
});

test('find ports: a list() that throws synchronously or never answers is survived', { timeout: 10_000 }, async () => {
  const throwing = (): Promise<Array<{ path: string }>> => {
    throw new Error('boom');
  };
  assert.deepEqual(await findSerialPorts({ list: throwing, readdir, realpath }), [
    '/dev/ttyUSB0',
    '/dev/ttyUSB1',
    '/dev/ttyUSB10',
    '/dev/ttyACM0',
    '/dev/rfcomm0',
  ]);
  const never = () => new Promise<Array<{ path: string }>>(() => undefined);
  // Without the list timeout this would never resolve: the test's timeout fails it.
  const ports = await findSerialPorts({ list: never, readdir, realpath, listTimeoutMs: 50 });
  assert.equal(ports.length, 5);
});

test('find ports: what list() reports is merged in; built-in UARTs (ttyS) are left out', async () => {
  const list = async () => [{ path: '/dev/ttyS0' }, { path: '/dev/ttyUSB3' }, { path: 'COM3' }];
  const ports = await findSerialPorts({ list, readdir: async () => [], realpath: async (p) => p });
  assert.deepEqual(ports, ['/dev/ttyUSB3', 'COM3']);
});

test('find ports: nothing anywhere is an empty list, not an error', async () => {
  assert.deepEqual(await findSerialPorts({ list: async () => [], readdir: () => Promise.reject(new Error('no /dev')) }), []);
});
