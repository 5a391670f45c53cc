import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdapterManager, type AdapterManagerOptions, type AdapterSnapshot, type AdapterState } from '../../src/link/adapter-manager.js';
import { parseConfig } from '../../src/load-config.js';
import type { ConnectionSpec } from '../../src/config/spec.js';
import type { Logger } from 'pino';
import { createLogger, silentLogger } from '../../src/log.js';
import { commandByName } from '../../src/obd/commands/index.js';
import { SimTransport, type SimTransportOptions } from '../../src/sim/sim-transport.js';
import { InMemoryTransport } from '../../src/transport/in-memory.js';
import { TransportError } from '../../src/transport/transport.js';
import { ObdService } from '../../src/api/obd-service.js';
import { VirtualClock } from '../helpers/virtual-clock.js';

const RPM = commandByName('RPM')!;

function connectionOf(yaml: string): ConnectionSpec {
  const result = parseConfig(`connection:\n${yaml.replace(/^/gm, '  ')}`, null, {});
  if (!result.ok) assert.fail(result.errors.map((e) => `${e.line}:${e.col} ${e.message}`).join('\n'));
  return result.spec.connection;
}

/** A transport that cannot open, like a serial device that is not plugged in. */
class MissingDevice extends InMemoryTransport {
  override open(): Promise<void> {
    return Promise.reject(new TransportError('ENOENT', `${this.portName}: no such device`));
  }
  write(): void {
    this.assertOpen('NOT_OPEN', 'not open');
  }
}

interface Rig {
  manager: AdapterManager;
  service: ObdService;
  states: AdapterState[];
  snapshots: AdapterSnapshot[];
  transports: SimTransport[];
  opened: string[];
  /** The manager's clock: retry waits and voltage reads run on it. */
  clock: VirtualClock;
  /** Resolves when the manager reaches `state` (now or later), running out each retry wait on the way. */
  until(state: AdapterState, ms?: number): Promise<AdapterSnapshot>;
}

type RigOptions = AdapterManagerOptions & { sim?: SimTransportOptions; missing?: (port: string, n: number) => boolean; logger?: Logger };

