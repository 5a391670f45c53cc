/**
 * Custom events from obdio.yaml through real Socket.IO clients, on the simulator.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Socket } from 'socket.io-client';
import type { Gateway } from '../../src/gateway.js';
import { parseConfig } from '../../src/load-config.js';
import { collect, connect, next, request, startGateway } from '../helpers/gateway.js';

interface WireError {
  event: string;
  code: string;
  message: string;
}

const CONFIG = `
dashboard: false
events:
  disable: [close]
  custom:
    snapshot:
      - query: [RPM, SPEED]
      - emit:
          event: snapshot
          to: sender
          data: '{"rpm": {{json RPM.value}}, "speed": {{json SPEED.value}}, "unit": "{{unit SPEED}}", "client": "{{client.id}}" }'
    watch:                       # overrides the default event
      - watch: '{{args}}'
      - emit: { event: watch, to: sender, data: '{{json watching}}' }
    enter:
      - join: '{{args}}'
      - emit: { event: entered, to: 'room:{{args}}', data: '{"who": "{{client.id}}", "rooms": {{json client.rooms}} }' }
    exit:
      - leave: '{{args}}'
    say:
      - emit: { event: said, to: 'room:{{args.room}}', data: '{{json args.text}}' }
    shout:
      - emit: { event: shouted, to: all, data: '{{args}}' }
    rpm_check:
      - query: RPM
      - set: { limit: '{{args}}', source: gateway }
      - if: '{{gt RPM.value limit}}'
        then:
          - emit: { event: rpm_check, data: '{"over": true, "by": {{json source}} }' }
        else:
          - emit: { event: rpm_check, data: '{"over": false, "by": {{json source}} }' }
    broken:
      - emit: { event: before_break }
      - emit: { event: broken, data: '{"n": {{args}} }' }
      - emit: { event: after_break }
    missing_query:
      - query: '{{args}}'
      - emit: { event: missing_query, data: '{"value": {{json (lookup this args)}}, "failure": {{json (lookup failures args)}} }' }
`;

describe('custom events from obdio.yaml', () => {
  let gateway: Gateway;
  let a: Socket;
  let b: Socket;
  let c: Socket;

  before(async () => {
    gateway = await startGateway(CONFIG);
    [a, b, c] = await Promise.all([connect(gateway), connect(gateway), connect(gateway)]);
  });
  after(async () => {
    for (const s of [a, b, c]) s.disconnect();
    await gateway.stop();
  });

  test('a custom event queries and answers the sender with JSON built from the results', async () => {
    const reply = await request<{ rpm: number; speed: number; unit: string; client: string }>(a, 'snapshot');
    assert.equal(typeof reply.rpm, 'number');
    assert.ok(reply.rpm >= 0 && reply.rpm < 8000, `rpm ${reply.rpm}`);
    assert.equal(typeof reply.speed, 'number');
    assert.equal(reply.unit, 'km/h');
    assert.equal(reply.client, a.id);
    const acked = (await a.emitWithAck('snapshot')) as { client: string };
    assert.equal(acked.client, a.id, 'the ack carries what was sent to the sender');
  });

  test('a custom event replaces the default of the same name', async () => {
    assert.deepEqual(await request(a, 'watch', ['RPM', 'SPEED']), ['RPM', 'SPEED']);
    assert.deepEqual(await request(a, 'watch', 'COOLANT_TEMP'), ['RPM', 'SPEED', 'COOLANT_TEMP']);
    // The other defaults are still there.
    assert.equal(await request(a, 'is_connected'), true);
  });

  test('a bad name from the client answers UNKNOWN_COMMAND naming the event and action', async () => {
    const error = next<WireError>(a, 'obdio:error');
    const ack = (await a.emitWithAck('watch', 'rpm')) as { error: { code: string; message: string } };
    assert.deepEqual(await error, {
      event: 'watch',
      code: 'UNKNOWN_COMMAND',
      message: "watch action #1 (watch): unknown command 'rpm' (names are case-sensitive: did you mean 'RPM'?)",
    });
    assert.equal(ack.error.code, 'UNKNOWN_COMMAND');
  });

  test('rooms: join, emit to the room, leave', async () => {
    const joinedA = next<{ who: string; rooms: string[] }>(a, 'entered');
    a.emit('enter', 'garage');
    assert.deepEqual(await joinedA, { who: a.id, rooms: ['garage'] });
    const seenByA = next<{ who: string }>(a, 'entered');
    const seenByB = next<{ who: string }>(b, 'entered');
    b.emit('enter', 'garage');
    assert.equal((await seenByA).who, b.id, 'a member hears who joined');
    assert.equal((await seenByB).who, b.id);

    const heardByC = collect(c, 'said', 300);
    const heardByA = next<string>(a, 'said');
    const heardByB = next<string>(b, 'said');
    c.emit('say', { room: 'garage', text: 'hello' });
    assert.equal(await heardByA, 'hello');
    assert.equal(await heardByB, 'hello');
    assert.deepEqual(await heardByC, [], 'the sender is not in the room');

    assert.equal(await b.emitWithAck('exit', 'garage'), null);
    const afterLeave = collect(b, 'said', 300);
    const stillA = next<string>(a, 'said');
    c.emit('say', { room: 'garage', text: 'again' });
    assert.equal(await stillA, 'again');
    assert.deepEqual(await afterLeave, []);
  });

  test("no client can join another client's own room", async () => {
    const error = next<WireError>(c, 'obdio:error');
    c.emit('enter', a.id);
    const e = await error;
    assert.equal(e.code, 'ACTION_FAILED');
    assert.match(e.message, /^enter action #1 \(join\): .* is another client's own room$/);
  });

  test('emit to all reaches every client; a non-JSON payload is sent as text', async () => {
    const all = Promise.all([a, b, c].map((s) => next<unknown>(s, 'shouted')));
    a.emit('shout', 'hi there');
    assert.deepEqual(await all, ['hi there', 'hi there', 'hi there']);
    const numbers = Promise.all([a, b].map((s) => next<unknown>(s, 'shouted')));
    c.emit('shout', 42);
    assert.deepEqual(await numbers, [42, 42]);
  });

  test('set and if: the condition picks the branch', async () => {
    assert.deepEqual(await request(a, 'rpm_check', -1), { over: true, by: 'gateway' });
    assert.deepEqual(await request(a, 'rpm_check', 1_000_000), { over: false, by: 'gateway' });
  });

  test('bad JSON at run time answers ACTION_FAILED with which action and why; later actions do not run', async () => {
    const before = next(a, 'before_break');
    const afterBreak = collect(a, 'after_break', 300);
    const error = next<WireError>(a, 'obdio:error');
    a.emit('broken'); // no args: {"n":  }
    await before;
    const e = await error;
    assert.equal(e.event, 'broken');
    assert.equal(e.code, 'ACTION_FAILED');
    assert.match(e.message, /^broken action #2 \(emit\): data: the output is not valid JSON \(.+\): \{"n": {2}\}$/);
    assert.deepEqual(await afterBreak, []);
    assert.deepEqual(await request(a, 'broken', 5), { n: 5 }, 'with an argument the same template is JSON');
  });

  test('a query that fails binds null, records why, and the event goes on', async () => {
    // The simulated car has no secondary air system: mode 01 PID 0x12 is not supported.
    const reply = await request<{ value: unknown; failure: { code: string; message: string } }>(a, 'missing_query', 'AIR_STATUS');
    assert.equal(reply.value, null);
    assert.ok(['UNSUPPORTED', 'NO_DATA'].includes(reply.failure.code), JSON.stringify(reply.failure));
    const ok = await request<{ value: { value: number }; failure: null }>(a, 'missing_query', 'RPM');
    assert.equal(typeof ok.value.value, 'number');
    assert.equal(ok.failure, null);
  });

  test('a disabled default event answers EVENT_DISABLED', async () => {
    const error = next<WireError>(a, 'obdio:error');
    a.emit('close');
    assert.deepEqual(await error, {
      event: 'close',
      code: 'EVENT_DISABLED',
      message: "the event 'close' is disabled in the gateway's configuration",
    });
    assert.equal(await request(a, 'status'), 'Car Connected', 'the adapter is still open');
  });
});

describe('custom events with the defaults turned off', () => {
  test('only the custom events and the listed defaults answer; the rest are EVENT_DISABLED', async () => {
    const gateway = await startGateway(`
dashboard: false
events:
  defaults: [status]
  custom:
    query:
      - query: '{{args}}'
      - emit: { event: query, data: '{{json (lookup this args)}}' }
`);
    const client = await connect(gateway);
    try {
      assert.equal(await request(client, 'status'), 'Car Connected');
      const rpm = await request<{ command: { name: string }; unit: string }>(client, 'query', 'RPM');
      assert.equal(rpm.command.name, 'RPM', 'the custom query replaces the disabled default');
      assert.equal(rpm.unit, 'revolutions_per_minute');
      for (const event of ['is_connected', 'watch', 'supported_commands']) {
        const error = next<WireError>(client, 'obdio:error');
        client.emit(event);
        const e = await error;
        assert.equal(e.code, 'EVENT_DISABLED', event);
        assert.equal(e.event, event);
      }
      const unknown = next<WireError>(client, 'obdio:error');
      client.emit('no_such_event');
      assert.equal((await unknown).code, 'UNKNOWN_EVENT');
    } finally {
      client.disconnect();
      await gateway.stop();
    }
  });
});

describe('template errors at load time', () => {
  test('a payload that can never be JSON, or an unknown helper, stops the config with line and column', () => {
    const result = parseConfig(
      `events:
  custom:
    snap:
      - query: RPM
      - emit: { event: snap, data: '{"rpm": {{json RPM.value}} ' }
      - emit: { event: '{{upper args}}' }
`,
      null,
    );
    assert.ok(!result.ok);
    assert.deepEqual(
      result.errors.map((e) => [e.line, e.col, e.code]),
      [
        [5, 36, 'template'],
        [6, 24, 'template'],
      ],
    );
    assert.match(result.errors[0]!.message, /events\.custom\.snap\[1\]\.emit\.data: this payload must be JSON .* can never be/);
    assert.match(result.errors[1]!.message, /unknown helper 'upper'/);
  });
});
