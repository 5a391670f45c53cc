/**
 * Multi-PID batching on the simulated car, whose clock is frozen: the watch loop's batched
 * values must equal single requests' values at the same instant, on every CAN protocol, and
 * the loop must fall back to single requests on adapters and cars that cannot batch.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Elm327 } from '../../src/elm327/driver.js';
import type { OBDCommand, OBDResponse } from '../../src/obd/command.js';
import { commandByName } from '../../src/obd/commands/index.js';
import { ObdConnection } from '../../src/obd/connection.js';
import type { SimulatorOptions } from '../../src/sim/elm.js';
import { SimTransport } from '../../src/sim/sim-transport.js';
import { Scheduler } from '../../src/watch/scheduler.js';

const EIGHT = ['RPM', 'SPEED', 'COOLANT_TEMP', 'THROTTLE_POS', 'ENGINE_LOAD', 'INTAKE_TEMP', 'MAF', 'FUEL_LEVEL'].map((n) =>
  commandByName(n)!,
);
const START = 1_700_000_000_000;

async function session(sim: SimulatorOptions) {
  let clock = START;
  const transport = new SimTransport({ now: () => clock, ...sim });
  clock = START + 300_000; // five minutes into the drive cycle (the car is moving), then frozen
  const sent: string[] = [];
  const write = transport.write.bind(transport);
  transport.write = (text: string) => {
    sent.push(text.replace(/\r$/, ''));
    write(text);
  };
  const elm = new Elm327(transport, { baudrate: 'auto', protocol: 'auto', timeout: 500, checkVoltage: true, startLowPower: false });
  await elm.connect();
  const obd = new ObdConnection(elm, { fast: true, allowClearDtc: false });
  await obd.loadSupportedCommands();
  return { obd, sent };
}

/** The first response of every command while the loop streams them. */
async function streamOnce(scheduler: Scheduler, commands: OBDCommand[]): Promise<Map<OBDCommand, OBDResponse>> {
  const seen = new Map<OBDCommand, OBDResponse>();
  const done = new Promise<void>((resolve) => {
    scheduler.onResponse((response) => {
      if (!seen.has(response.command)) seen.set(response.command, response);
      if (seen.size === commands.length) resolve();
    });
  });
  for (const cmd of commands) scheduler.watch(cmd);
  scheduler.start();
  await done;
  scheduler.stop();
  return seen;
}

async function singles(obd: ObdConnection): Promise<Map<OBDCommand, [unknown, string | null]>> {
  const values = new Map<OBDCommand, [unknown, string | null]>();
  for (const cmd of EIGHT) {
    const { response } = await obd.query(cmd);
    assert.notEqual(response.value, null, cmd.name);
    values.set(cmd, [response.value, response.unit]);
  }
  return values;
}

function assertSameValues(streamed: Map<OBDCommand, OBDResponse>, expected: Map<OBDCommand, [unknown, string | null]>): void {
  for (const cmd of EIGHT) {
    const response = streamed.get(cmd)!;
    assert.deepEqual([response.value, response.unit], expected.get(cmd), cmd.name);
  }
}

const multiPidRequests = (sent: string[]) => sent.filter((s) => /^01([0-9A-F]{2}){2,6}[0-9A-F]?$/.test(s));

describe('multi-PID batching on the simulated car', () => {
  for (const protocol of ['6', '7', '8', '9']) {
    it(`protocol ${protocol}: batched values equal single-request values at the same instant`, async () => {
      const { obd, sent } = await session({ protocol });
      const expected = await singles(obd);
      const scheduler = new Scheduler(0);
      scheduler.setConnection(obd);
      const streamed = await streamOnce(scheduler, EIGHT);
      assert.equal(scheduler.batchState, 'on');
      assert.ok(multiPidRequests(sent).length >= 2, 'eight commands took two multi-PID requests');
      assert.ok(
        multiPidRequests(sent).some((s) => s.length >= 14),
        'six PIDs in one request',
      );
      assertSameValues(streamed, expected);
      await obd.close();
    });
  }

  for (const multiPid of ['refuse', 'first', 'silent'] as const) {
    it(`an adapter or car that answers multi-PID requests with ${multiPid === 'refuse' ? '"?"' : multiPid === 'first' ? 'the first PID only' : 'NO DATA'}: single requests, same values`, async () => {
      const { obd, sent } = await session({ protocol: '6', multiPid });
      const expected = await singles(obd);
      const scheduler = new Scheduler(0);
      scheduler.setConnection(obd);
      const streamed = await streamOnce(scheduler, EIGHT);
      assert.equal(scheduler.batchState, 'off');
      assert.equal(multiPidRequests(sent).length, 1, 'tried once, then never again');
      assertSameValues(streamed, expected);
      await obd.close();
    });
  }

  it('legacy protocols never batch', async () => {
    const { obd, sent } = await session({ protocol: '3' });
    const expected = await singles(obd);
    const scheduler = new Scheduler(0);
    scheduler.setConnection(obd);
    const streamed = await streamOnce(scheduler, EIGHT);
    assert.equal(multiPidRequests(sent).length, 0);
    assertSameValues(streamed, expected);
    await obd.close();
  });
});
