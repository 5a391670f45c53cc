import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CallbackSpec } from '../../src/config/spec.js';
import { encodeResponse, type EncodedResponse } from '../../src/obd/encode.js';
import { commandByName } from '../../src/obd/commands/index.js';
import { buildPipelines, type Broadcaster } from '../../src/watch/pipelines.js';
import { VirtualClock } from '../helpers/virtual-clock.js';

type Sent = { to: string; event: string; payload: unknown };

function recorder(): { target: Broadcaster; sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    target: {
      emit: (event, payload) => sent.push({ to: 'all', event, payload }),
      to: (room) => ({ emit: (event, payload) => sent.push({ to: `room:${room}`, event, payload }) }),
    },
  };
}

function callback(overrides: Partial<Omit<CallbackSpec, 'filter'>> & { filter?: Partial<CallbackSpec['filter']> } = {}): CallbackSpec {
  return {
    name: null,
    cache: false,
    emit: { event: 'out', to: 'all', every: null, data: null },
    ...overrides,
    filter: { commands: null, deadband: null, on_change: false, ...overrides.filter },
  };
}

let clock = 1_700_000_000_000;
function response(name: string, value: unknown): EncodedResponse {
  const command = commandByName(name)!;
  return encodeResponse({ command, messages: [], value, unit: value === null ? null : 'count', time: clock++ });
}

const values = (sent: Sent[]) => sent.map((s) => (s.payload as { value: unknown }).value);

