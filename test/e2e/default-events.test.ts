import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Socket } from 'socket.io-client';
import type { Gateway } from '../../src/gateway.js';
import { collect, connect, next, request, startGateway } from '../helpers/gateway.js';

interface WireCommand {
  name: string;
  desc: string;
  fast: boolean;
  command: string;
  bytes: string;
  ecu: number;
}
interface WireResponse {
  value: unknown;
  command: WireCommand;
  time: number;
  unit: string | null;
}
interface WireError {
  event: string;
  code: string;
  message: string;
}

describe('default events of the reference over a real Socket.IO client, on the simulator', () => {
  let gateway: Gateway;
  let client: Socket;

  before(async () => {
    gateway = await startGateway(`
watch:
  interval: 0
  callbacks:
    - emit: { event: watch_result }
`);
    client = await connect(gateway);
  });
  after(async () => {
    client.disconnect();
    await gateway.stop();
  });

  test('getters answer on their own event with python-OBD values', async () => {
    assert.equal(await request(client, 'status'), 'Car Connected');
    assert.equal(await request(client, 'is_connected'), true);
    assert.equal(await request(client, 'protocol_name'), 'ISO 15765-4 (CAN 11/500)');
    assert.equal(await request(client, 'protocol_id'), '6');
    assert.equal(await request(client, 'port_name'), 'sim');
  });

  test('has_name is case-sensitive; supports knows what the car supports', async () => {
    assert.equal(await request(client, 'has_name', 'RPM'), true);
    assert.equal(await request(client, 'has_name', 'rpm'), false);
    assert.equal(await request(client, 'supports', 'RPM'), true);
  });

  test('supported_commands lists command encodings in the reference shape', async () => {
    const commands = await request<WireCommand[]>(client, 'supported_commands');
    const rpm = commands.find((c) => c.name === 'RPM');
    assert.deepEqual(rpm, { name: 'RPM', desc: 'Engine RPM', fast: true, command: '010C', bytes: '4', ecu: 2 });
    assert.ok(commands.some((c) => c.name === 'GET_DTC'));
    assert.ok(commands.length > 40, `only ${commands.length} supported commands`);
  });

  test('query answers an OBDResponse encoding', async () => {
    const response = await request<WireResponse>(client, 'query', 'RPM');
    assert.equal(typeof response.value, 'number');
    assert.ok((response.value as number) >= 0 && (response.value as number) < 8000);
    assert.equal(response.unit, 'revolutions_per_minute');
    assert.equal(response.command.name, 'RPM');
    assert.ok(Math.abs(response.time - Date.now()) < 60_000, 'time is milliseconds since the epoch');
  });

  test('trouble codes and VIN decode', async () => {
    const dtcs = await request<WireResponse>(client, 'query', 'GET_DTC');
    assert.equal(dtcs.unit, "<class 'list'>");
    assert.ok(Array.isArray(dtcs.value) && dtcs.value.length >= 1);
    for (const pair of dtcs.value as unknown[]) {
      assert.ok(Array.isArray(pair) && pair.length === 2 && /^[PCBU][0-3][0-9A-F]{3}$/.test(pair[0] as string));
    }
    const permanent = await request<WireResponse>(client, 'query', 'GET_PERMANENT_DTC');
    assert.deepEqual(
      (permanent.value as string[][]).map(([code]) => code),
      ['P0420'],
    );
    const vin = await request<WireResponse>(client, 'query', 'VIN');
    assert.notEqual(vin.value, null);
  });

  test('emitWithAck gets the same payload as the reply event', async () => {
    assert.equal(await client.emitWithAck('status'), 'Car Connected');
    assert.equal(await client.emitWithAck('has_name', 'SPEED'), true);
    const response = (await client.emitWithAck('query', 'SPEED')) as WireResponse;
    assert.equal(response.unit, 'kilometer_per_hour');
    assert.equal(await client.emitWithAck('start'), null);
  });

  /** Returns once every change sent before has taken effect (a query of an unwatched command waits for the request in flight). */
  const settle = () => client.emitWithAck('query', 'COOLANT_TEMP');

  test('watch alone streams responses through the configured callback, as in the reference; unwatch_all ends it', async () => {
    const names = new Set<string>();
    const seen = new Promise<void>((resolve) => {
      const listener = (r: WireResponse) => {
        names.add(r.command.name);
        if (names.has('RPM') && names.has('SPEED')) {
          client.off('watch_result', listener);
          resolve();
        }
      };
      client.on('watch_result', listener);
    });
    client.emit('watch', ['RPM', 'SPEED']);
    await seen;
    // A watched command answers from the latest value.
    const rpm = await request<WireResponse>(client, 'query', 'RPM');
    assert.equal(rpm.command.name, 'RPM');
    client.emit('unwatch_all');
    await settle();
    const after = await collect<WireResponse>(client, 'watch_result', 200);
    assert.equal(after.length, 0);
  });

  test('stop pauses the stream and start resumes it', async () => {
    await client.emitWithAck('watch', ['RPM']);
    await next(client, 'watch_result');
    await client.emitWithAck('stop');
    await settle();
    assert.equal((await collect(client, 'watch_result', 150)).length, 0);
    await client.emitWithAck('start');
    await next(client, 'watch_result');
    await client.emitWithAck('unwatch_all');
  });

  const badInputs: Array<[string, unknown[], string]> = [
    ['query', ['rpm'], 'UNKNOWN_COMMAND'],
    ['query', ['NOT_A_COMMAND'], 'UNKNOWN_COMMAND'],
    ['query', [42], 'BAD_ARGUMENT'],
    ['query', [null], 'BAD_ARGUMENT'],
    ['query', [{ name: 'RPM' }], 'BAD_ARGUMENT'],
    ['query', [], 'MISSING_ARGUMENT'],
    ['query', ['RPM', 'SPEED'], 'TOO_MANY_ARGUMENTS'],
    ['supports', ['speed'], 'UNKNOWN_COMMAND'],
    ['has_name', [7], 'BAD_ARGUMENT'],
    ['watch', [['RPM', 'bogus']], 'UNKNOWN_COMMAND'],
    ['watch', [[]], 'BAD_ARGUMENT'],
    ['watch', [[1, 2]], 'BAD_ARGUMENT'],
    ['unwatch', [], 'MISSING_ARGUMENT'],
    ['status', ['extra'], 'TOO_MANY_ARGUMENTS'],
    ['unwatch_all', [1], 'TOO_MANY_ARGUMENTS'],
    ['no_such_event', [], 'UNKNOWN_EVENT'],
    ['query', ['CLEAR_DTC'], 'FORBIDDEN'],
  ];
  for (const [event, args, code] of badInputs) {
    test(`bad input ${event}(${JSON.stringify(args)}) → obdio:error ${code} and an error ack`, async () => {
      const error = next<WireError>(client, 'obdio:error');
      const ack = await client.emitWithAck(event, ...args);
      assert.equal((await error).code, code);
      assert.equal((await error).event, event);
      assert.ok((await error).message.length > 10);
      assert.deepEqual(Object.keys(ack as object), ['error']);
      assert.equal((ack as { error: { code: string } }).error.code, code);
    });
  }

  test('a bad watch changes nothing: the good names in it are not watched', async () => {
    await client.emitWithAck('watch', ['SPEED', 'nope']);
    await client.emitWithAck('start');
    await settle();
    assert.equal((await collect(client, 'watch_result', 150)).length, 0);
  });

  test('close broadcasts obd_closed to every client and status turns Not Connected', async () => {
    const other = await connect(gateway);
    const closed = next(other, 'obd_closed');
    client.emit('close');
    await closed;
    assert.equal(await request(other, 'status'), 'Not Connected');
    assert.equal(await request(other, 'is_connected'), false);
    assert.equal(await request(other, 'protocol_name'), '');
    assert.equal(await request(other, 'port_name'), '');
    assert.deepEqual(await request(other, 'supported_commands'), []);
    assert.equal(await request(other, 'query', 'RPM'), null);
    other.disconnect();
  });
});
