/**
 * Figures of the gateway as users run it: the built CLI (dist/) in its own process, with no node
 * flags, so its CPU, RSS and event-loop delay are its own and not the bench's: 100 clients
 * receiving 8 commands at 10 Hz. (Start-up and idle figures: ./startup.ts.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connectClient, type Socket } from 'socket.io-client';
import type { Row } from './row.js';

const CLI = new URL('../bin/obdio-gateway.js', import.meta.url).pathname;
const EIGHT = ['RPM', 'SPEED', 'COOLANT_TEMP', 'THROTTLE_POS', 'ENGINE_LOAD', 'INTAKE_TEMP', 'MAF', 'FUEL_LEVEL'];
const CLOCK_TICKS = 100; // USER_HZ on Linux

interface Running {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the CLI on a config; resolves once it prints where it listens. `liteMode`: under
 * V8's --lite-mode (no optimizing compiler), the low-memory option the README offers.
 */
export async function runGateway(yaml: string, liteMode = false): Promise<Running> {
  const dir = await mkdtemp(join(tmpdir(), 'obdio-proc-'));
  const file = join(dir, 'obdio.yaml');
  const port = await freePort();
  await writeFile(file, `server: { port: ${port} }\n${yaml}`);
  const flags = liteMode ? ['--lite-mode'] : [];
  const child = spawn(process.execPath, [...flags, CLI, file, '--no-watch', '--log-format', 'json'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('listening on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
  });
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** CPU seconds (user + system) the process has used. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

async function client(url: string): Promise<Socket> {
  const socket = connectClient(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

/** 100 clients each receiving 8 commands at 10 Hz: the gateway's CPU, RSS and event-loop delay. */
async function hundredClients(rows: Row[], seconds: number, liteMode: boolean): Promise<void> {
  const rates = EIGHT.map((name) => `    ${name}: 10hz`).join('\n');
  const gateway = await runGateway(`watch:\n  commands:\n${rates}\n  callbacks: [{ emit: { event: v } }]\n`, liteMode);
  const sockets = await Promise.all(Array.from({ length: 100 }, () => client(gateway.url)));
  let received = 0;
  for (const socket of sockets) socket.on('v', () => received++);
  await new Promise((r) => setTimeout(r, 1000));
  await fetch(`${gateway.url}/metrics`); // resets the event-loop histogram
  const pid = gateway.child.pid!;
  const cpuBefore = cpuSeconds(pid);
  const countBefore = received;
  const start = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const elapsed = (performance.now() - start) / 1000;
  const cpu = ((cpuSeconds(pid) - cpuBefore) / elapsed) * 100;
  const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
  const p99 = /obdio_event_loop_delay_seconds\{quantile="0.99"\} ([\d.e+-]+)/.exec(metrics)?.[1];
  const mode = liteMode ? ', --lite-mode' : '';
  rows.push({
    link: 'proc',
    figure: `100 clients × 8 cmds @ 10 Hz${mode}: values/s delivered`,
    value: ((received - countBefore) / elapsed).toFixed(0),
  });
  rows.push({ link: 'proc', figure: '  gateway CPU', value: `${cpu.toFixed(0)} %` });
  rows.push({ link: 'proc', figure: '  gateway RSS (MB)', value: rssMb(pid).toFixed(1) });
  rows.push({ link: 'proc', figure: '  event-loop delay p99 (ms)', value: p99 ? (Number(p99) * 1000).toFixed(1) : 'n/a' });
  for (const socket of sockets) socket.disconnect();
  await gateway.stop();
}

export async function processFigures(rows: Row[], seconds: number): Promise<void> {
  await hundredClients(rows, seconds, false);
  await hundredClients(rows, seconds, true);
}
