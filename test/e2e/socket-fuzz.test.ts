/**
 * Property test of the Socket.IO event handlers from a real client: random event names and
 * argument shapes always get an answer (an error with a code, or a reply) on the ack, the
 * gateway keeps serving, and a second client's query latency does not blow up meanwhile.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import type { Gateway } from '../../src/gateway.js';
import { connect, request, startGateway } from '../helpers/gateway.js';

const ERROR_CODES = new Set([
  'UNKNOWN_EVENT',
  'EVENT_DISABLED',
  'UNKNOWN_COMMAND',
  'BAD_ARGUMENT',
  'MISSING_ARGUMENT',
  'TOO_MANY_ARGUMENTS',
  'UNSUPPORTED',
  'NOT_CONNECTED',
  'NO_DATA',
  'ADAPTER_ERROR',
  'FORBIDDEN',
  'ACTION_FAILED',
  'INTERNAL',
]);
/** Socket.IO refuses to emit these from a client. */
const RESERVED = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);
/** `close` would end the adapter session for everybody: a legitimate request, but not one to fuzz latency with. */
const KNOWN_EVENTS = [
  'status',
  'is_connected',
  'protocol_name',
  'protocol_id',
  'port_name',
  'supports',
  'supported_commands',
  'query',
  'start',
  'stop',
  'watch',
  'unwatch',
  'unwatch_all',
  'has_name',
  'obdio:subscribe',
  'obdio:unsubscribe',
  'obdio:watching',
];
const COMMAND_NAMES = ['RPM', 'SPEED', 'rpm', 'COOLANT_TEMP', 'VIN', 'GET_DTC', 'CLEAR_DTC', 'MIDS_A', 'ELM_VOLTAGE', 'NOPE', ''];

const eventName = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...KNOWN_EVENTS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }).filter((name) => !RESERVED.has(name)) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'query ', 'QUERY') },
);
const argument = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...COMMAND_NAMES) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom(...COMMAND_NAMES), { maxLength: 4 }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.constantFrom({ __proto__: { polluted: true } }, { constructor: { prototype: { x: 1 } } }, 'x'.repeat(5000)) },
);
const args = fc.oneof(
  { weight: 2, arbitrary: fc.constant([] as unknown[]) },
  { weight: 4, arbitrary: fc.tuple(argument) },
  { weight: 1, arbitrary: fc.array(argument, { maxLength: 3 }) },
);
const call = fc.record({ event: eventName, args });

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

describe('fuzzing the Socket.IO handlers from a real client', () => {
  let gateway: Gateway;
  let fuzzer: Socket;
  let bystander: Socket;

  before(async () => {
    gateway = await startGateway('watch: { commands: { RPM: 20hz } }');
    fuzzer = await connect(gateway);
    bystander = await connect(gateway);
  });
  after(async () => {
    fuzzer.disconnect();
    bystander.disconnect();
    await gateway.stop();
  });

  test("every random event gets an ack (a coded error or a reply); a second client's queries stay fast", async (t) => {
    /** One query of a command nobody watches: a real adapter round trip every time. */
    const timedQuery = async (): Promise<number> => {
      const started = performance.now();
      const reply = (await bystander.timeout(5000).emitWithAck('query', 'COOLANT_TEMP')) as { value?: unknown; error?: unknown };
      assert.equal(reply.error, undefined, JSON.stringify(reply));
      return performance.now() - started;
    };
    const baseline: number[] = [];
    for (let i = 0; i < 30; i++) baseline.push(await timedQuery());

    let fuzzing = true;
    const during: number[] = [];
    const measuring = (async () => {
      while (fuzzing) during.push(await timedQuery());
    })();

    const replies = new Map<string, number>();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(call, async ({ event, args }) => {
        runs++;
        let reply: unknown;
        try {
          reply = await fuzzer.timeout(5000).emitWithAck(event, ...args);
        } catch (error) {
          assert.fail(`no ack within 5 s for ${JSON.stringify(event)} ${JSON.stringify(args).slice(0, 200)}: ${(error as Error).message}`);
        }
        const error = (reply as { error?: { code?: unknown; message?: unknown } } | null)?.error;
        if (error) {
          assert.ok(ERROR_CODES.has(String(error.code)), `unknown error code in ${JSON.stringify(reply)}`);
          assert.equal(typeof error.message, 'string');
          assert.notEqual(error.code, 'INTERNAL', `a handler crashed on ${JSON.stringify(event)} ${JSON.stringify(args).slice(0, 200)}`);
          replies.set(String(error.code), (replies.get(String(error.code)) ?? 0) + 1);
        } else {
          replies.set('reply', (replies.get('reply') ?? 0) + 1);
        }
      }),
      { numRuns: 400, seed: 4242 },
    );
    fuzzing = false;
    await measuring;

    assert.ok(fuzzer.connected && bystander.connected, 'nobody was disconnected');
    assert.equal(await request(bystander, 'status'), 'Car Connected');
    assert.ok(replies.get('reply')! > 20 && replies.get('UNKNOWN_EVENT')! > 20, JSON.stringify([...replies]));
    // Loose on purpose: the same adapter serves both clients, so a query may wait for one
    // fuzzed request in flight; what must not happen is queries starving behind the fuzz.
    const before = median(baseline);
    const meanwhile = median(during);
    t.diagnostic(
      `${runs} fuzz events: ${[...replies].map(([k, n]) => `${k} ${n}`).join(', ')}; bystander query median ${before.toFixed(2)} ms alone, ${meanwhile.toFixed(2)} ms during (${during.length} queries)`,
    );
    assert.ok(
      meanwhile < before * 20 + 50,
      `median query latency ${meanwhile.toFixed(1)} ms during the fuzz vs ${before.toFixed(1)} ms before`,
    );
  });
});
