/**
 * npm run bench: throughput and latency of the gateway, measured end to end through a real
 * Socket.IO client, on the in-process simulator and on a real pty (socat) with the simulator
 * serving the other end. Prints one table; figures depend on the machine, so the README
 * quotes them with the date and machine.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connectClient, type Socket } from 'socket.io-client';
import { loadConfig, parseConfig } from '../src/load-config.js';
import { Gateway } from '../src/gateway.js';
import type { BatchMode } from '../src/obd/multi-pid.js';
import { serveSimulator, type ServeOptions } from '../src/sim/serve.js';
import { SerialTransport } from '../src/transport/serial.js';
import { SimTransport } from '../src/sim/sim-transport.js';
import { openPtyPair } from '../test/helpers/pty.js';
import { measureCustomCommands } from './custom-commands.js';
import { fanOut } from './fanout.js';
import { linkBound } from './link-bound.js';
import { plainClientStreaming } from './plain-client.js';
import { mqttBench } from './mqtt.js';
import { processFigures } from './process.js';
import { startupFigures } from './startup.js';
import type { Row } from './row.js';

const EIGHT = ['RPM', 'SPEED', 'COOLANT_TEMP', 'THROTTLE_POS', 'ENGINE_LOAD', 'INTAKE_TEMP', 'MAF', 'FUEL_LEVEL'];
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

async function startGateway(port: string, commands: string[]): Promise<Gateway> {
  const yaml = `
connection: { port: "${port}", baudrate: 38400 }
watch:
  commands: [${commands.join(', ')}]
  interval: 0
  callbacks: [{ emit: { event: watch_result } }]
`;
  const loaded = parseConfig(yaml, null);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const gateway = await Gateway.start({ ...loaded.spec, server: { ...loaded.spec.server, port: 0 } }, { registry: loaded.registry });
  await gateway.ready();
  if (!gateway.service.isConnected) throw new Error(`no car on ${port}: ${gateway.service.status}`);
  return gateway;
}

async function client(gateway: Gateway): Promise<Socket> {
  const socket = connectClient(gateway.url, { transports: ['websocket'], forceNew: true, reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

/** Values per second one client receives while `commands` stream at full speed. */
async function valuesPerSecond(port: string, commands: string[], batch: BatchMode = 'auto'): Promise<number> {
  const gateway = await startGateway(port, commands);
  gateway.service.scheduler.configure({ batch });
  const socket = await client(gateway);
  await new Promise((r) => setTimeout(r, 300)); // warm-up
  let count = 0;
  socket.on('watch_result', () => count++);
  const start = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const rate = count / ((performance.now() - start) / 1000);
  socket.disconnect();
  await gateway.stop();
  return rate;
}