describe('watch callback pipelines', () => {
  test('without a filter every response is emitted as its encoding', () => {
    const { target, sent } = recorder();
    const pipelines = buildPipelines([callback()], target);
    pipelines.push(response('RPM', 800));
    pipelines.push(response('SPEED', 20));
    assert.deepEqual(
      sent.map((s) => [s.event, s.to, (s.payload as { command: { name: string } }).command.name, (s.payload as { value: number }).value]),
      [
        ['out', 'all', 'RPM', 800],
        ['out', 'all', 'SPEED', 20],
      ],
    );
  });

  test('filter.commands keeps only the listed commands', () => {
    const { target, sent } = recorder();
    const pipelines = buildPipelines([callback({ filter: { commands: ['SPEED'] } })], target);
    for (const [name, value] of [
      ['RPM', 1],
      ['SPEED', 2],
      ['RPM', 3],
      ['SPEED', 4],
    ] as const)
      pipelines.push(response(name, value));
    assert.deepEqual(values(sent), [2, 4]);
  });

  test('deadband: a value passes when it moved at least the deadband from the last value that passed, per command', () => {
    const { target, sent } = recorder();
    const pipelines = buildPipelines([callback({ filter: { deadband: 5 } })], target);
    // 100 passes (first); 103, 104 are within 5 of 100; 105 is 5 away; 101, 109 within 5 of 105; 111 is 6 away.
    for (const v of [100, 103, 104, 105, 101, 109, 111]) pipelines.push(response('RPM', v));
    pipelines.push(response('SPEED', 103)); // another command has its own last value
    assert.deepEqual(values(sent), [100, 105, 111, 103]);
  });

  test('deadband leaves non-numbers alone; on_change drops repeats of the last value that passed', () => {
    const { target, sent } = recorder();
    const pipelines = buildPipelines([callback({ filter: { deadband: 10, on_change: true } })], target);
    for (const v of [null, null, 'a', 'a', 50, 55, null, [1, 2], [1, 2], [1, 3]]) pipelines.push(response('FUEL_STATUS', v));
    assert.deepEqual(values(sent), [null, 'a', 50, null, [1, 2], [1, 3]]);
  });

  test('cache: the event carries the latest response of every command; data templates see response and cache', () => {
    const { target, sent } = recorder();
    const pipelines = buildPipelines(
      [
        callback({ cache: true }),
        callback({
          cache: true,
          emit: {
            event: 'summary',
            to: 'room:garage',
            every: null,
            data: '{"rpm": {{json cache.RPM.value}}, "last": "{{response.command.name}}", "u": "{{unit response}}" }',
          },
        }),
      ],
      target,
    );
    pipelines.push(response('RPM', 900));
    pipelines.push(response('SPEED', 30));
    pipelines.push(response('RPM', 950));
    const cached = sent.filter((s) => s.event === 'out').at(-1)!.payload as Record<string, { value: number }>;
    assert.deepEqual(Object.keys(cached).sort(), ['RPM', 'SPEED']);
    assert.equal(cached.RPM!.value, 950);
    assert.deepEqual(
      sent.filter((s) => s.event === 'summary').map((s) => [s.to, s.payload]),
      [
        ['room:garage', { rpm: 900, last: 'RPM', u: '' }],
        ['room:garage', { rpm: 900, last: 'SPEED', u: '' }],
        ['room:garage', { rpm: 950, last: 'RPM', u: '' }],
      ],
    );
    // What was sent does not change afterwards.
    pipelines.push(response('RPM', 1000));
    assert.equal(cached.RPM!.value, 950);
  });

  test('every: the first response goes at once, a burst is coalesced, and the latest state is sent at the end of the window', async () => {
    const { target, sent } = recorder();
    const clock = new VirtualClock();
    const pipelines = buildPipelines(
      [callback({ cache: true, emit: { event: 'live', to: 'all', every: 80, data: null } })],
      target,
      null,
      undefined,
      clock,
    );
    pipelines.push(response('RPM', 1));
    for (let v = 2; v <= 20; v++) pipelines.push(response('RPM', v));
    pipelines.push(response('SPEED', 7));
    assert.equal(sent.length, 1, 'only the leading emit so far');
    await clock.advance(250);
    assert.equal(sent.length, 2, 'one trailing emit for the whole burst');
    const last = sent[1]!.payload as Record<string, { value: number }>;
    assert.equal(last.RPM!.value, 20);
    assert.equal(last.SPEED!.value, 7);
    pipelines.close();
  });

  test('a bad `to` at run time is logged once per problem, and nothing is sent', () => {
    const { target, sent } = recorder();
    const warnings: string[] = [];
    const logger = { warn: (_: unknown, message: string) => warnings.push(message) } as unknown as import('pino').Logger;
    const pipelines = buildPipelines(
      [callback({ name: 'bad', emit: { event: 'x', to: '{{response.unit}}', every: null, data: null } })],
      target,
      null,
      logger,
    );
    pipelines.push(response('RPM', 1));
    pipelines.push(response('RPM', 2));
    assert.equal(sent.length, 0);
    assert.deepEqual(warnings, ["watch callback bad: not emitted: to must be all or room:<name>, got 'count'"]);
  });

  test('a rebuilt pipeline takes over the cache, last values and a pending throttled emit of its predecessor', async () => {
    const { target, sent } = recorder();
    const clock = new VirtualClock();
    const first = buildPipelines(
      [callback({ name: 'live', cache: true, filter: { on_change: true }, emit: { event: 'live', to: 'all', every: 60, data: null } })],
      target,
      null,
      undefined,
      clock,
    );
    first.push(response('RPM', 1));
    first.push(response('SPEED', 2));
    // A new config: same callback name, other event name, a filter that drops SPEED.
    const second = buildPipelines(
      [
        callback({
          name: 'live',
          cache: true,
          filter: { on_change: true, commands: ['RPM'] },
          emit: { event: 'live2', to: 'all', every: 60, data: null },
        }),
      ],
      target,
      first,
      undefined,
      clock,
    );
    first.close();
    await clock.advance(150);
    assert.deepEqual(
      sent.map((s) => s.event),
      ['live', 'live2'],
      'the pending emit went out, under the new config',
    );
    assert.deepEqual(Object.keys(sent[1]!.payload as object), ['RPM'], 'SPEED no longer passes the filter');
    second.push(response('RPM', 1));
    await clock.advance(100);
    assert.equal(sent.length, 2, 'on_change remembers RPM = 1 across the rebuild');
    second.push(response('RPM', 2));
    await clock.advance(100);
    assert.equal(sent.length, 3);
    second.close();
  });
});
