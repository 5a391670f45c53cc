import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Server } from 'socket.io';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import { PacedFanOut, SLICE } from '../../src/fanout/paced.js';

const CLIENTS = 2 * SLICE + 50;

/** Resolves once every client has received `count(its index)` messages of `event`. */
function received(clients: readonly ClientSocket[], event: string, count: (index: number) => number): Promise<unknown[][]> {
  return Promise.all(
    clients.map(
      (client, index) =>
        new Promise<unknown[]>((resolve) => {
          const values: unknown[] = [];
          const listener = (value: unknown): void => {
            values.push(value);
            if (values.length < count(index)) return;
            client.off(event, listener);
            resolve(values);
          };
          client.on(event, listener);
        }),
    ),
  );
}

describe('fan-out: broadcasts to many clients go out in slices, in order', () => {
  let http: HttpServer;
  let io: Server;
  let fanOut: PacedFanOut;
  let clients: ClientSocket[];

  before(async () => {
    http = createServer();
    io = new Server(http, { serveClient: false });
    fanOut = new PacedFanOut(io);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    clients = await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        const client = connectClient(url, { transports: ['websocket'], forceNew: true, reconnection: false });
        await new Promise<void>((resolve, reject) => {
          client.once('connect', resolve);
          client.once('connect_error', reject);
        });
        return client;
      }),
    );
    // Every other client is in a room, so room and all broadcasts can interleave.
    for (const [i, client] of clients.entries()) if (i % 2 === 0) void io.of('/').sockets.get(client.id!)!.join('even');
  });

  after(async () => {
    fanOut.close();
    for (const client of clients) client.disconnect();
    await new Promise<void>((resolve) => io.close(() => resolve()));
  });

  /** Counts, per server-side socket, the packets of `event` handed to its connection. */
  function countWrites(event: string): () => number {
    let count = 0;
    for (const socket of io.of('/').sockets.values()) {
      socket.conn.on('packetCreate', (packet: { type: string; data?: unknown }) => {
        if (packet.type === 'message' && String(packet.data).startsWith(`2["${event}"`)) count++;
      });
    }
    return () => count;
  }

  test('a broadcast writes to at most one slice of sockets per turn of the event loop', async () => {
    const written = countWrites('slice');
    const arrived = received(clients, 'slice', () => 1);
    fanOut.emit('slice', 1);
    assert.equal(written(), SLICE, 'the first slice at once');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(written(), 2 * SLICE, 'the next slice on the next turn');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(written(), CLIENTS, 'the rest on the turn after');
    assert.deepEqual(
      await arrived,
      clients.map(() => [1]),
    );
  });

  test('every client receives every broadcast, in the order they were made, room broadcasts included', async () => {
    const all = Array.from({ length: 20 }, (_, i) => i);
    const forRoom = (i: number): boolean => i % 5 === 4;
    const expected = (index: number): number[] => (index % 2 === 0 ? all : all.filter((i) => !forRoom(i)));
    const events = received(clients, 'v', (index) => expected(index).length);
    for (const i of all) {
      if (forRoom(i)) fanOut.to('even').emit('v', i);
      else fanOut.emit('v', i);
    }
    const lists = await events;
    for (const [index, list] of lists.entries()) assert.deepEqual(list, expected(index), `client ${index}`);
  });

  test('with a few clients, broadcasts are written at once, as Socket.IO alone does', async () => {
    const few = clients.slice(0, 10);
    for (const client of clients.slice(10)) client.disconnect();
    await new Promise<void>((resolve) => {
      const check = (): void => void (io.of('/').sockets.size === few.length ? resolve() : setTimeout(check, 10));
      check();
    });
    await new Promise((resolve) => setImmediate(resolve)); // a fresh turn
    const written = countWrites('few');
    const arrived = received(few, 'few', (index) => (index % 2 === 0 ? 3 : 2));
    fanOut.emit('few', 1);
    fanOut.to('even').emit('few', 2);
    fanOut.emit('few', 3);
    assert.equal(written(), 10 + 5 + 10);
    const lists = await arrived;
    for (const [index, list] of lists.entries()) assert.deepEqual(list, index % 2 === 0 ? [1, 2, 3] : [1, 3]);
  });
});
