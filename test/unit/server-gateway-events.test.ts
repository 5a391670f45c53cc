/**
 * The gateway's own events and the wire units: `obdio:dtcs` groups trouble codes per ECU
 * (engine and transmission of the simulated car) with the freeze frame and its number, and
 * `units: imperial` changes the values and unit names the `query` event sends.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Socket } from 'socket.io';
import { Elm327 } from '../../src/elm327/driver.js';
import { ObdConnection } from '../../src/obd/connection.js';
import { describeDtc } from '../../src/obd/dtc-descriptions.js';
import { encodeResponse } from '../../src/obd/encode.js';
import { commandByName } from '../../src/obd/commands/index.js';
import type { UnitSystem } from '../../src/obd/units.js';
import { defaultEventHandlers } from '../../src/api/default-events.js';
import type { EventHandler } from '../../src/api/event-table.js';
import { gatewayEventHandlers, type DtcReport } from '../../src/server/gateway-events.js';
import type { SimulatorOptions } from '../../src/sim/elm.js';
import { SimTransport } from '../../src/sim/sim-transport.js';
import { ObdService } from '../../src/api/obd-service.js';

const START = 1_700_000_000_000;

async function serviceOn(sim: SimulatorOptions = {}): Promise<ObdService> {
  let clock = START;
  const transport = new SimTransport({ now: () => clock, ...sim });
  clock = START + 300_000; // five minutes into the drive cycle: 118 km/h, then frozen
  const elm = new Elm327(transport, {
    baudrate: 'auto',
    protocol: 'auto',
    timeout: 500,
    checkVoltage: true,
    startLowPower: false,
  });
  await elm.connect();
  const obd = new ObdConnection(elm, { fast: true, allowClearDtc: false });
  await obd.loadSupportedCommands();
  const service = new ObdService('sim', 0);
  service.setConnection(obd);
  return service;
}

/** Runs a handler as the dispatcher would; returns what it emitted and acknowledged. */
async function call(handler: EventHandler, event: string, args: unknown[] = []) {
  const emitted: Array<[string, unknown]> = [];
  let acked: unknown;
  const socket = { emit: (name: string, payload: unknown) => emitted.push([name, payload]) } as unknown as Socket;
  await handler({ socket, event, args, ack: (payload) => (acked = payload) });
  return { emitted, acked };
}

const pair = (code: string): [string, string] => [code, describeDtc(code)];

describe('obdio:dtcs', () => {
  it('groups stored, pending and permanent codes per ECU, with the freeze frame and its number', async () => {
    const service = await serviceOn();
    const handler = gatewayEventHandlers({ service }).get('obdio:dtcs')!;
    const { emitted, acked } = await call(handler, 'obdio:dtcs');
    const report = acked as DtcReport;
    assert.deepEqual(emitted, [['obdio:dtcs', report]], 'replied on the same event, and acknowledged');
    assert.deepEqual(report.stored, [
      { ecu: 'ENGINE', tx_id: '7E8', codes: [pair('P0104'), pair('P0420')] },
      { ecu: 'TRANSMISSION', tx_id: '7E9', codes: [pair('P0741')] },
    ]);
    assert.deepEqual(report.pending, [
      { ecu: 'ENGINE', tx_id: '7E8', codes: [pair('P0171')] },
      { ecu: 'TRANSMISSION', tx_id: '7E9', codes: [] },
    ]);
    assert.deepEqual(report.permanent, [
      { ecu: 'ENGINE', tx_id: '7E8', codes: [pair('P0420')] },
      { ecu: 'TRANSMISSION', tx_id: '7E9', codes: [] },
    ]);
    assert.deepEqual(report.freeze_frame, [{ ecu: 'ENGINE', tx_id: '7E8', frame: 0, dtc: pair('P0104') }]);
    await service.close();
  });

  it('on a legacy bus the ECUs are named by their source addresses (10 engine, 18 transmission)', async () => {
    const service = await serviceOn({ protocol: '3' });
    const { acked } = await call(gatewayEventHandlers({ service }).get('obdio:dtcs')!, 'obdio:dtcs');
    const report = acked as DtcReport;
    assert.deepEqual(
      report.stored.map((g) => [g.ecu, g.tx_id, g.codes.map(([c]) => c)]),
      [
        ['ENGINE', '10', ['P0104', 'P0420']],
        ['TRANSMISSION', '18', ['P0741']],
      ],
    );
    assert.deepEqual(
      report.freeze_frame.map((f) => [f.ecu, f.frame, f.dtc[0]]),
      [['ENGINE', 0, 'P0104']],
    );
    await service.close();
  });

  it('a car without codes answers empty lists and no freeze frame', async () => {
    const service = await serviceOn({ dtcs: [], pendingDtcs: [], permanentDtcs: [], transmissionDtcs: [] });
    const { acked } = await call(gatewayEventHandlers({ service }).get('obdio:dtcs')!, 'obdio:dtcs');
    const report = acked as DtcReport;
    assert.deepEqual(
      report.stored.map((g) => g.codes),
      [[], []],
    );
    assert.deepEqual(report.freeze_frame, []);
    await service.close();
  });

  it('refuses arguments, and says so when no car is connected', async () => {
    const service = new ObdService('sim', 0);
    const handler = gatewayEventHandlers({ service }).get('obdio:dtcs')!;
    await assert.rejects(call(handler, 'obdio:dtcs', ['x']), { code: 'TOO_MANY_ARGUMENTS' });
    await assert.rejects(call(handler, 'obdio:dtcs'), { code: 'NOT_CONNECTED' });
  });
});

describe('units: imperial on the wire', () => {
  const queryHandler = (service: ObdService, units?: UnitSystem) =>
    defaultEventHandlers({ service, broadcast: () => undefined, units }, ['query']).get('query')!;

  it("query sends converted values with pint's imperial unit names; metric stays python-OBD's", async () => {
    const service = await serviceOn();
    const metric = async (name: string) => (await call(queryHandler(service), 'query', [name])).acked as { value: number; unit: string };
    const imperial = async (name: string) =>
      (await call(queryHandler(service, 'imperial'), 'query', [name])).acked as { value: number; unit: string };

    const speed = await metric('SPEED');
    assert.equal(speed.unit, 'kilometer_per_hour');
    assert.ok(speed.value > 0, 'the car is moving at this instant');
    const mph = await imperial('SPEED');
    assert.equal(mph.unit, 'mile_per_hour');
    assert.ok(Math.abs(mph.value - speed.value / 1.609344) < 1e-9);

    const coolant = await metric('COOLANT_TEMP');
    const fahrenheit = await imperial('COOLANT_TEMP');
    assert.equal(fahrenheit.unit, 'degree_Fahrenheit');
    assert.ok(Math.abs(fahrenheit.value - (coolant.value * 9) / 5 - 32) < 1e-9);

    const rpm = await imperial('RPM');
    assert.equal(rpm.unit, 'revolutions_per_minute', 'units without an imperial form stay');
    const vin = await imperial('VIN');
    assert.equal(vin.unit, "<class 'bytearray'>");
    await service.close();
  });

  it('encodeResponse converts only when asked, and leaves the response itself alone', async () => {
    const service = await serviceOn();
    const { response } = await service.query(commandByName('SPEED')!);
    const before = response.value;
    assert.deepEqual(encodeResponse(response), encodeResponse(response, { units: 'metric' }));
    assert.equal(encodeResponse(response, { units: 'imperial' }).unit, 'mile_per_hour');
    assert.equal(response.value, before);
    await service.close();
  });
});
