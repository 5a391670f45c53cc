/**
 * MQTT publishing and replay figures (npm run bench merges them; `node --import tsx bench/mqtt.ts`
 * runs them alone):
 *   - the MQTT sink alone, fed decoded values as fast as it takes them: values/s that reach a
 *     subscriber through a real mosquitto, and the gateway process's CPU at a steady 1,000 values/s;
 *   - a whole gateway on the simulator, 8 commands at full speed, every value published;
 *   - a 10-minute drive recorded on the simulator with an injected clock (about 40 ms per request,
 *     as a real adapter on CAN answers), then replayed at replay_speed 0: the time it takes.
 * The subscriber runs in a child process so its CPU is not counted as the gateway's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdapterManager } from '../src/link/adapter-manager.js';
import type { Spec } from '../src/config/spec.js';
import { Gateway } from '../src/gateway.js';
import { parseConfig } from '../src/load-config.js';
import { silentLogger } from '../src/log.js';
import type { OBDResponse } from '../src/obd/command.js';
import { commandByName } from '../src/obd/commands/index.js';
import { Recorder } from '../src/record/recorder.js';
import { MqttSink } from '../src/sinks/mqtt.js';
import { createTransport } from '../src/link/open-transport.js';
import { SimTransport } from '../src/sim/sim-transport.js';
import { TransportTaps } from '../src/transport/tap.js';
import { ObdService } from '../src/api/obd-service.js';
import { startMosquitto, type Broker } from '../test/helpers/brokers.js';

import type { Row } from './row.js';

const EIGHT = ['RPM', 'SPEED', 'COOLANT_TEMP', 'THROTTLE_POS', 'ENGINE_LOAD', 'INTAKE_TEMP', 'MAF', 'FUEL_LEVEL'];
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const DRIVE_MS = 10 * 60 * 1000;
/** A real ELM327 on CAN: about 40 ms from request to answer. */
const REQUEST_MS = 40;

function specOf(yaml: string): Spec {
  const loaded = parseConfig(yaml, null);
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join('\n'));
  return { ...loaded.spec, server: { ...loaded.spec.server, port: 0 } };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A subscriber in its own process that prints how many messages it has received, every 100 ms. */
