/**
 * Start-up and idle memory of the CLI as a user runs it: `node bin/obdio-gateway.js ...` with no
 * node flags (npx, a service and a container pass none), each in a fresh process. Times run from
 * the spawn, so they include node's own boot; the median of a few runs is printed.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connectClient } from 'socket.io-client';
import { freePort } from '../test/helpers/brokers.js';
import { withServerPort } from '../test/helpers/server-port.js';
import type { Row } from './row.js';

const CLI = new URL('../bin/obdio-gateway.js', import.meta.url).pathname;
const REPO_CONFIG = new URL('../obdio.yaml', import.meta.url).pathname;
const RUNS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Milliseconds from spawning `node CLI ...args` to its exit (it must exit 0). */
function timeToExit(args: string[]): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) =>
      code === 0 ? resolve(performance.now() - started) : reject(new Error(`${args.join(' ')} exited with ${code}`)),
    );
  });
}

/** The repository's obdio.yaml, as a new user runs it, on a free port. */
async function repoConfigOnFreePort(): Promise<{ file: string; port: number; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'obdio-startup-'));
  const port = await freePort();
  const file = join(dir, 'obdio.yaml');
  await writeFile(file, withServerPort(readFileSync(REPO_CONFIG, 'utf8'), port));
  return { file, port, dispose: () => rm(dir, { recursive: true, force: true }) };
}

function kill(child: ReturnType<typeof spawn>): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  return exited;
}

/**
 * Milliseconds from spawning the gateway on the repository's obdio.yaml (the simulated car) to a
 * client's first answer to `query RPM` with a value. The client tries to connect every 5 ms until
 * the server listens, and asks again every 5 ms while the adapter is still starting (the answer
 * is then NOT_CONNECTED), as a dashboard or script that starts with the gateway would.
 */
async function timeToFirstAnswer(): Promise<number> {
  const config = await repoConfigOnFreePort();
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, config.file, '--no-watch'], { stdio: 'ignore' });
  try {
    const socket = connectClient(`http://127.0.0.1:${config.port}`, {
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelay: 5,
      reconnectionDelayMax: 5,
    });
    try {
      for (;;) {
        const answer = (await socket.timeout(10_000).emitWithAck('query', 'RPM')) as { value?: unknown; error?: { code: string } };
        if (typeof answer.value === 'number') return performance.now() - started;
        if (answer.error?.code !== 'NOT_CONNECTED') throw new Error(`query RPM answered ${JSON.stringify(answer)}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    } finally {
      socket.disconnect();
    }
  } finally {
    await kill(child);
    await config.dispose();
  }
}

/** RSS of the gateway on the repository's obdio.yaml with no client, after `settleMs`. */
async function idleRssMb(settleMs: number): Promise<number> {
  const config = await repoConfigOnFreePort();
  const child = spawn(process.execPath, [CLI, config.file], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, settleMs));
    if (child.exitCode !== null) throw new Error(`the gateway exited with ${child.exitCode}`);
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } finally {
    await kill(child);
    await config.dispose();
  }
}

async function medianOf(runs: number, measure: () => Promise<number>): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < runs; i++) values.push(await measure());
  return median(values);
}

export async function startupFigures(rows: Row[]): Promise<void> {
  const help = await medianOf(RUNS, () => timeToExit(['--help']));
  rows.push({ link: 'cli', figure: 'node start → `--help` done, median (ms; goal ≤ 150)', value: help.toFixed(0) });
  const validate = await medianOf(RUNS, () => timeToExit(['validate', REPO_CONFIG]));
  rows.push({ link: 'cli', figure: 'node start → `validate obdio.yaml` done, median (ms; goal ≤ 300)', value: validate.toFixed(0) });
  const answer = await medianOf(RUNS, timeToFirstAnswer);
  rows.push({ link: 'cli', figure: 'node start → simulator answers a client, median (ms; goal ≤ 400)', value: answer.toFixed(0) });
  // RSS varies by a few MB between runs (when V8 and malloc give pages back): the median of five.
  const rss = await medianOf(5, () => idleRssMb(8000));
  rows.push({ link: 'cli', figure: 'idle RSS, obdio.yaml, no node flags, no client (MB; goal ≤ 70)', value: rss.toFixed(1) });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows: Row[] = [];
  await startupFigures(rows);
  for (const row of rows) console.log(`${row.figure}: ${row.value}`);
}
