/**
 * The watch loop with computed commands, on a virtual clock: watching one polls its sources,
 * each round of their readings produces a value, unwatching lets go of the sources nobody else
 * watches, and a query computes once from queried sources. No computed command reaches the bus.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OBDCommand, OBDResponse } from '../../src/obd/command.js';
import type { QueryResult } from '../../src/obd/connection.js';
import { parseConfig } from '../../src/load-config.js';
import { buildCommandRegistry } from '../../src/obd/registry.js';
import { rebindWatched } from '../../src/watch/custom-commands.js';
import { Scheduler, type SchedulerConnection } from '../../src/watch/scheduler.js';
import { computedSpec } from '../helpers/computed.js';
import { VirtualClock } from '../helpers/virtual-clock.js';

const VALUES: Record<string, number> = { SPEED: 36, MAF: 7.45, RPM: 2000 };

/** A car at a steady 36 km/h; each request takes 10 virtual ms. */
class SteadyCar implements SchedulerConnection {
  isConnected = true;
  protocolId = '6';
  fast = false;
  requestTimeoutMs = 200;
  readonly sent: string[] = [];
  constructor(private readonly clock: VirtualClock) {}
  supports(): boolean {
    return true;
  }
  async query(cmd: OBDCommand): Promise<QueryResult> {
    this.sent.push(cmd.name);
    await this.clock.delay(10);
    return { response: { command: cmd, messages: [], value: VALUES[cmd.name] ?? null, unit: 'x', time: this.clock.now() } };
  }
  async request(): Promise<never> {
    throw new Error('no multi-PID here');
  }
}

const spec = computedSpec;

function setup() {
  const { registry, problems } = buildCommandRegistry({
    commands: {},
    files: [],
    modelYear: null,
    computed: {
      TRIP_DISTANCE: spec('integrate', 'SPEED', { per: 'hour', unit: 'kilometer' }),
      FUEL_RATE_EST: spec('expr', 'MAF / 14.7 / 745 * 3600', { unit: 'liters_per_hour' }),
      L_PER_100KM: spec('expr', 'FUEL_RATE_EST / SPEED * 100'),
    },
  });
  assert.deepEqual(problems, []);
  const clock = new VirtualClock();
  const car = new SteadyCar(clock);
  const scheduler = new Scheduler(0, undefined, clock);
  scheduler.configure({ batch: 'off' });
  scheduler.setConnection(car);
  const seen: OBDResponse[] = [];
  scheduler.onResponse((r) => seen.push(r));
  return { registry, clock, car, scheduler, seen, cmd: (name: string) => registry.byName(name)! };
}

