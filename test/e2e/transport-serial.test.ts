import { test, before, after } from 'node:test';
import { execFileSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { SerialTransport } from '../../src/transport/serial.js';
import { TransportError } from '../../src/transport/transport.js';
import { Elm327 } from '../../src/elm327/driver.js';
import { openPtyPair, type PtyPair } from '../helpers/pty.js';
import { ElmScript } from '../helpers/scripted-adapter.js';
import { readUntilData, type UnixPortBinding } from '../../src/transport/serial-hangup.js';

/** Resolves with what arrived once it is `expected` long (rejects after 3 s, so nothing hangs). */
function receive(sink: Buffer[], expected: string): Promise<string> {
  const deadline = Date.now() + 3000;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const all = Buffer.concat(sink);
      if (all.length >= expected.length) resolve(all.toString('latin1'));
      else if (Date.now() > deadline) reject(new Error(`received only ${JSON.stringify(all.toString('latin1'))}`));
      else setTimeout(check, 5);
    };
    check();
  });
}

let pty: PtyPair;
before(async () => {
  pty = await openPtyPair();
});
after(async () => {
  await pty.close();
});

test('bytes cross a real pty pair both ways, also after a baud rate change', async () => {
  const host = new SerialTransport(pty.a, { baudRate: 38400 });
  const device = new SerialTransport(pty.b);
  const toHost: Buffer[] = [];
  const toDevice: Buffer[] = [];
  host.onData((c) => toHost.push(c));
  device.onData((c) => toDevice.push(c));
  await host.open();
  await device.open();
  assert.equal(host.isOpen, true);
  host.write('ATZ\r');
  assert.equal(await receive(toDevice, 'ATZ\r'), 'ATZ\r');
  device.write('ELM327 v1.5\r\r>');
  assert.equal(await receive(toHost, 'ELM327 v1.5\r\r>'), 'ELM327 v1.5\r\r>');
  await host.setBaudRate(9600);
  host.write('ATI\r');
  assert.equal(await receive(toDevice, 'ATZ\rATI\r'), 'ATZ\rATI\r');
  await host.close();
  await device.close();
  assert.equal(host.isOpen, false);
  assert.throws(
    () => host.write('x'),
    (err: unknown) => err instanceof TransportError && err.code === 'NOT_OPEN',
  );
});

test('the ELM327 driver starts up over a real pty', async () => {
  const script = new ElmScript({ '010C': '7E8 04 41 0C 1A F8' });
  const device = new SerialTransport(pty.b);
  device.onData((chunk) => {
    const out = script.handle(chunk.toString('latin1'));
    if (out) device.write(out);
  });
  await device.open();
  const elm = new Elm327(new SerialTransport(pty.a), {
    baudrate: 'auto',
    protocol: 'auto',
    timeout: 1000,
    checkVoltage: true,
    startLowPower: false,
  });
  await elm.connect();
  assert.equal(elm.status, 'Car Connected');
  assert.equal(elm.portName, pty.a);
  const [m] = await elm.request('010C');
  assert.deepEqual([...m.data], [0x41, 0x0c, 0x1a, 0xf8]);
  await elm.close();
  await device.close();
});

test('a port that is already open elsewhere is reported busy; close and reopen work', async () => {
  const first = new SerialTransport(pty.a);
  await first.open();
  const second = new SerialTransport(pty.a);
  await assert.rejects(
    second.open(),
    (err: unknown) => err instanceof TransportError && err.code === 'EBUSY' && /port busy/.test(err.message),
  );
  await first.close();
  await second.open();
  await second.close();
});

test('a missing device is ENOENT "no such device"', async () => {
  const transport = new SerialTransport('/dev/ttyUSB-obdio-missing');
  await assert.rejects(
    transport.open(),
    (err: unknown) => err instanceof TransportError && err.code === 'ENOENT' && /no such device/.test(err.message),
  );
});

test('the device going away is reported once through onLost; close() is not', async () => {
  const pair = await openPtyPair();
  const closedNormally = new SerialTransport(pair.b);
  const normalLosses: Error[] = [];
  closedNormally.onLost((e) => normalLosses.push(e));
  await closedNormally.open();
  await closedNormally.close();

  const transport = new SerialTransport(pair.a);
  const lost = new Promise<Error>((resolve) => transport.onLost(resolve));
  await transport.open();
  await pair.close(); // socat gone: the pty disappears under the open port
  const error = await lost;
  assert.ok(error instanceof TransportError);
  assert.equal((error as TransportError).code, 'LOST');
  assert.equal(transport.isOpen, false);
  assert.deepEqual(normalLosses, []);
});

test('a device that hangs up (its reads return 0 bytes) is taken as lost, not read again forever', { timeout: 5000 }, async () => {
  // A FIFO behaves as a hung-up tty does: once the writer is gone, every read returns 0.
  const dir = await mkdtemp(join(tmpdir(), 'obdio-hangup-'));
  const fifo = join(dir, 'adapter');
  execFileSync('mkfifo', [fifo]);
  const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const writer = openSync(fifo, constants.O_WRONLY);
  const readable = new EventEmitter();
  let polled!: () => void;
  const pollAsked = new Promise<void>((resolve) => (polled = resolve));
  const port: UnixPortBinding = {
    fd,
    isOpen: true,
    // Stands in for the binding's epoll poller: the test says when the fd is readable.
    poller: {
      once: (event, callback) => {
        readable.once(event, callback);
        polled();
      },
    },
    read: () => Promise.reject(new Error('not used')),
  };
  try {
    const buffer = Buffer.alloc(64);
    const waiting = readUntilData(port, buffer, 0, 64);
    await pollAsked; // nothing written yet: EAGAIN, so it waits for the fd to be readable
    writeSync(writer, 'OK\r>');
    readable.emit('readable', null);
    const { bytesRead } = await waiting;
    assert.equal(buffer.toString('latin1', 0, bytesRead), 'OK\r>');
    closeSync(writer);
    await assert.rejects(readUntilData(port, buffer, 0, 64), (err: Error & { code?: string; disconnect?: boolean }) => {
      assert.deepEqual([err.code, err.disconnect, err.message], ['EIO', true, 'the device hung up']);
      return true;
    });
  } finally {
    closeSync(fd);
    await rm(dir, { recursive: true, force: true });
  }
});
