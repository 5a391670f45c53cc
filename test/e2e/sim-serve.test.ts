import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { SerialPort } from 'serialport';
import { serveSimulator, type SimulatorServer } from '../../src/sim/serve.js';
import { openPtyPair, type PtyPair } from '../helpers/pty.js';

/** A byte stream client that sends a command and waits for the ">" prompt. */
function promptReader(write: (text: string) => void, subscribe: (on: (chunk: Buffer) => void) => void) {
  let buffer = '';
  let waiting: ((text: string) => void) | null = null;
  subscribe((chunk) => {
    buffer += chunk.toString('latin1');
    if (waiting && buffer.includes('>')) {
      const resolve = waiting;
      waiting = null;
      const text = buffer;
      buffer = '';
      resolve(text);
    }
  });
  return (command: string): Promise<string> =>
    new Promise((resolve) => {
      waiting = resolve;
      write(`${command}\r`);
    });
}

function connect(address: string): Promise<net.Socket> {
  const { hostname, port } = new URL(address.replace(/^tcp:/, 'http:'));
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) }, () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('serveSimulator over TCP', () => {
  const servers: SimulatorServer[] = [];
  after(async () => {
    for (const server of servers) await server.close();
  });

  it('serves an ELM327 on a loopback port to a real net client', async () => {
    const server = await serveSimulator('tcp://127.0.0.1:0', { protocol: '6' });
    servers.push(server);
    assert.match(server.address, /^tcp:\/\/127\.0\.0\.1:\d+$/);
    const socket = await connect(server.address);
    const send = promptReader(
      (t) => socket.write(t),
      (on) => socket.on('data', on),
    );
    assert.equal(await send('ATZ'), 'ATZ\r\r\rELM327 v1.5\r\r>');
    assert.equal(await send('ATE0'), 'ATE0\rOK\r\r>');
    assert.match(await send('0100'), /^SEARCHING\.\.\.\r41 00 ([0-9A-F]{2} ){4}\r41 00 ([0-9A-F]{2} ){4}\r\r>$/);
    assert.equal(await send('ATDPN'), 'A6\r\r>');
    socket.destroy();
  });

  it('talks to one client at a time, like a WiFi adapter', async () => {
    const server = await serveSimulator('tcp://:0');
    servers.push(server);
    assert.match(server.address, /^tcp:\/\/127\.0\.0\.1:/, 'loopback when no host is given');
    const first = await connect(server.address);
    const second = await connect(server.address);
    await new Promise<void>((resolve) => second.once('close', () => resolve()));
    const send = promptReader(
      (t) => first.write(t),
      (on) => first.on('data', on),
    );
    assert.equal(await send('ATE0'), 'ATE0\rOK\r\r>');
    first.destroy();
    await new Promise<void>((resolve) => first.once('close', () => resolve()));
    // Once the first client has gone the next one is served (retry until the server has seen
    // the close); the adapter kept its state: echo is still off.
    for (let attempt = 0; ; attempt++) {
      const third = await connect(server.address);
      const closed = new Promise<string>((resolve) => third.once('close', () => resolve('closed')));
      const sendThird = promptReader(
        (t) => third.write(t),
        (on) => third.on('data', on),
      );
      const result = await Promise.race([sendThird('ATI'), closed]);
      third.destroy();
      if (result !== 'closed') {
        assert.equal(result, 'ELM327 v1.5\r\r>');
        break;
      }
      assert.ok(attempt < 100, 'the server never took a new client');
    }
  });

  it('reports bad targets and busy ports with a code', async () => {
    await assert.rejects(serveSimulator('tcp://127.0.0.1:99999'), { code: 'EINVAL' });
    await assert.rejects(serveSimulator('tcp://127.0.0.1'), { code: 'EINVAL' });
    const server = await serveSimulator('tcp://127.0.0.1:0');
    servers.push(server);
    await assert.rejects(serveSimulator(server.address), { code: 'EADDRINUSE' });
    await assert.rejects(serveSimulator('/dev/does-not-exist-obdio'), { code: 'ENOENT' });
  });
});

describe('serveSimulator on a serial pty', () => {
  let pair: PtyPair | null = null;
  after(async () => {
    await pair?.close();
  });

  it('answers a SerialPort client on the other end of a socat pty pair', async () => {
    pair = await openPtyPair();
    const server = await serveSimulator(pair.a, { protocol: '3' });
    assert.equal(server.address, pair.a);
    const port = new SerialPort({ path: pair.b, baudRate: 38400, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    try {
      const send = promptReader(
        (t) => port.write(t),
        (on) => port.on('data', on),
      );
      assert.equal(await send('ATE0'), 'ATE0\rOK\r\r>');
      assert.equal(await send('ATSP3'), 'OK\r\r>');
      assert.match(await send('010D'), /^BUS INIT: \.\.\.OK\r41 0D [0-9A-F]{2} \r41 0D [0-9A-F]{2} \r\r>$/);
    } finally {
      await new Promise<void>((resolve) => port.close(() => resolve()));
      await server.close();
    }
  });
});
