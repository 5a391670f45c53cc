import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Socket } from 'socket.io-client';
import type { Gateway } from '../../src/gateway.js';
import { RedisFanOut } from '../../src/fanout/redis.js';
import { startRedis, type Broker } from '../helpers/brokers.js';
import { collect, connect, next, startGateway } from '../helpers/gateway.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/two-gateways-redis.yaml', import.meta.url));

/** examples/two-gateways-redis.yaml as one vehicle's gateway, sharing broadcasts through `redisUrl`. */
async function gatewayFor(vehicle: string, redisUrl: string): Promise<Gateway> {
  process.env.OBDIO_VEHICLE = vehicle;
  process.env.OBDIO_REDIS_URL = redisUrl;
  try {
    return await startGateway((await readFile(EXAMPLE, 'utf8')).replace(/RPM: 2hz/, 'RPM: 20hz'));
  } finally {
    delete process.env.OBDIO_VEHICLE;
    delete process.env.OBDIO_REDIS_URL;
  }
}

/** The example's event: a value of one vehicle, sent to that vehicle's room. */
interface Live {
  vehicle: string;
  value: { value: unknown; command: { name: string }; time: number };
}

describe('server.adapter: redis — two gateways (examples/two-gateways-redis.yaml) share broadcasts and rooms', () => {
  let redis: Broker;
  let a: Gateway;
  let b: Gateway;
  let adapterA: RedisFanOut;
  let adapterB: RedisFanOut;
  const clients: Socket[] = [];

  before(async () => {
    redis = await startRedis();
    a = await gatewayFor('car-a', redis.url);
    b = await gatewayFor('car-b', redis.url);
    adapterA = await RedisFanOut.start(a.currentSpec, { io: a.sockets.io });
    adapterB = await RedisFanOut.start(b.currentSpec, { io: b.sockets.io });
  });
  after(async () => {
    for (const client of clients) client.disconnect();
    await adapterA?.stop();
    await adapterB?.stop();
    await a?.stop();
    await b?.stop();
    await redis?.stop();
  });

  async function client(gateway: Gateway): Promise<Socket> {
    const socket = await connect(gateway);
    clients.push(socket);
    return socket;
  }

  test('a client on gateway A that follows car-b receives what gateway B emits to its room', async () => {
    assert.equal(adapterA.stats.connected, true);
    const follower = await client(a);
    const bystander = await client(a);
    assert.equal(await follower.emitWithAck('follow', 'car-b'), 'car-b');
    const value = await next<Live>(follower, 'vehicle_value');
    assert.equal(value.vehicle, 'car-b');
    assert.ok(['RPM', 'SPEED', 'COOLANT_TEMP'].includes(value.value.command.name));
    // Rooms stay rooms across processes: a client of A that follows nobody hears nothing.
    assert.equal((await collect(bystander, 'vehicle_value', 600)).length, 0);
  });

  test('Redis restarting does not stop either gateway; broadcasts between them resume once it is back', async () => {
    const follower = await client(a);
    await follower.emitWithAck('follow', 'car-b');
    await next(follower, 'vehicle_value');
    await redis.kill();
    // Each gateway goes on streaming for its own clients; what it would send the other is dropped.
    const local = await client(a);
    await local.emitWithAck('follow', 'car-a');
    await next(local, 'vehicle_value'); // local clients are still served
    // Broadcasts meant for other gateways are dropped, not queued.
    while (adapterB.stats.dropped === 0) await next(local, 'vehicle_value');
    await redis.start();
    const restarted = Date.now();
    // A value read by gateway B after Redis came back, delivered to a client of gateway A.
    for (;;) {
      const value = await next<Live>(follower, 'vehicle_value', 15_000);
      if (value.vehicle === 'car-b' && value.value.time > restarted) break;
    }
    assert.equal(adapterA.stats.connected, true);
    assert.equal(adapterB.stats.connected, true);
  });

  test("a broadcast to all from gateway B reaches the clients of gateway A (last: it closes B's adapter)", async () => {
    const onA = await client(a);
    const onB = await client(b);
    const closed = next(onA, 'obd_closed');
    onB.emit('close');
    await closed;
  });
});