function rig(yaml: string, options: RigOptions = {}): Rig {
  const connection = connectionOf(yaml);
  const service = new ObdService(connection.port, 0, silentLogger());
  const transports: SimTransport[] = [];
  const opened: string[] = [];
  const clock = new VirtualClock();
  const manager = new AdapterManager(connection, service, options.logger ?? silentLogger(), {
    random: () => 0.5,
    clock,
    openTransport: (port) => {
      opened.push(port);
      if (options.missing?.(port, opened.length)) return new MissingDevice(port);
      const transport = new SimTransport(options.sim);
      transports.push(transport);
      return transport;
    },
    ...options,
  });
  const states: AdapterState[] = [];
  const snapshots: AdapterSnapshot[] = [];
  manager.onChange((snapshot) => {
    snapshots.push(snapshot);
    if (states.at(-1) !== snapshot.state) states.push(snapshot.state);
  });
  /** A retry wait passes at once in virtual time; everything else (the adapter's I/O) is real. */
  const runOut = (snapshot: AdapterSnapshot): void => {
    if (snapshot.state === 'retrying' && snapshot.retry_in !== undefined) void clock.advance(snapshot.retry_in);
  };
  const until = (state: AdapterState, ms = 8000): Promise<AdapterSnapshot> =>
    new Promise((resolve, reject) => {
      if (manager.state === state) return resolve(manager.snapshot());
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no state ${state} within ${ms} ms; states: ${states.join(' → ')}`));
      }, ms);
      const off = manager.onChange((snapshot) => {
        if (snapshot.state !== state) return runOut(snapshot);
        clearTimeout(timer);
        off();
        resolve(snapshot);
      });
      runOut(manager.snapshot());
    });
  return { manager, service, states, snapshots, transports, opened, clock, until };
}

function nextValue(service: ObdService, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no watched value within ${ms} ms`)), ms);
    const off = service.scheduler.onResponse((response) => {
      if (response.value === null) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

test('adapter: connects, reports the session in its snapshot, and hands it to the service', async () => {
  const { manager, service, states, until } = rig('port: sim');
  assert.equal(manager.state, 'disconnected');
  manager.start();
  await manager.ready();
  const snapshot = await until('connected');
  assert.deepEqual(states, ['connecting', 'connected']);
  assert.equal(snapshot.status, 'Car Connected');
  assert.equal(snapshot.protocol_name, 'ISO 15765-4 (CAN 11/500)');
  assert.equal(snapshot.protocol_id, '6');
  assert.equal(snapshot.port_name, 'sim');
  assert.match(snapshot.vin ?? '', /^[A-HJ-NPR-Z0-9]{17}$/, 'the VIN is 17 characters without I, O, Q');
  assert.ok(typeof snapshot.voltage === 'number' && snapshot.voltage > 11 && snapshot.voltage < 15.5, String(snapshot.voltage));
  assert.equal(snapshot.paused, false);
  assert.equal(snapshot.error, undefined);
  assert.equal(service.status, 'Car Connected');
  await manager.stop();
  assert.equal(manager.state, 'closed');
  assert.equal(service.status, 'Not Connected');
});

test('adapter: a lost link goes lost → retrying → connecting → connected, and the watch list streams again', async () => {
  const { manager, service, states, transports, until } = rig('port: sim\nreconnect: { min_delay: 30ms, max_delay: 200ms }');
  service.scheduler.watch(RPM);
  service.scheduler.start();
  manager.start();
  await until('connected');
  await nextValue(service);

  transports[0].simulateLoss('ENODEV', 'unplugged');
  const lost = await until('lost');
  assert.match(lost.error ?? '', /unplugged/);
  assert.equal(service.status, 'Not Connected', 'status is truthful while the adapter is away');
  const retrying = await until('retrying');
  assert.equal(retrying.retry_in, 30, 'the first wait is min_delay');
  await until('connected');
  await nextValue(service);
  assert.deepEqual(states, ['connecting', 'connected', 'lost', 'retrying', 'connecting', 'connected']);
  assert.equal(transports.length, 2, 'a fresh transport for the new session');
  assert.ok(service.scheduler.isWatched(RPM), 'the watch list survived');
  await manager.stop();
});

test('adapter: an adapter that stops answering (3 timeouts in a row) is taken for lost and reopened', async () => {
  const { manager, service, transports, until } = rig('port: sim\ntimeout: 20ms\nreconnect: { min_delay: 10ms, max_delay: 50ms }');
  service.scheduler.watch(RPM);
  service.scheduler.start();
  manager.start();
  await until('connected');
  await nextValue(service);
  transports[0].elm.silent();
  const lost = await until('lost', 10_000);
  assert.match(lost.error ?? '', /no answer to 3 requests in a row/);
  await until('connected', 10_000);
  await nextValue(service);
  assert.equal(transports.length, 2);
  await manager.stop();
});

test('adapter: a missing device retries with growing waits, lists the ports found, and answers NOT_CONNECTED meanwhile', async () => {
  const { manager, service, snapshots, opened, until } = rig('port: /dev/ttyUSB7\nreconnect: { min_delay: 20ms, max_delay: 60ms }', {
    missing: () => true,
    findPorts: async () => ['/dev/ttyUSB0'],
  });
  manager.start();
  await manager.ready();
  const retrying = await until('retrying');
  assert.match(retrying.error ?? '', /^\/dev\/ttyUSB7: no such device\. Serial ports found: \/dev\/ttyUSB0/);
  // No queue while disconnected: the answer comes before any timer or I/O callback could run.
  const answer = await Promise.race([service.query(RPM), new Promise<'waited'>((resolve) => setImmediate(() => resolve('waited')))]);
  assert.ok(answer !== 'waited', 'the query waited for the adapter');
  assert.equal(answer.failure?.code, 'NOT_CONNECTED');
  while (opened.length < 4) await until('connecting');
  await manager.stop();
  const waits = snapshots.filter((s) => s.state === 'retrying' && s.retry_in !== undefined).map((s) => s.retry_in);
  assert.deepEqual(waits.slice(0, 3), [20, 40, 60], 'doubling from min_delay, capped at max_delay');
});

test('adapter: port auto scans every retry and takes the first port with an ELM327', async () => {
  let scans = 0;
  const { manager, service, opened, until } = rig('port: auto\nreconnect: { min_delay: 10ms, max_delay: 10ms }', {
    findPorts: async () => {
      scans++;
      return scans === 1 ? [] : ['/dev/ttyUSB0', '/dev/ttyUSB1'];
    },
    missing: (port) => port === '/dev/ttyUSB0',
  });
  manager.start();
  const failed = await until('retrying');
  assert.match(failed.error ?? '', /port auto: no serial adapter found/);
  const connected = await until('connected');
  assert.equal(connected.port_name, '/dev/ttyUSB1');
  assert.equal(service.portName, '/dev/ttyUSB1', 'port_name answers the device found');
  assert.deepEqual(opened, ['/dev/ttyUSB0', '/dev/ttyUSB1']);
  assert.equal(scans, 2);
  await manager.stop();
});

test("adapter: a client's close stops reconnecting (state closed)", async () => {
  const { manager, service, opened, clock, until } = rig('port: sim\nreconnect: { min_delay: 10ms, max_delay: 10ms }');
  manager.start();
  await until('connected');
  await service.close();
  await until('closed');
  await clock.advance(100);
  assert.equal(manager.state, 'closed');
  assert.equal(opened.length, 1, 'no new attempt after close');
  await manager.stop();
});

test('adapter: stop() during the retry wait ends at once, state closed', async () => {
  const { manager, until } = rig('port: /dev/ttyUSB7\nreconnect: { min_delay: 60s, max_delay: 60s }', {
    missing: () => true,
    findPorts: async () => [],
  });
  manager.start();
  await until('retrying');
  // The wait is a minute: a stop that sat it out would lose this race by far.
  let timer: NodeJS.Timeout | undefined;
  const satOut = new Promise<string>((resolve) => (timer = setTimeout(resolve, 30_000, 'waited')));
  const stopped = await Promise.race([manager.stop().then(() => 'stopped'), satOut]);
  clearTimeout(timer);
  assert.equal(stopped, 'stopped');
  assert.equal(manager.state, 'closed');
});

test('adapter: the ignition off keeps the adapter session (status OBD Connected) and retries the car later', async () => {
  const { manager, service, transports, until } = rig('port: sim\nreconnect: { min_delay: 30ms, max_delay: 30ms }', {
    sim: {},
  });
  // Turn the ignition off before the first start-up: the adapter answers, the car does not.
  const original = manager as unknown as { options: AdapterManagerOptions };
  const open = original.options.openTransport!;
  original.options.openTransport = (port, connection) => {
    const transport = open(port, connection) as SimTransport;
    if (transports.length === 1) transport.elm.setIgnition(false);
    return transport;
  };
  manager.start();
  const waiting = await until('retrying');
  assert.match(waiting.error ?? '', /the vehicle does not \(ignition off\?\)/);
  assert.equal(service.status, 'OBD Connected');
  assert.equal(waiting.voltage, 12.4, 'the voltage is still read (the simulator reads 12.4 V with the ignition off)');
  await until('connected');
  assert.equal(service.status, 'Car Connected');
  await manager.stop();
});

test('adapter: low-voltage pause stops polling below pause_below and resumes above resume_above', async () => {
  let now = 1_700_000_000_000;
  // The simulated battery charges from 12.6 V towards 14.1 V over the first seconds of running.
  const { manager, service, clock, until } = rig('port: sim\nlow_voltage: { pause_below: 13.0, resume_above: 13.8 }', {
    sim: { now: () => now },
    voltageEveryMs: 20,
  });
  let values = 0;
  service.scheduler.onResponse(() => values++);
  service.scheduler.watch(RPM);
  service.scheduler.start();
  manager.start();
  const connected = await until('connected');
  assert.equal(connected.paused, true, `paused at ${connected.voltage} V`);
  assert.equal(service.scheduler.paused, true);
  const before = values;
  await clock.advance(150); // seven voltage reads, all still low
  assert.equal(values, before, 'no polling while paused');
  const { failure } = await service.query(commandByName('SPEED')!);
  assert.equal(failure, undefined, 'one-shot queries still work while paused');

  now += 30_000; // the engine has run: the alternator charges
  const resumed = new Promise<void>((resolve) => {
    const off = manager.onChange((s) => {
      if (!s.paused) {
        off();
        resolve();
      }
    });
  });
  await clock.until(resumed, 5000, 'polling resuming');
  assert.ok((manager.snapshot().voltage ?? 0) > 13.8);
  await nextValue(service);
  await manager.stop();
});

test('adapter: each failure is logged once until the adapter is back, however many ports and retries', async () => {
  const lines: string[] = [];
  const logger = createLogger('json', 'info', { output: { write: (text: string) => lines.push(text) } });
  const { manager, opened, until } = rig('port: auto\nreconnect: { min_delay: 5ms, max_delay: 5ms }', {
    findPorts: async () => ['/dev/ttyUSB0', '/dev/ttyUSB1'],
    missing: () => true,
    logger,
  });
  manager.start();
  while (opened.length < 10) await until('connecting');
  await manager.stop();
  const errors = lines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((r) => r.level === 50);
  assert.deepEqual(
    errors.map((r) => r.msg),
    ['/dev/ttyUSB0', '/dev/ttyUSB1'].map((port) => `${port}: no such device. Fix: plug the adapter in, or correct connection.port`),
  );
  assert.equal(lines.filter((l) => l.includes('will keep trying')).length, 1);
});
