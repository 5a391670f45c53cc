/**
 * The action runner against a fake socket and an ObdService without an adapter: queries
 * fail with NOT_CONNECTED, which is exactly the "a failed query binds null" case.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Socket } from 'socket.io';
import { compileCustomEvents, type ActionTarget } from '../../src/actions/runner.js';
import type { ActionSpec, Spec } from '../../src/config/spec.js';
import { ClientError } from '../../src/api/client-error.js';
import { ObdService } from '../../src/api/obd-service.js';

type Sent = { to: string; event: string; args: unknown[] };

function fakes(otherSocketIds: string[] = []) {
  const sent: Sent[] = [];
  const rooms = new Set<string>(['me']);
  const socket = {
    id: 'me',
    rooms,
    emit: (event: string, ...args: unknown[]) => sent.push({ to: 'sender', event, args }),
    join: (room: string) => void rooms.add(room),
    leave: (room: string) => void rooms.delete(room),
  } as unknown as Socket;
  const io: ActionTarget = {
    emit: (event, ...args) => sent.push({ to: 'all', event, args }),
    to: (room) => ({ emit: (event, ...args) => sent.push({ to: `room:${room}`, event, args }) }),
    sockets: { sockets: new Set(['me', ...otherSocketIds]) },
  };
  return { sent, rooms, socket, io };
}

function specWith(custom: Record<string, ActionSpec[]>): Spec {
  return { events: { defaults: 'all', disable: [], custom } } as unknown as Spec;
}

async function run(custom: Record<string, ActionSpec[]>, event: string, args: unknown[] = [], otherSockets: string[] = []) {
  const service = new ObdService('sim', 250);
  const f = fakes(otherSockets);
  const handler = compileCustomEvents(specWith(custom), service, f.io).get(event);
  assert.ok(handler, `no handler for ${event}`);
  let acked: unknown = 'no ack';
  let error: unknown = null;
  try {
    await handler({ socket: f.socket, event, args, ack: (value) => (acked = value) });
  } catch (e) {
    error = e;
  }
  return { ...f, service, acked, error: error as ClientError | null };
}

const emit = (event: string, data: string | null = null, to = 'sender'): ActionSpec => ({ kind: 'emit', event, to, data });

describe('custom event actions', () => {
  test('a failed query binds null and records why; later actions still run', async () => {
    const r = await run(
      {
        snap: [
          { kind: 'query', commands: ['RPM', 'SPEED'] },
          emit('snap', '{"rpm": {{json RPM}}, "why": "{{failures.RPM.code}}", "args": {{json args}} }'),
        ],
      },
      'snap',
    );
    assert.equal(r.error, null);
    assert.deepEqual(r.sent, [{ to: 'sender', event: 'snap', args: [{ rpm: null, why: 'NOT_CONNECTED', args: null }] }]);
    assert.deepEqual(r.acked, { rpm: null, why: 'NOT_CONNECTED', args: null }, 'the ack carries the last emit to the sender');
  });

  test('args: one argument as is, several as a list', async () => {
    const spec = { e: [emit('e', '{{json args}}')] };
    assert.deepEqual((await run(spec, 'e', ['x'])).sent[0]!.args, ['x']);
    assert.deepEqual((await run(spec, 'e', [1, 2])).sent[0]!.args, [[1, 2]]);
  });

  test('watch and unwatch take names from templates, split at commas and spaces', async () => {
    const r = await run({ w: [{ kind: 'watch', commands: ['{{args}}'] }, emit('w', '{{json watching}}')] }, 'w', [['RPM', 'SPEED']]);
    assert.equal(r.error, null);
    assert.deepEqual(r.sent[0]!.args, [['RPM', 'SPEED']]);
    const u = await run(
      {
        u: [
          { kind: 'set', values: { names: 'RPM SPEED,COOLANT_TEMP' } },
          { kind: 'watch', commands: ['{{names}}'] },
          { kind: 'unwatch', commands: ['{{args}}'] },
          emit('u', '{{json watching}}'),
        ],
      },
      'u',
      ['SPEED'],
    );
    assert.deepEqual(u.sent[0]!.args, [['RPM', 'COOLANT_TEMP']]);
  });

  test('an unknown command name answers UNKNOWN_COMMAND naming the action, with a hint', async () => {
    const r = await run({ w: [emit('first'), { kind: 'watch', commands: ['{{args}}'] }, emit('never')] }, 'w', ['rpm']);
    assert.ok(r.error instanceof ClientError);
    assert.equal(r.error.code, 'UNKNOWN_COMMAND');
    assert.equal(r.error.message, "w action #2 (watch): unknown command 'rpm' (names are case-sensitive: did you mean 'RPM'?)");
    assert.deepEqual(
      r.sent.map((s) => s.event),
      ['first'],
      'actions before the failing one ran, those after did not',
    );
    assert.equal(r.acked, 'no ack', 'a failure is acknowledged by the dispatcher, not the handler');
  });

  test('names that render empty, and too many names, are refused', async () => {
    const empty = await run({ q: [{ kind: 'query', commands: ['{{args}}'] }] }, 'q');
    assert.equal(empty.error?.code, 'ACTION_FAILED');
    assert.match(empty.error!.message, /^q action #1 \(query\): no command names: '\{\{args\}\}' rendered empty/);
    const many = await run({ q: [{ kind: 'query', commands: ['{{args}}'] }] }, 'q', [Array.from({ length: 65 }, () => 'RPM')]);
    assert.equal(many.error?.code, 'BAD_ARGUMENT');
  });

  test('emit: sender, all, rooms; a bad target or bad JSON is ACTION_FAILED with the reason', async () => {
    const r = await run({ e: [emit('a', null, 'all'), emit('b', '"x"', 'room:{{args}}'), emit('c', '{{args}}')] }, 'e', ['garage']);
    assert.deepEqual(r.sent, [
      { to: 'all', event: 'a', args: [] },
      { to: 'room:garage', event: 'b', args: ['x'] },
      { to: 'sender', event: 'c', args: ['garage'] },
    ]);
    const badTo = await run({ e: [emit('a', null, '{{args}}')] }, 'e', ['nowhere']);
    assert.equal(badTo.error?.message, "e action #1 (emit): to must be sender, all or room:<name>, got 'nowhere'");
    const badJson = await run({ e: [emit('a', '{"n": {{args}} }')] }, 'e');
    assert.equal(badJson.error?.code, 'ACTION_FAILED');
    assert.match(badJson.error!.message, /^e action #1 \(emit\): data: the output is not valid JSON \(.*\): \{"n": {2}\}$/);
  });

  test('join and leave; another client’s own room is refused', async () => {
    const r = await run(
      {
        j: [
          { kind: 'join', room: '{{args}}' },
          emit('j', '{{json client.rooms}}'),
          { kind: 'leave', room: '{{args}}' },
          emit('j', '{{json client.rooms}}'),
        ],
      },
      'j',
      ['garage'],
    );
    assert.deepEqual(
      r.sent.map((s) => s.args[0]),
      [['garage'], []],
    );
    const stolen = await run({ j: [{ kind: 'join', room: '{{args}}' }] }, 'j', ['someone-else'], ['someone-else']);
    assert.equal(stolen.error?.code, 'ACTION_FAILED');
    assert.match(stolen.error!.message, /another client's own room/);
    assert.ok(!stolen.rooms.has('someone-else'));
  });

  test('set stores values (templates parsed when JSON); if picks then or else; nested failures name their path', async () => {
    const spec: Record<string, ActionSpec[]> = {
      s: [
        { kind: 'set', values: { limit: 3000, label: 'rpm', twice: '{{json args}}', watching: 'shadowed' } },
        {
          kind: 'if',
          condition: '{{gt twice limit}}',
          then: [emit('s', '{"over": true, "label": "{{label}}", "w": "{{watching}}" }')],
          else: [emit('s', '{"over": false}'), { kind: 'query', commands: ['{{label}}'] }],
        },
      ],
    };
    const over = await run(spec, 's', [5000]);
    assert.deepEqual(over.sent[0]!.args, [{ over: true, label: 'rpm', w: 'shadowed' }]);
    const under = await run(spec, 's', [100]);
    assert.deepEqual(under.sent[0]!.args, [{ over: false }]);
    assert.equal(under.error?.message, "s action #2.else.2 (query): unknown command 'rpm' (names are case-sensitive: did you mean 'RPM'?)");
  });

  test('a template error at run time (missing helper, reserved event) is ACTION_FAILED, never an exception of another kind', async () => {
    const helper = await run({ e: [emit('{{nohelper 1}}')] }, 'e');
    assert.equal(helper.error?.code, 'ACTION_FAILED');
    assert.match(helper.error!.message, /^e action #1 \(emit\): event: template error: Missing helper: "nohelper"/);
    const service = new ObdService('sim', 250);
    const f = fakes();
    const reserved = {
      ...f.socket,
      emit: () => {
        throw new Error('"disconnect" is a reserved event name');
      },
    } as unknown as Socket;
    const handler = compileCustomEvents(specWith({ e: [emit('disconnect')] }), service, f.io).get('e')!;
    await assert.rejects(
      async () => handler({ socket: reserved, event: 'e', args: [] }),
      (e: unknown) => e instanceof ClientError && e.code === 'ACTION_FAILED' && /reserved event name/.test(e.message),
    );
  });
});
