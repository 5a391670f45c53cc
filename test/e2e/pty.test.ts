import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Gateway } from '../../src/gateway.js';
import { serveSimulator, type SimulatorServer } from '../../src/sim/serve.js';
import { collect, connect, request, startGateway } from '../helpers/gateway.js';
import { openPtyPair, type PtyPair } from '../helpers/pty.js';

interface WireResponse {
  value: unknown;
  unit: string;
  command: { name: string };
}

describe('the gateway on a real serial line: a socat pty with the simulated adapter on the other end', () => {
  let pty: PtyPair;
  let adapter: SimulatorServer;

  before(async () => {
    pty = await openPtyPair();
    adapter = await serveSimulator(pty.a, { baudRate: 38400 });
  });
  after(async () => {
    await adapter.close();
    await pty.close();
  });

  const config = () => `
connection: { port: "${pty.b}", baudrate: auto }
watch:
  commands: [RPM, SPEED]
  interval: 0
  callbacks: [{ emit: { event: watch_result } }]
`;

  test('connects with baud detection, answers the default events and streams', async () => {
    const gateway = await startGateway(config());
    const client = await connect(gateway);
    try {
      assert.equal(await request(client, 'status'), 'Car Connected');
      assert.equal(await request(client, 'port_name'), pty.b);
      assert.equal(await request(client, 'protocol_name'), 'ISO 15765-4 (CAN 11/500)');
      const vin = await request<WireResponse>(client, 'query', 'VIN');
      assert.notEqual(vin.value, null);
      const streamed = await collect<WireResponse>(client, 'watch_result', 400);
      assert.ok(streamed.filter((r) => r.command.name === 'SPEED').length > 3);
    } finally {
      client.disconnect();
      await gateway.stop();
    }
  });

  test('a gateway stopped in the middle of a stream leaves the next one a clean start', async () => {
    // The first gateway stops while a request is in flight: the adapter's late reply stays in the line.
    for (let round = 0; round < 3; round++) {
      const gateway: Gateway = await startGateway(config());
      assert.equal(gateway.service.status, 'Car Connected', `round ${round}`);
      await new Promise((r) => setTimeout(r, 100));
      await gateway.stop();
    }
  });
});
