/**
 * The reference's clients against the gateway: python-socketio (what obd-socketio users script
 * with) and socket.io-client v4 run the obd-socketio README's flows, on the built-in simulator
 * and on Ircama's ELM327-emulator over a pty and over tcp://, and every report is judged by the
 * same reading of the reference (reference-flows.ts). Without `watch` starting the loop, every
 * one of them fails at its first stream.
 */
import { after, before, describe, test } from 'node:test';
import type { Gateway } from '../../src/gateway.js';
import { startGateway } from '../helpers/gateway.js';
import { freePort } from '../helpers/brokers.js';
import { emulatorUnavailable, startEmulator, type RunningEmulator } from '../helpers/elm327-emulator.js';
import { assertReferenceBehaviour, runJsFlows, runPythonFlows, type FlowOptions, type FlowReport, type Target } from './reference-flows.js';

const CAN_11_500 = { protocolName: 'ISO 15765-4 (CAN 11/500)', protocolId: '6' };
const runners: Array<[string, (options: FlowOptions) => Promise<FlowReport>]> = [
  ['python-socketio', runPythonFlows],
  ['socket.io-client v4', runJsFlows],
];

/** A gateway on `port` whose watch callback emits every response on `obd_value`. */
function gatewayOn(port: string): Promise<Gateway> {
  return startGateway(`
connection: { port: '${port}' }
watch:
  interval: 0.1
  callbacks:
    - emit: { event: obd_value }
`);
}

/** Runs both clients' flows, each on a gateway of its own (the flows end with `close`). */
function clientsAgainst(adapterPort: () => string, target: () => Target): void {
  for (const [client, run] of runners) {
    test(`${client}: the reference README's flows`, async () => {
      const gateway = await gatewayOn(adapterPort());
      try {
        const report = await run({ url: gateway.url, valueEvent: 'obd_value', barrier: 'COOLANT_TEMP', quietSeconds: 0.6 });
        assertReferenceBehaviour(report, target());
      } finally {
        await gateway.stop();
      }
    });
  }
}

describe('reference clients on the built-in simulator', () => {
  clientsAgainst(
    () => 'sim',
    () => ({ portName: 'sim', ...CAN_11_500 }),
  );
});

const unavailable = emulatorUnavailable();

describe('reference clients on the ELM327-emulator over a pty', { skip: unavailable ?? false }, () => {
  let emulator: RunningEmulator;
  before(async () => {
    emulator = await startEmulator('pty');
  });
  after(() => emulator.stop());
  clientsAgainst(
    () => emulator.port,
    () => ({ portName: emulator.port, ...CAN_11_500 }),
  );
});

describe('reference clients on the ELM327-emulator over tcp://', { skip: unavailable ?? false }, () => {
  let emulator: RunningEmulator;
  before(async () => {
    emulator = await startEmulator({ tcp: await freePort() });
  });
  after(() => emulator.stop());
  clientsAgainst(
    () => emulator.port,
    () => ({ portName: emulator.port, ...CAN_11_500 }),
  );
});