async function countingSubscriber(url: string, topic: string): Promise<{ count(): number; stop(): void; child: ChildProcess }> {
  const code = `
    import mqtt from 'mqtt';
    const client = mqtt.connect(${JSON.stringify(url)});
    let n = 0;
    client.on('connect', () => client.subscribe(${JSON.stringify(topic)}, () => console.log('ready')));
    client.on('message', () => n++);
    setInterval(() => console.log(n), 100);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  let latest = 0;
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  child.stdout!.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().trim().split('\n')) {
      if (line === 'ready') ready();
      else if (/^\d+$/.test(line)) latest = Number(line);
    }
  });
  await isReady;
  return { count: () => latest, stop: () => child.pid && process.kill(child.pid, 'SIGTERM'), child };
}

/** Waits until the sink's buffer is empty and the subscriber's count has stopped moving. */
async function settled(count: () => number, buffered: () => number): Promise<void> {
  let last = -1;
  while (buffered() > 0 || count() !== last) {
    last = count();
    await sleep(250);
  }
}

/** The least of ObdService the sink needs, so values can be pushed into it directly. */
function feedableService(): { service: ObdService; push(response: OBDResponse): void } {
  const listeners = new Set<(r: OBDResponse) => void>();
  const service = {
    isConnected: true,
    scheduler: {
      onResponse(listener: (r: OBDResponse) => void) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    command: () => undefined,
    isQueryable: () => false,
  } as unknown as ObdService;
  return { service, push: (r) => listeners.forEach((l) => l(r)) };
}

function responses(): OBDResponse[] {
  return EIGHT.map((name, i) => ({
    command: commandByName(name)!,
    messages: [],
    value: 1000 + i * 0.25,
    unit: 'revolutions_per_minute',
    time: Date.now(),
  }));
}

/** The sink alone: saturation throughput, and CPU at a fixed rate. */
async function sinkFigures(broker: Broker, rows: Row[]): Promise<void> {
  const { service, push } = feedableService();
  const spec = specOf(`mqtt: { url: "${broker.url}", base_topic: bench, vehicle: car, every: 0, dtc_every: 0, buffer: 1000 }`);
  const sink = await MqttSink.start(spec, { service });
  while (!sink.stats.connected) await sleep(10);
  const subscriber = await countingSubscriber(broker.url, 'bench/car/+');
  const values = responses();
  try {
    // Saturation: push in slices, yielding so the socket can drain.
    let received = subscriber.count();
    let start = performance.now();
    let cpu = process.cpuUsage();
    const until = start + SECONDS * 1000;
    let i = 0;
    while (performance.now() < until) {
      for (let k = 0; k < 200; k++) push(values[i++ % values.length]!);
      await new Promise((r) => setImmediate(r));
    }
    // Delivered while the feed outran the sink: its capacity.
    let seconds = (performance.now() - start) / 1000;
    let used = process.cpuUsage(cpu);
    const saturated = (subscriber.count() - received) / seconds;
    rows.push({ link: 'mqtt', figure: 'sink alone: values/s delivered through mosquitto (saturated)', value: saturated.toFixed(0) });
    rows.push({
      link: 'mqtt',
      figure: '  gateway CPU while saturated',
      value: `${(((used.user + used.system) / 1e6 / seconds) * 100).toFixed(0)} %`,
    });
    rows.push({ link: 'mqtt', figure: '  dropped (buffer full, drop-oldest)', value: String(sink.stats.dropped) });

    // A steady 1,000 values/s, once the saturation's backlog has drained.
    await settled(subscriber.count, () => sink.stats.buffered);
    received = subscriber.count();
    start = performance.now();
    cpu = process.cpuUsage();
    let sent = 0;
    while (performance.now() - start < SECONDS * 1000) {
      const due = Math.floor(performance.now() - start);
      for (; sent < due; sent++) push(values[sent % values.length]!);
      await sleep(10);
    }
    seconds = (performance.now() - start) / 1000;
    used = process.cpuUsage(cpu);
    await settled(subscriber.count, () => sink.stats.buffered);
    rows.push({
      link: 'mqtt',
      figure: 'sink alone at 1,000 values/s: delivered/s',
      value: ((subscriber.count() - received) / seconds).toFixed(0),
    });
    rows.push({
      link: 'mqtt',
      figure: '  gateway CPU at 1,000 values/s',
      value: `${(((used.user + used.system) / 1e6 / seconds) * 100).toFixed(1)} %`,
    });
  } finally {
    subscriber.stop();
    await sink.stop();
  }
}

/** A whole gateway on the simulator, 8 commands at full speed, every value published. */
async function gatewayFigures(broker: Broker, rows: Row[]): Promise<void> {
  const spec = specOf(`
watch: { commands: [${EIGHT.join(', ')}], interval: 0 }
mqtt: { url: "${broker.url}", base_topic: bench, vehicle: sim, every: 0, dtc_every: 0 }
`);
  const gateway = await Gateway.start(spec);
  await gateway.ready();
  const sink = await MqttSink.start(spec, { service: gateway.service });
  while (!sink.stats.connected) await sleep(10);
  const subscriber = await countingSubscriber(broker.url, 'bench/sim/+');
  try {
    await sleep(300);
    const received = subscriber.count();
    const start = performance.now();
    const cpu = process.cpuUsage();
    await sleep(SECONDS * 1000);
    const seconds = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    rows.push({
      link: 'mqtt',
      figure: 'gateway on sim, 8 watched, interval 0: values/s published',
      value: ((subscriber.count() - received) / seconds).toFixed(0),
    });
    rows.push({
      link: 'mqtt',
      figure: '  gateway CPU (adapter, decoding and MQTT)',
      value: `${(((used.user + used.system) / 1e6 / seconds) * 100).toFixed(0)} %`,
    });
  } finally {
    subscriber.stop();
    await sink.stop();
    await gateway.stop();
  }
}

/**
 * Records a 10-minute drive: the simulator's car runs on a clock the bench moves 40 ms per
 * request, so the drive covers 10 minutes of the drive cycle in a few seconds of real time.
 */
async function recordDrive(dir: string): Promise<number> {
  let now = Date.UTC(2024, 4, 1, 8, 0, 0);
  const start = now;
  const spec = specOf(`watch: { batch: off }\nrecord: { dir: "${dir}", rotate: 0 }`);
  const logger = silentLogger();
  const taps = new TransportTaps();
  const service = new ObdService('sim', 0, logger);
  const recorder = await Recorder.start(spec, { taps, now: () => now });
  const adapter = new AdapterManager(spec.connection, service, logger, {
    openTransport: () => taps.wrap(new SimTransport({ now: () => now })),
    voltageEveryMs: 3_600_000,
  });
  adapter.start();
  await adapter.ready();
  const commands = EIGHT.map((name) => commandByName(name)!);
  let requests = 0;
  while (now - start < DRIVE_MS) {
    for (const cmd of commands) {
      await service.scheduler.query(cmd);
      now += REQUEST_MS;
      requests++;
    }
  }
  await adapter.stop();
  await recorder.stop();
  return requests;
}

/** Replays the drive at speed 0 with the same 8 commands: wall time until the recording ends. */
async function replayDrive(dir: string): Promise<{ ms: number; values: number }> {
  const spec = specOf(
    `connection: { port: "replay:${dir}", replay_speed: 0, reconnect: { min_delay: 5s, max_delay: 5s } }\nwatch: { batch: off, interval: 0 }`,
  );
  const logger = silentLogger();
  const service = new ObdService(spec.connection.port, 0, logger);
  service.scheduler.configure({ batch: 'off', maxRate: null });
  const adapter = new AdapterManager(spec.connection, service, logger, {
    openTransport: (port, connection) => createTransport({ ...connection, port }),
    voltageEveryMs: 3_600_000,
  });
  let values = 0;
  service.scheduler.onResponse((r) => r.value !== null && values++);
  for (const name of EIGHT) service.scheduler.watch(commandByName(name)!);
  const ended = new Promise<void>((resolve) => adapter.onChange((s) => s.state === 'lost' && resolve()));
  const start = performance.now();
  adapter.start();
  service.scheduler.start();
  await ended;
  const ms = performance.now() - start;
  service.scheduler.stop();
  await adapter.stop();
  return { ms, values };
}

export async function mqttBench(): Promise<Row[]> {
  const rows: Row[] = [];
  const broker = await startMosquitto();
  try {
    await sinkFigures(broker, rows);
    await gatewayFigures(broker, rows);
  } finally {
    await broker.stop();
  }
  const dir = await mkdtemp(join(tmpdir(), 'obdio-drive-'));
  try {
    const requests = await recordDrive(dir);
    const { ms, values } = await replayDrive(dir);
    rows.push({
      link: 'replay',
      figure: `10-minute drive (${requests} requests, ${REQUEST_MS} ms each), replay_speed 0: time`,
      value: `${(ms / 1000).toFixed(2)} s`,
    });
    rows.push({ link: 'replay', figure: '  values decoded per second of replay', value: (values / (ms / 1000)).toFixed(0) });
    rows.push({ link: 'replay', figure: '  speed-up over the drive', value: `${(DRIVE_MS / ms).toFixed(0)} ×` });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await mqttBench();
  const width = Math.max(...rows.map((r) => r.figure.length));
  console.log(
    `obdio-gateway MQTT/replay bench — ${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, ${SECONDS}s per figure`,
  );
  for (const row of rows) console.log(`${row.link.padEnd(7)} ${row.figure.padEnd(width)}  ${row.value}`);
  process.exit(0);
}
