/**
 * The typed events of src/events.ts against the gateway's real event tables and encoders.
 * Half of this test is the typecheck (`npm run typecheck` compiles it): a default event missing
 * from ClientToServerEvents, or an encoding that drifted from src/obd/encode.ts, fails there.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { io, type Socket } from 'socket.io-client';
import type { DefaultEventName } from '../../src/config/spec.js';
import type {
  AckReply,
  ClientToServerEvents,
  LooseClientToServerEvents,
  ServerToClientEvents,
  WatchedCommand,
  WireCommand,
  WireResponse,
} from '../../src/events.js';
import type { Gateway } from '../../src/gateway.js';
import type { EncodedCommand, EncodedResponse } from '../../src/obd/encode.js';
import { DEFAULT_EVENTS } from '../../src/api/default-events.js';
import { gatewayEventHandlers } from '../../src/server/gateway-events.js';
import { streamEventHandlers } from '../../src/server/stream-events.js';
import { ObdService } from '../../src/api/obd-service.js';
import { startGateway } from '../helpers/gateway.js';
import { AlertsPart, alertEventHandlers } from '../../src/alerts/part.js';
import { parseConfig } from '../../src/load-config.js';
import { silentLogger } from '../../src/log.js';

function specOfAlerts() {
  const parsed = parseConfig('', null);
  assert.ok(parsed.ok);
  return parsed.spec;
}

/** Compiles only when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(): T => true as T;

// Every default event of the reference is a typed client event, and answers on its own name.
assertType<Equal<Exclude<DefaultEventName, keyof ClientToServerEvents>, never>>();
assertType<
  Equal<
    Exclude<Exclude<DefaultEventName, 'start' | 'stop' | 'watch' | 'unwatch' | 'unwatch_all' | 'close'>, keyof ServerToClientEvents>,
    never
  >
>();
// The wire encodings are the encoder's own types.
assertType<Equal<WireCommand, EncodedCommand>>();
assertType<Equal<WireResponse, EncodedResponse>>();

/**
 * Every client event, listed once: `satisfies` makes this list exactly the interface's keys,
 * so the runtime check below compares the gateway's handlers with the types.
 */
const CLIENT_EVENTS = {
  status: true,
  is_connected: true,
  protocol_name: true,
  protocol_id: true,
  port_name: true,
  supports: true,
  has_name: true,
  supported_commands: true,
  query: true,
  start: true,
  stop: true,
  watch: true,
  unwatch: true,
  unwatch_all: true,
  close: true,
  'obdio:subscribe': true,
  'obdio:unsubscribe': true,
  'obdio:watching': true,
  'obdio:dtcs': true,
  'obdio:alerts': true,
  'obdio:trip_reset': true,
} as const satisfies Record<keyof ClientToServerEvents, true>;
assertType<Equal<keyof typeof CLIENT_EVENTS, keyof ClientToServerEvents>>();

test('every event the gateway handles is typed for clients', () => {
  const service = new ObdService('sim', 100);
  const handled = [
    ...Object.keys(DEFAULT_EVENTS),
    ...streamEventHandlers(service).keys(),
    ...gatewayEventHandlers({ service }).keys(),
    ...alertEventHandlers(new AlertsPart(specOfAlerts(), { service, logger: silentLogger() })).keys(),
  ];
  const untyped = handled.filter((name) => !Object.hasOwn(CLIENT_EVENTS, name));
  assert.deepEqual(untyped, []);
});

describe('a socket.io-client typed with the exported interfaces, against the simulator', () => {
  let gateway: Gateway;
  let socket: Socket<ServerToClientEvents, ClientToServerEvents>;

  before(async () => {
    gateway = await startGateway('watch:\n  commands: [RPM]\n  interval: 0.05\n');
    socket = io(gateway.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
  });
  after(async () => {
    socket.disconnect();
    await gateway.stop();
  });

  test('acknowledgements carry the typed replies', async () => {
    const status = await socket.emitWithAck('status');
    assertType<Equal<typeof status, AckReply<'Not Connected' | 'ELM Connected' | 'OBD Connected' | 'Car Connected'>>>();
    assert.equal(status, 'Car Connected');

    const rpm = await socket.emitWithAck('query', 'RPM');
    assertType<Equal<typeof rpm, AckReply<WireResponse | null>>>();
    assert.ok(rpm !== null && !('error' in rpm));
    assert.equal(rpm.command.name, 'RPM');
    assert.equal(rpm.unit, 'revolutions_per_minute');
    assert.equal(typeof rpm.value, 'number');

    const commands = await socket.emitWithAck('supported_commands');
    assert.ok(Array.isArray(commands) && commands.some((c) => c.name === 'SPEED' && c.command === '010D'));

    const watching = await socket.emitWithAck('obdio:watching');
    assertType<Equal<typeof watching, AckReply<WatchedCommand[]>>>();
    assert.deepEqual(watching, [{ name: 'RPM', rate: null }]);
  });

  test('a failed request acks { error: { code, message } } and arrives on obdio:error', async () => {
    const failed = new Promise<Parameters<ServerToClientEvents['obdio:error']>[0]>((resolve) => socket.once('obdio:error', resolve));
    const reply = await socket.emitWithAck('query', 'rpm');
    assert.ok(reply !== null && 'error' in reply);
    assert.equal(reply.error.code, 'UNKNOWN_COMMAND');
    const pushed = await failed;
    assert.equal(pushed.event, 'query');
    assert.equal(pushed.code, 'UNKNOWN_COMMAND');
  });

  test('obdio:value streams typed responses after obdio:subscribe; watch needs no acknowledgement', async () => {
    socket.emit('watch', ['SPEED']);
    assert.equal(await socket.emitWithAck('obdio:subscribe'), true);
    const speed = await new Promise<WireResponse>((resolve) => {
      const listener = (response: WireResponse) => {
        if (response.command.name !== 'SPEED') return;
        socket.off('obdio:value', listener);
        resolve(response);
      };
      socket.on('obdio:value', listener);
    });
    assert.equal(speed.unit, 'kilometer_per_hour');
  });

  test("the reference's style type-checks with LooseClientToServerEvents: emit, then listen on the same name", async () => {
    const loose = socket as unknown as Socket<ServerToClientEvents, LooseClientToServerEvents>;
    const reply = new Promise<string>((resolve) => loose.once('protocol_name', resolve));
    loose.emit('protocol_name');
    assert.equal(await reply, 'ISO 15765-4 (CAN 11/500)');
  });
});
