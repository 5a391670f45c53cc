/**
 * Header grouping in the watch loop, on a virtual clock: a stub adapter takes 10 ms per request
 * and 10 ms more when the header changes (the ATSH round trip), so counts are exact.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ECU } from '../../src/elm327/message.js';
import type { OBDCommand } from '../../src/obd/command.js';
import { commandByName } from '../../src/obd/commands/index.js';
import type { QueryResult } from '../../src/obd/connection.js';
import { createCustomCommand } from '../../src/obd/custom/command.js';
import { Scheduler, type SchedulerConnection } from '../../src/watch/scheduler.js';
import { VirtualClock } from '../helpers/virtual-clock.js';

/** Records each request's header; a header change costs one more round trip, as ATSH does. */
class StubAdapter implements SchedulerConnection {
  isConnected = true;
  protocolId = '6';
  fast = false;
  requestTimeoutMs = 1000;
  header = '7E0';
  readonly sent: Array<{ name: string; header: string; at: number }> = [];
  switches = 0;

  constructor(private readonly clock: VirtualClock) {}

  supports(): boolean {
    return true;
  }
  request(): Promise<never> {
    return Promise.reject(new Error('no multi-PID here'));
  }
  query(cmd: OBDCommand): Promise<QueryResult> {
    const cost = cmd.header === this.header ? 10 : 20;
    if (this.clock.now() >= 1000) return new Promise(() => undefined); // past the measured second
    this.sent.push({ name: cmd.name, header: cmd.header, at: this.clock.now() });
    if (cmd.header !== this.header) this.switches++;
    this.header = cmd.header;
    return new Promise((resolve) => {
      this.clock.setTimeout(() => resolve({ response: { command: cmd, messages: [], value: 1, unit: 'volt', time: 0 } }), cost);
    });
  }
}

function custom(name: string, header: string): OBDCommand {
  return createCustomCommand({
    name,
    desc: name,
    request: '220101',
    header,
    receive: null,
    bytes: 0,
    decoding: { kind: 'raw' },
    unit: null,
    ecu: ECU.ALL,
  });
}

/** 8 custom commands over 2 headers, watched alternately, every pass (interval 0), for 1 virtual second. */
async function run(group: boolean, extra: OBDCommand[] = []): Promise<StubAdapter> {
  const clock = new VirtualClock();
  const scheduler = new Scheduler(0, undefined, clock);
  scheduler.configure({ batch: 'off' });
  scheduler.groupHeaders = group;
  const adapter = new StubAdapter(clock);
  scheduler.setConnection(adapter);
  for (let i = 0; i < 4; i++) {
    scheduler.watch(custom(`BMS_${i}`, '7E4'));
    scheduler.watch(custom(`VCU_${i}`, '7E2'));
  }
  for (const cmd of extra) scheduler.watch(cmd);
  scheduler.start();
  await clock.runUntil(1000);
  scheduler.stop();
  return adapter;
}

function countsByName(adapter: StubAdapter): number[] {
  const counts = new Map<string, number>();
  for (const { name } of adapter.sent) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts.values()];
}

test('without grouping, alternating ECUs pay a header switch on every request', async () => {
  const adapter = await run(false);
  assert.equal(adapter.sent.length, 50); // 20 ms each
  assert.equal(adapter.switches, 50);
});

test('with grouping, one switch per header per pass: 8 requests cost 2 switches', async () => {
  const adapter = await run(true);
  // A pass: 4 requests on one header then 4 on the other = 8 × 10 ms + 2 switches × 10 ms = 100 ms.
  assert.equal(adapter.sent.length, 80);
  assert.equal(adapter.switches, 20);
  // Runs of the same header are four long: every header gets its turn, none starves.
  const runs: number[] = [];
  adapter.sent.forEach((s, i) => (i > 0 && s.header === adapter.sent[i - 1]!.header ? runs[runs.length - 1]!++ : runs.push(1)));
  assert.ok(
    runs.every((n) => n === 4),
    JSON.stringify(runs),
  );
  const counts = countsByName(adapter);
  assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, JSON.stringify(counts));
});

test('built-in commands (the default header) join the rotation as a group of their own', async () => {
  const adapter = await run(true, [commandByName('RPM')!, commandByName('SPEED')!]);
  const headers = adapter.sent.map((s) => s.header);
  assert.ok(headers.includes('7E0'));
  // Three headers: at most three switches per pass of ten commands.
  const passes = adapter.sent.length / 10;
  assert.ok(adapter.switches <= Math.ceil(passes) * 3, `${adapter.switches} switches in ${passes} passes`);
  const counts = countsByName(adapter);
  assert.equal(counts.length, 10);
  assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, JSON.stringify(counts));
});