describe('computed commands in the watch loop', () => {
  it('watching one polls its sources at its rate and streams its value; it never goes on the bus', async () => {
    const { clock, car, scheduler, seen, cmd } = setup();
    scheduler.watch(cmd('TRIP_DISTANCE'), 10);
    scheduler.start();
    await clock.runUntil(10_000);
    assert.deepEqual(new Set(car.sent), new Set(['SPEED']));
    assert.ok(car.sent.length >= 99 && car.sent.length <= 101, `${car.sent.length} polls in 10 s at 10 Hz`);
    const trip = seen.filter((r) => r.command.name === 'TRIP_DISTANCE');
    // One value per answered poll (the last request may still be in flight).
    assert.ok(car.sent.length - trip.length <= 1 && trip.length <= car.sent.length);
    // 36 km/h for the time between the first and the last reading: 0.01 km per second.
    const span = (trip.at(-1)!.time - trip[0]!.time) / 1000;
    assert.ok(Math.abs((trip.at(-1)!.value as number) - span * 0.01) < 1e-9);
    assert.equal(scheduler.latest(cmd('TRIP_DISTANCE')), trip.at(-1));
    assert.deepEqual(
      scheduler.watchList().map((w) => [w.cmd.name, w.rate]),
      [['TRIP_DISTANCE', 10]],
    );
  });

  it('a computed command of computed commands waits for a round of all its sources', async () => {
    const { clock, scheduler, seen, cmd } = setup();
    scheduler.watch(cmd('L_PER_100KM'), 2);
    scheduler.start();
    await clock.runUntil(5_000);
    const values = seen.filter((r) => r.command.name === 'L_PER_100KM');
    assert.ok(values.length >= 9 && values.length <= 11);
    assert.ok(Math.abs((values[0]!.value as number) - (((7.45 / 14.7 / 745) * 3600) / 36) * 100) < 1e-9);
    // Its sources (computed or not) feed it without streaming: clients get what they watched.
    assert.deepEqual([...new Set(seen.map((r) => r.command.name))], ['L_PER_100KM']);
  });

  it('unwatching lets go of held sources but keeps those a client watched', async () => {
    const { clock, car, scheduler, cmd } = setup();
    scheduler.watch(cmd('L_PER_100KM'), 5);
    scheduler.watch(cmd('SPEED'), 1);
    scheduler.start();
    await clock.runUntil(2_000);
    assert.ok(car.sent.includes('MAF'));
    scheduler.unwatch(cmd('L_PER_100KM'));
    assert.deepEqual(
      scheduler.watchList().map((w) => w.cmd.name),
      ['SPEED'],
    );
    const before = car.sent.length;
    await clock.runUntil(12_000);
    const after = car.sent.slice(before);
    assert.ok(!after.includes('MAF'));
    assert.ok(after.length >= 9 && after.length <= 11, `SPEED at its own 1 Hz: ${after.length}`);
    // Unwatching a source a computed command still reads keeps it polled for that command.
    scheduler.watch(cmd('FUEL_RATE_EST'), 1);
    scheduler.watch(cmd('MAF'));
    scheduler.unwatch(cmd('MAF'));
    assert.equal(scheduler.isWatched(cmd('MAF')), false);
    const mark = car.sent.length;
    await clock.runUntil(15_000);
    assert.ok(car.sent.slice(mark).includes('MAF'));
  });

  it('a query computes once from queried sources', async () => {
    const { clock, car, scheduler, cmd } = setup();
    const pending = scheduler.query(cmd('L_PER_100KM'));
    await clock.runUntil(1_000);
    const { response, failure } = await pending;
    assert.equal(failure, undefined);
    assert.ok(Math.abs((response.value as number) - (((7.45 / 14.7 / 745) * 3600) / 36) * 100) < 1e-9);
    assert.deepEqual(car.sent.sort(), ['MAF', 'SPEED']);
    // A trip figure has no value until it has been watched.
    const trip = scheduler.query(cmd('TRIP_DISTANCE'));
    await clock.runUntil(2_000);
    assert.equal((await trip).failure?.code, 'NO_DATA');
  });
});

describe('computed commands across a new command table (a reload)', () => {
  it('a kept computed command keeps its trip and reads the redefined source', async () => {
    const table = (equation: string) => {
      const loaded = parseConfig(
        `commands:\n  PACK_VOLTS: { request: "220101", equation: "${equation}" }\ncomputed:\n  ENERGY: { integrate: PACK_VOLTS, unit: volt_second }\n`,
        null,
      );
      assert.ok(loaded.ok);
      return loaded.registry;
    };
    const clock = new VirtualClock();
    const car = new SteadyCar(clock);
    VALUES.PACK_VOLTS = 400;
    const scheduler = new Scheduler(0, undefined, clock);
    scheduler.configure({ batch: 'off' });
    scheduler.setConnection(car);
    const first = table('A');
    const energy = first.byName('ENERGY')!;
    scheduler.watch(energy, 10);
    scheduler.start();
    await clock.runUntil(2_000);
    const before = scheduler.latest(energy)!.value as number;
    assert.ok(before > 0);

    // What ObdService.setRegistry does on a reload.
    const second = table('A*2').keepingCommandsOf(first);
    rebindWatched(scheduler, first, second);
    assert.equal(second.byName('ENERGY'), energy, 'the unchanged computed command is the same object');
    assert.notEqual(second.byName('PACK_VOLTS'), first.byName('PACK_VOLTS'));
    assert.deepEqual(
      scheduler.watchList().map((w) => [w.cmd, w.rate]),
      [[energy, 10]],
    );
    const sent = car.sent.length;
    await clock.runUntil(4_000);
    assert.ok(car.sent.length > sent, 'the new source is polled');
    assert.ok((scheduler.latest(energy)!.value as number) > before, 'the trip goes on from where it was');
  });
});
