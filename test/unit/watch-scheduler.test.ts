/**
 * The watch loop on a virtual clock: per-command rates, priorities, the bus-rate cap, multi-PID
 * batching of due commands, fairness to one-shot queries and the request deadline. Time is
 * simulated (a stub adapter "takes" 10 ms per request), so counts are exact, not timing-bound.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ElmError } from '../../src/elm327/errors.js';
import type { Message } from '../../src/elm327/message.js';
import type { OBDCommand, OBDResponse } from '../../src/obd/command.js';
import { commandByName, commandPid } from '../../src/obd/commands/index.js';
import type { QueryResult } from '../../src/obd/connection.js';
import { decodeMessages } from '../../src/obd/decode.js';
import { Scheduler, type SchedulerConnection } from '../../src/watch/scheduler.js';
import { canMessage } from '../helpers/messages.js';
import { VirtualClock } from '../helpers/virtual-clock.js';

const cmd = (name: string): OBDCommand => commandByName(name)!;

/** PID data bytes for the stub car: a fixed pattern per PID, as long as the command says. */
function pidData(c: OBDCommand): string {
  return Array.from({ length: c.bytes - 2 }, (_, i) => ((commandPid(c)! + i) & 0xff).toString(16).padStart(2, '0')).join(' ');
}

interface Sent {
  at: number;
  text: string;
}

/** An adapter session whose requests take `latency` virtual ms; multi-PID answered or refused. */
class StubConnection implements SchedulerConnection {
  isConnected = true;
  protocolId = '6';
  fast = false;
  requestTimeoutMs = 200;
  readonly sent: Sent[] = [];
  hang: ReadonlySet<string> = new Set();

  constructor(
    private readonly clock: VirtualClock,
    private readonly options: { latency?: number; multiPid?: 'answer' | 'refuse' } = {},
  ) {}

  supports(): boolean {
    return true;
  }

  async query(c: OBDCommand): Promise<QueryResult> {
    this.sent.push({ at: this.clock.now(), text: c.command });
    if (this.hang.has(c.name)) return new Promise(() => undefined); // an adapter that never answers
    await this.clock.delay(this.options.latency ?? 10);
    const messages = [canMessage(`41 ${c.command.slice(2)} ${pidData(c)}`)];
    const decoded = decodeMessages(c, messages)!;
    const response: OBDResponse = { command: c, messages, value: decoded.value, unit: decoded.unit, time: this.clock.now() };
    return { response };
  }

  async request(text: string): Promise<Message[]> {
    this.sent.push({ at: this.clock.now(), text });
    await this.clock.delay(this.options.latency ?? 10);
    if (this.options.multiPid === 'refuse') throw new ElmError('UNKNOWN_COMMAND', `${text}: ?`);
    const pids = text.slice(2).match(/../g)!;
    const parts = pids.map((pid) => {
      const c = [...WATCHED, SPEED, COOLANT].find((w) => w.command.slice(2) === pid)!;
      return `${pid} ${pidData(c)}`;
    });
    return [canMessage(`41 ${parts.join(' ')}`)];
  }

  count(command: string): number {
    return this.sent.filter((s) => s.text === command).length;
  }
}

const RPM = cmd('RPM');
const SPEED = cmd('SPEED');
const COOLANT = cmd('COOLANT_TEMP');
const WATCHED = ['RPM', 'SPEED', 'COOLANT_TEMP', 'THROTTLE_POS', 'ENGINE_LOAD', 'INTAKE_TEMP', 'MAF', 'FUEL_LEVEL'].map(cmd);

function setup(options: { latency?: number; multiPid?: 'answer' | 'refuse' } = {}) {
  const clock = new VirtualClock();
  const connection = new StubConnection(clock, options);
  const scheduler = new Scheduler(0, undefined, clock);
  scheduler.setConnection(connection);
  const published: Array<{ at: number; response: OBDResponse }> = [];
  scheduler.onResponse((response) => published.push({ at: clock.now(), response }));
  return { clock, connection, scheduler, published };
}

describe('scheduler: rates, priorities and the bus-rate cap', () => {
  it('polls each command at its own rate', async () => {
    const { clock, connection, scheduler } = setup();
    scheduler.configure({ batch: 'off' });
    scheduler.watch(RPM, 10);
    scheduler.watch(COOLANT, 1);
    scheduler.start();
    await clock.runUntil(10_000);
    scheduler.stop();
    // 10 Hz for 10 s, and 1 Hz: the first poll at 0, then one per period.
    assert.ok(Math.abs(connection.count('010C') - 101) <= 1, String(connection.count('010C')));
    assert.ok(Math.abs(connection.count('0105') - 11) <= 1, String(connection.count('0105')));
  });

  it('caps requests per second (watch.max_rate), spacing them evenly', async () => {
    const { clock, connection, scheduler } = setup();
    scheduler.configure({ batch: 'off', maxRate: 5 });
    for (const c of [RPM, SPEED, COOLANT]) scheduler.watch(c);
    scheduler.start();
    await clock.runUntil(10_000);
    scheduler.stop();
    assert.ok(connection.sent.length <= 51 && connection.sent.length >= 49, String(connection.sent.length));
    for (let i = 1; i < connection.sent.length; i++) {
      assert.ok(connection.sent[i]!.at - connection.sent[i - 1]!.at >= 200 - 1e-9, `request ${i} came early`);
    }
    // Every command still gets its turn.
    for (const c of ['010C', '010D', '0105']) assert.ok(connection.count(c) >= 16, c);
  });

  it('among commands due together, the higher priority goes first', async () => {
    const { clock, connection, scheduler } = setup();
    scheduler.configure({ batch: 'off' });
    scheduler.watch(COOLANT, 1);
    scheduler.watch(SPEED, 1);
    scheduler.watch(RPM, 1, 5);
    scheduler.start();
    await clock.runUntil(2_500);
    scheduler.stop();
    const texts = connection.sent.map((s) => s.text);
    assert.deepEqual(texts.slice(0, 3), ['010C', '0105', '010D']);
    assert.deepEqual(texts.slice(3, 6), ['010C', '0105', '010D'], 'the same order each second');
  });

  it('a one-shot query waits at most for the request in flight, also while batches stream', async () => {
    const { clock, connection, scheduler } = setup();
    for (const c of WATCHED) scheduler.watch(c);
    scheduler.start();
    await clock.runUntil(95); // mid-request
    const inFlight = connection.sent.length;
    const answer = scheduler.query(cmd('FUEL_RATE'));
    await clock.runUntil(200);
    const result = await answer;
    scheduler.stop();
    assert.notEqual(result.response.value, null);
    assert.equal(connection.sent[inFlight]!.text, '015E', 'the query is the very next request');
  });
});

