/**
 * Real brokers for integration tests: Debian's mosquitto and redis-server, each started on a
 * free loopback port from a config file in a temporary folder (127.0.0.1 only, nothing kept on
 * disk), and stopped by the PID this helper started. restart() stops and starts the same broker
 * on the same port, as a broker that goes away and comes back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const MOSQUITTO = '/usr/sbin/mosquitto';
export const REDIS_SERVER = '/usr/bin/redis-server';

export interface Broker {
  readonly port: number;
  readonly url: string;
  /** PID of the running broker process (changes on restart). */
  readonly pid: number | undefined;
  /** Stops the broker (SIGTERM, then SIGKILL); the port stays reserved for restart(). */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Stops it and removes its temporary folder. */
  stop(): Promise<void>;
}

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on the port; rejects after `ms`. */
async function waitForPort(port: number, ms: number, child: ChildProcess, name: string, log: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}: ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`${name} did not listen on ${port} within ${ms} ms: ${log()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function stopChild(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  }, 3000);
  await exited;
  clearTimeout(timer);
}

async function startBroker(
  name: string,
  binary: string,
  scheme: string,
  config: (port: number, dir: string) => string,
  args: (file: string) => string[],
): Promise<Broker> {
  if (!existsSync(binary)) throw new Error(`${binary} is missing: apt-get install ${name}`);
  const dir = await mkdtemp(join(tmpdir(), `obdio-${name}-`));
  const port = await freePort();
  const file = join(dir, `${name}.conf`);
  await writeFile(file, config(port, dir));
  let child: ChildProcess | null = null;
  let output = '';
  const broker: Broker = {
    port,
    url: `${scheme}://127.0.0.1:${port}`,
    get pid() {
      return child?.pid;
    },
    async start() {
      output = '';
      child = spawn(binary, args(file), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
      child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
      await waitForPort(port, 10_000, child, name, () => output);
    },
    async kill() {
      await stopChild(child);
      child = null;
    },
    async restart() {
      await broker.kill();
      await broker.start();
    },
    async stop() {
      await broker.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await broker.start();
  return broker;
}

/**
 * mosquitto 2 on 127.0.0.1:<free port>, anonymous clients allowed. With `persistence`, retained
 * messages and persistent sessions survive a restart (saved in the temporary folder).
 */
export function startMosquitto(options: { persistence?: boolean } = {}): Promise<Broker> {
  return startBroker(
    'mosquitto',
    MOSQUITTO,
    'mqtt',
    (port, dir) =>
      [
        `listener ${port} 127.0.0.1`,
        // Run as whoever runs the tests (as root mosquitto would switch to its own user and lose the folder).
        `user ${userInfo().username}`,
        'allow_anonymous true',
        ...(options.persistence ? ['persistence true', `persistence_location ${dir}/`] : ['persistence false']),
        'log_dest stderr',
        'log_type error',
        'log_type warning',
        '',
      ].join('\n'),
    (file) => ['-c', file],
  );
}

/** redis-server on 127.0.0.1:<free port>, nothing saved to disk. */
export function startRedis(): Promise<Broker> {
  return startBroker(
    'redis',
    REDIS_SERVER,
    'redis',
    (port, dir) =>
      [
        `port ${port}`,
        'bind 127.0.0.1',
        'protected-mode yes',
        'save ""',
        'appendonly no',
        `dir ${dir}`,
        'daemonize no',
        'loglevel warning',
        '',
      ].join('\n'),
    (file) => [file],
  );
}
