/**
 * A client that connects while the adapter is still starting, as a phone does when the gateway
 * boots with the car: the getters are honest meanwhile, its `watch` is accepted, and the stream
 * starts by itself once the car answers. The adapter is Ircama's ELM327-emulator on tcp://,
 * started only after the client has watched.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Gateway } from '../../src/gateway.js';
import { connect, next, request, startGateway } from '../helpers/gateway.js';
import { emulatorUnavailable, startEmulator, type RunningEmulator } from '../helpers/elm327-emulator.js';
import { freePort } from '../helpers/brokers.js';
import type { WireResponse } from './reference-flows.js';

const unavailable = emulatorUnavailable();
let emulator: RunningEmulator | undefined;
let gateway: Gateway | undefined;
after(async () => {
  await gateway?.stop();
  await emulator?.stop();
});

test('a client that watches before the car answers gets its stream once it does', { skip: unavailable ?? false }, async () => {
  const tcp = await freePort();
  const port = `tcp://127.0.0.1:${tcp}`;
  // The first attempt to open the adapter fails at once (nothing listens yet); retries follow.
  gateway = await startGateway(`
connection:
  port: '${port}'
  reconnect: { min_delay: 100ms, max_delay: 300ms }
watch:
  interval: 0.1
  callbacks:
    - emit: { event: obd_value }
`);
  const client = await connect(gateway);
  try {
    assert.equal(await request(client, 'status'), 'Not Connected');
    assert.equal(await request(client, 'is_connected'), false);
    assert.equal(await request(client, 'protocol_name'), '');
    assert.deepEqual(await request(client, 'supported_commands'), []);
    const accepted = await client.emitWithAck('watch', ['RPM', 'SPEED']);
    assert.equal(accepted, null, `watch before the car answers: ${JSON.stringify(accepted)}`);

    const firstValue = next<WireResponse>(client, 'obd_value', 30_000);
    emulator = await startEmulator({ tcp });
    const value = await firstValue;
    assert.ok(['RPM', 'SPEED'].includes(value.command.name), value.command.name);
    assert.equal(await request(client, 'status'), 'Car Connected');
    assert.equal(await request(client, 'port_name'), port);
  } finally {
    client.disconnect();
  }
});