describe('scheduler: multi-PID batching', () => {
  it('asks due service 01 commands six to a request, and publishes each with its own value', async () => {
    const { clock, connection, scheduler, published } = setup();
    for (const c of WATCHED) scheduler.watch(c);
    scheduler.start();
    await clock.runUntil(1_000);
    scheduler.stop();
    assert.equal(scheduler.batchState, 'on');
    const batches = connection.sent.filter((s) => s.text.length > 4);
    assert.ok(batches.length >= 90, `${batches.length} batches`);
    assert.ok(
      batches.every((b) => b.text.length === 2 + 6 * 2),
      'every request carries six PIDs',
    );
    // Fair rotation: every command gets about 6/8 of the requests.
    for (const c of WATCHED) {
      const mine = published.filter((p) => p.response.command === c);
      assert.ok(Math.abs(mine.length - (batches.length * 6) / 8) <= 2, `${c.name}: ${mine.length}`);
      const single = decodeMessages(c, [canMessage(`41 ${c.command.slice(2)} ${pidData(c)}`)])!;
      assert.deepEqual([mine[0]!.response.value, mine[0]!.response.unit], [single.value, single.unit], c.name);
    }
  });

  it('batches only the commands that are due, so each keeps its rate', async () => {
    const { clock, connection, scheduler } = setup();
    scheduler.watch(RPM, 20);
    scheduler.watch(SPEED, 20);
    scheduler.watch(COOLANT, 1);
    scheduler.start();
    await clock.runUntil(10_000);
    scheduler.stop();
    const has = (pid: string) =>
      connection.sent.filter((s) => s.text.startsWith('01') && s.text.slice(2).match(/../g)!.includes(pid)).length;
    assert.ok(Math.abs(has('0C') - 201) <= 1, `RPM ${has('0C')}`);
    assert.ok(Math.abs(has('0D') - 201) <= 1, `SPEED ${has('0D')}`);
    assert.ok(Math.abs(has('05') - 11) <= 1, `COOLANT ${has('05')}`);
    assert.ok(connection.sent.length <= 202, 'coolant rides along with the 20 Hz pair, never alone');
  });

  it('falls back to single requests when the adapter refuses, and keeps every value coming', async () => {
    const { clock, connection, scheduler, published } = setup({ multiPid: 'refuse' });
    for (const c of WATCHED) scheduler.watch(c);
    scheduler.start();
    await clock.runUntil(1_000);
    scheduler.stop();
    assert.equal(scheduler.batchState, 'off');
    assert.equal(connection.sent.filter((s) => s.text.length > 4).length, 1, 'one try, then never again');
    for (const c of WATCHED) assert.ok(published.filter((p) => p.response.command === c).length >= 10, c.name);
  });

  it('watch.batch: off never sends a multi-PID request', async () => {
    const { clock, connection, scheduler } = setup();
    scheduler.configure({ batch: 'off' });
    for (const c of WATCHED) scheduler.watch(c);
    scheduler.start();
    await clock.runUntil(500);
    scheduler.stop();
    assert.equal(scheduler.batchState, 'disabled');
    assert.ok(connection.sent.every((s) => s.text.length === 4));
  });
});

describe('scheduler: no request holds the loop past its deadline', () => {
  it('a request the adapter never answers gives up after twice the timeout; the loop goes on', async () => {
    const { clock, connection, scheduler, published } = setup();
    scheduler.configure({ batch: 'off' });
    connection.hang = new Set(['COOLANT_TEMP']);
    const stuck = scheduler.query(COOLANT);
    scheduler.watch(RPM, 10);
    scheduler.start();
    await clock.runUntil(2_000);
    scheduler.stop();
    const result = await stuck;
    assert.equal(result.response.value, null);
    assert.equal(result.failure?.code, 'ADAPTER_ERROR');
    const rpm = published.filter((p) => p.response.command === RPM);
    assert.ok(rpm.length >= 15, `RPM kept streaming: ${rpm.length}`);
    assert.equal(rpm[0]!.at, 400 + 10, 'RPM went out right after the deadline (2 × 200 ms)');
  });
});