/** Round-trip latency of `query` (acknowledged) while 8 commands stream. */
async function queryLatency(port: string): Promise<number[]> {
  const gateway = await startGateway(port, EIGHT);
  const socket = await client(gateway);
  await new Promise((r) => setTimeout(r, 300));
  const samples: number[] = [];
  const until = performance.now() + SECONDS * 1000;
  while (performance.now() < until) {
    const start = performance.now();
    await socket.emitWithAck('query', 'RPM');
    samples.push(performance.now() - start);
  }
  socket.disconnect();
  await gateway.stop();
  return samples.sort((a, b) => a - b);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measureLink(link: string, port: string, rows: Row[]): Promise<void> {
  for (const commands of [EIGHT.slice(0, 1), EIGHT.slice(0, 4), EIGHT]) {
    const rate = await valuesPerSecond(port, commands);
    rows.push({ link, figure: `values/s, ${commands.length} watched, interval 0`, value: rate.toFixed(0) });
  }
  const latency = await queryLatency(port);
  for (const p of [50, 95, 99]) {
    rows.push({ link, figure: `query latency p${p} (ms), 8 streaming`, value: percentile(latency, p).toFixed(2) });
  }
}

/**
 * From the moment a response is decoded (its `time`, right after the adapter's reply) to its
 * arrival at a Socket.IO client, with 8 commands streaming; same clock, same process.
 */
async function replyToClientLatency(rows: Row[]): Promise<void> {
  const gateway = await startGateway('sim', EIGHT);
  const socket = await client(gateway);
  const samples: number[] = [];
  socket.on('watch_result', (response: { time: number }) => samples.push(Date.now() - response.time));
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  socket.disconnect();
  await gateway.stop();
  samples.sort((a, b) => a - b);
  for (const p of [50, 95, 99]) {
    rows.push({ link: 'sim', figure: `adapter reply → client receipt p${p} (ms), 8 streaming`, value: percentile(samples, p).toFixed(0) });
  }
}

/** Time from writing the config file to clients hearing `obdio:config` (watcher debounce included). */
async function reloadTimes(saves: number): Promise<number[]> {
  const dir = await mkdtemp(join(tmpdir(), 'obdio-bench-'));
  const file = join(dir, 'obdio.yaml');
  const config = (interval: number) =>
    `watch:\n  commands: [RPM, SPEED]\n  interval: ${interval}\n  callbacks: [{ emit: { event: raw } }]\n`;
  await writeFile(file, config(0));
  const loaded = await loadConfig(file);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const gateway = await Gateway.start(
    { ...loaded.spec, server: { ...loaded.spec.server, port: 0 } },
    {
      registry: loaded.registry,
      watchConfig: true,
      adjust: (spec) => ({ ...spec, server: { ...spec.server, port: 0 } }),
    },
  );
  await gateway.ready();
  const socket = await client(gateway);
  const samples: number[] = [];
  for (let i = 1; i <= saves; i++) {
    const applied = new Promise((resolve) => socket.once('obdio:config', resolve));
    const start = performance.now();
    await writeFile(file, config(i / 1000));
    await applied;
    samples.push(performance.now() - start);
  }
  socket.disconnect();
  await gateway.stop();
  await rm(dir, { recursive: true, force: true });
  return samples.sort((a, b) => a - b);
}

/** Values/s with 8 watched commands, one PID per request and six, against the link bound. */
async function measureBatching(link: string, port: string, bound: number, rows: Row[]): Promise<void> {
  rows.push({ link, figure: 'link bound: 010C1 requests/s (driver only)', value: bound.toFixed(0) });
  const one = await valuesPerSecond(port, EIGHT.slice(0, 1), 'off');
  rows.push({ link, figure: 'values/s, 1 watched, batching off', value: one.toFixed(0) });
  rows.push({ link, figure: '  ratio to the link bound', value: `${((one / bound) * 100).toFixed(0)} %` });
  const off = await valuesPerSecond(port, EIGHT, 'off');
  rows.push({ link, figure: 'values/s, 8 watched, batching off', value: off.toFixed(0) });
  rows.push({ link, figure: '  ratio to the link bound', value: `${((off / bound) * 100).toFixed(0)} %` });
  const on = await valuesPerSecond(port, EIGHT, 'auto');
  rows.push({ link, figure: 'values/s, 8 watched, batching on', value: on.toFixed(0) });
  rows.push({ link, figure: '  ratio to the link bound', value: `${(on / bound).toFixed(1)} ×` });
}

/** The batching figures on a pty with the simulated adapter behind it, served with `options`. */
async function measureBatchingOnPty(link: string, options: ServeOptions, rows: Row[]): Promise<void> {
  const pty = await openPtyPair();
  const sim = await serveSimulator(pty.a, { baudRate: 38400, ...options });
  try {
    const bound = await linkBound(new SerialTransport(pty.b, { baudRate: 38400 }), SECONDS);
    await measureBatching(link, pty.b, bound, rows);
  } finally {
    await sim.close();
    await pty.close();
  }
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  await measureLink('sim', 'sim', rows);
  await measureBatching('sim', 'sim', await linkBound(new SimTransport(), SECONDS), rows);
  await measureBatchingOnPty('pty', {}, rows);
  // A real ELM327 on a 38400-baud serial line, about 30 ms from request to answer on the bus.
  await measureBatchingOnPty('slow', { baudrate: 38400, latencyMs: 30 }, rows);
  const reloads = await reloadTimes(10);
  rows.push({ link: 'sim', figure: 'config reload, save → applied p50 (ms)', value: percentile(reloads, 50).toFixed(0) });
  rows.push({ link: 'sim', figure: 'config reload, save → applied max (ms)', value: reloads.at(-1)!.toFixed(0) });

  const pty = await openPtyPair();
  const sim = await serveSimulator(pty.a, { baudRate: 38400 });
  try {
    await measureLink('pty', pty.b, rows);
  } finally {
    await sim.close();
    await pty.close();
  }
  await replyToClientLatency(rows);
  await plainClientStreaming(rows, SECONDS);
  await measureCustomCommands('sim', 'sim', rows);
  await startupFigures(rows);
  await processFigures(rows, SECONDS);
  await fanOut(rows, 1000, SECONDS);
  rows.push(...(await mqttBench()));

  const width = Math.max(...rows.map((r) => r.figure.length));
  const linkWidth = Math.max(4, ...rows.map((r) => r.link.length));
  const valueWidth = Math.max(5, ...rows.map((r) => r.value.length));
  console.log(
    `obdio-gateway bench — ${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, ${SECONDS}s per figure`,
  );
  console.log(`| ${'link'.padEnd(linkWidth)} | ${'figure'.padEnd(width)} | ${'value'.padStart(valueWidth)} |`);
  console.log(`|${'-'.repeat(linkWidth + 2)}|${'-'.repeat(width + 2)}|${'-'.repeat(valueWidth + 2)}|`);
  for (const row of rows)
    console.log(`| ${row.link.padEnd(linkWidth)} | ${row.figure.padEnd(width)} | ${row.value.padStart(valueWidth)} |`);
}

await main();
