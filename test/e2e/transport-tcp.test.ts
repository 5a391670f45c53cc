import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { TcpTransport } from '../../src/transport/tcp.js';
import { TransportError } from '../../src/transport/transport.js';
import { Elm327 } from '../../src/elm327/driver.js';
import { ElmScript } from '../helpers/scripted-adapter.js';

async function listen(onSocket: (socket: net.Socket) => void): Promise<{ server: net.Server; url: string; close(): Promise<void> }> {
  const server = net.createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    server,
    url: `tcp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test('bytes cross a real socket both ways', async () => {
  const received: string[] = [];
  const srv = await listen((socket) => {
    socket.on('data', (chunk) => {
      received.push(chunk.toString('latin1'));
      socket.write('OK\r\r>');
    });
  });
  const transport = new TcpTransport(srv.url);
  const chunks: Buffer[] = [];
  transport.onData((c) => chunks.push(c));
  await transport.open();
  assert.equal(transport.isOpen, true);
  await transport.setBaudRate(115200); // ignored
  transport.write('ATE0\r');
  while (Buffer.concat(chunks).length < 5) await new Promise((r) => setTimeout(r, 5));
  assert.equal(Buffer.concat(chunks).toString('latin1'), 'OK\r\r>');
  assert.equal(received.join(''), 'ATE0\r');
  await transport.close();
  assert.equal(transport.isOpen, false);
  await srv.close();
});

test('the ELM327 driver starts up over a real socket', async () => {
  const srv = await listen((socket) => {
    const script = new ElmScript({ '010D': '7E8 03 41 0D 32' });
    socket.on('data', (chunk) => {
      const out = script.handle(chunk.toString('latin1'));
      if (out) socket.write(out);
    });
  });
  const elm = new Elm327(new TcpTransport(srv.url), {
    baudrate: 'auto',
    protocol: 'auto',
    timeout: 1000,
    checkVoltage: true,
    startLowPower: false,
  });
  await elm.connect();
  assert.equal(elm.status, 'Car Connected');
  assert.equal(elm.portName, srv.url);
  const [m] = await elm.request('010D');
  assert.deepEqual([...m.data], [0x41, 0x0d, 0x32]);
  await elm.close();
  await srv.close();
});

test('the adapter closing the connection is reported through onLost, once', async () => {
  const srv = await listen((socket) => setTimeout(() => socket.destroy(), 20));
  const transport = new TcpTransport(srv.url);
  const losses: Error[] = [];
  const lost = new Promise<void>((resolve) =>
    transport.onLost((e) => {
      losses.push(e);
      resolve();
    }),
  );
  await transport.open();
  await lost;
  assert.equal(losses.length, 1);
  assert.ok(losses[0] instanceof TransportError && losses[0].code === 'LOST');
  assert.equal(transport.isOpen, false);
  // Reopen works.
  await transport.open();
  assert.equal(transport.isOpen, true);
  await transport.close();
  await srv.close();
});

test('close() is not a loss', async () => {
  const srv = await listen(() => undefined);
  const transport = new TcpTransport(srv.url);
  const losses: Error[] = [];
  transport.onLost((e) => losses.push(e));
  await transport.open();
  await transport.close();
  await transport.close(); // twice is fine
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(losses, []);
  assert.throws(
    () => transport.write('ATZ\r'),
    (err: unknown) => err instanceof TransportError && err.code === 'NOT_OPEN',
  );
  await srv.close();
});

test('a refused connection is ECONNREFUSED with advice', async () => {
  const srv = await listen(() => undefined);
  const url = srv.url;
  await srv.close(); // nothing listens there now
  const transport = new TcpTransport(url);
  await assert.rejects(
    transport.open(),
    (err: unknown) => err instanceof TransportError && err.code === 'ECONNREFUSED' && /connection refused/.test(err.message),
  );
  assert.equal(transport.isOpen, false);
});
