/**
 * Every ELM327 protocol end to end: the driver on the in-process simulator, and the whole
 * gateway on a real serial line (a socat pty with the simulated adapter on the other end),
 * answering Socket.IO clients. The simulated car's clock is frozen, so the expected RPM is the
 * J1979 encoding of the model's value at that instant ((256A+B)/4, A-B = round(rpm × 4)).
 *
 * J1939 (protocol A) is a different world: trucks answer parameter groups (PGNs), not OBD-II
 * services. The gateway connects ("Car Connected", protocol named) and passes raw requests
 * through, but no python-OBD command decodes on it; RPM is answered with null.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Elm327 } from '../../src/elm327/driver.js';
import { ECU } from '../../src/elm327/message.js';
import { commandByName } from '../../src/obd/commands/index.js';
import { ObdConnection } from '../../src/obd/connection.js';
import { DEFAULT_VIN } from '../../src/sim/vehicle.js';
import { serveSimulator, type SimulatorServer } from '../../src/sim/serve.js';
import { SimTransport } from '../../src/sim/sim-transport.js';
import { connect, next, request, startGateway } from '../helpers/gateway.js';
import { openPtyPair, type PtyPair } from '../helpers/pty.js';

/** python-OBD 0.7.3's protocol names (obd/protocols/protocol_*.py), by ELM327 number. */
const PYTHON_OBD_NAMES: Record<string, string> = {
  '1': 'SAE J1850 PWM',
  '2': 'SAE J1850 VPW',
  '3': 'ISO 9141-2',
  '4': 'ISO 14230-4 (KWP 5BAUD)',
  '5': 'ISO 14230-4 (KWP FAST)',
  '6': 'ISO 15765-4 (CAN 11/500)',
  '7': 'ISO 15765-4 (CAN 29/500)',
  '8': 'ISO 15765-4 (CAN 11/250)',
  '9': 'ISO 15765-4 (CAN 29/250)',
  A: 'SAE J1939 (CAN 29/250)',
};
const OBD_PROTOCOLS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];
const FROZEN = 1_700_000_000_000;
const now = () => FROZEN;

interface WireResponse {
  value: unknown;
  unit: string | null;
}

/** The engine's RPM at the frozen instant, as the ECU encodes it and J1979 decodes it. */
function expectedRpm(rpm: number): number {
  return Math.round(rpm * 4) / 4;
}

function codes(value: unknown): string[] {
  return (value as Array<[string, string]>).map(([code]) => code).sort();
}

describe('every protocol through the driver on the simulator', () => {
  for (const id of [...OBD_PROTOCOLS, 'A']) {
    it(`protocol ${id}: ${PYTHON_OBD_NAMES[id]}`, async () => {
      const transport = new SimTransport({ protocol: id, now });
      // The automatic search for 1-9 (as python-OBD does by default); J1939 is never searched.
      const elm = new Elm327(transport, {
        baudrate: 'auto',
        protocol: id === 'A' ? 'A' : 'auto',
        timeout: 500,
        checkVoltage: true,
        startLowPower: false,
      });
      await elm.connect();
      const obd = new ObdConnection(elm, { fast: true, allowClearDtc: false });
      await obd.loadSupportedCommands();
      try {
        assert.equal(obd.status, 'Car Connected');
        assert.equal(obd.protocolName, PYTHON_OBD_NAMES[id]);
        assert.equal(obd.protocolId, id);
        const rpm = await obd.query(commandByName('RPM')!);
        if (id === 'A') {
          assert.equal(rpm.response.value, null);
          return;
        }
        assert.equal(rpm.response.value, expectedRpm(transport.elm.vehicle.stateAt(0).rpm));
        assert.equal(rpm.response.unit, 'revolutions_per_minute');
        const vin = await obd.query(commandByName('VIN')!);
        assert.equal(String.fromCharCode(...(vin.response.value as number[])), DEFAULT_VIN);
        assert.equal(vin.response.unit, "<class 'bytearray'>");
        const dtcs = await obd.query(commandByName('GET_DTC')!);
        assert.deepEqual(codes(dtcs.response.value), ['P0104', 'P0420', 'P0741'], 'engine and transmission codes');
        assert.deepEqual(
          dtcs.response.messages.filter((m) => m.data.length > 0).map((m) => m.ecu),
          [ECU.ENGINE, ECU.TRANSMISSION],
          'the engine and the transmission are told apart',
        );
      } finally {
        await obd.close();
      }
    });
  }
});

describe('every protocol through the gateway on a real pty', () => {
  let pty: PtyPair;
  before(async () => {
    pty = await openPtyPair();
  });
  after(async () => {
    await pty.close();
  });

  for (const id of [...OBD_PROTOCOLS, 'A']) {
    it(`protocol ${id}: status, protocol_name, RPM, VIN and GET_DTC over Socket.IO`, async () => {
      const adapter: SimulatorServer = await serveSimulator(pty.a, { protocol: id, now, baudRate: 38400 });
      // 2 s for a reply: python-OBD's 100 ms makes a busy machine's slow K-line start-up 'Not Connected'.
      const gateway = await startGateway(`connection: { port: "${pty.b}", protocol: "${id}", baudrate: 38400, timeout: 2s }\n`);
      const client = await connect(gateway);
      try {
        assert.equal(await request(client, 'status'), 'Car Connected');
        assert.equal(await request(client, 'protocol_name'), PYTHON_OBD_NAMES[id]);
        assert.equal(await request(client, 'protocol_id'), id);
        if (id === 'A') {
          const error = next<{ code: string }>(client, 'obdio:error');
          assert.equal(await request(client, 'query', 'RPM'), null);
          assert.equal((await error).code, 'UNSUPPORTED');
          return;
        }
        const rpm = await request<WireResponse>(client, 'query', 'RPM');
        assert.deepEqual(rpm.value, expectedRpm(adapter.elm.vehicle.stateAt(0).rpm));
        assert.equal(rpm.unit, 'revolutions_per_minute');
        const vin = await request<WireResponse>(client, 'query', 'VIN');
        assert.equal(String.fromCharCode(...(vin.value as number[])), DEFAULT_VIN);
        const dtcs = await request<WireResponse>(client, 'query', 'GET_DTC');
        assert.deepEqual(codes(dtcs.value), ['P0104', 'P0420', 'P0741']);
        assert.equal(dtcs.unit, "<class 'list'>");
      } finally {
        client.disconnect();
        await gateway.stop();
        await adapter.close();
      }
    });
  }
});
