import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { SerialPort } from 'serialport';
import { io as connectClient } from 'socket.io-client';
import { serveSimulator } from '../../src/sim/serve.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { openPtyPair } from '../helpers/pty.js';

/** A terminal's log format (the tests' stdout is a pipe, where the default is JSON lines). */
const TERMINAL = ['--log-format', 'pretty'];
/** Starts of the pretty format's lines: time and level. */
const INFO = String.raw`^\d\d:\d\d:\d\d\.\d{3} INFO  `;
const ERROR = String.raw`^\d\d:\d\d:\d\d\.\d{3} ERROR `;

let dir: string;
async function config(name: string, yaml: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, yaml);
  return file;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `condition` every 20 ms for up to 30 s. */
async function waitUntil(condition: () => boolean, failure: () => string): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(failure());
}

/** Ctrl-C, then the exit code. */
async function interrupt(run: CliRun): Promise<number | null> {
  run.signal('SIGINT');
  return run.exited;
}

describe('the CLI in a terminal: start-up summary, usual failures, shutdown', { concurrency: 2 }, () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'obdio-cli-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('on the simulator: a readable summary, then Ctrl-C tells clients and exits 0; the token never shows', async () => {
    const token = 'tok-51c0ffee9d2b7a44';
    const file = await config(
      'sim.yaml',
      'server: { port: 0, auth: { token: "${OBDIO_TEST_TOKEN}" } }\nwatch:\n  commands: { RPM: 10hz, SPEED: ~ }\n',
    );
    const run = runCli([file, '--no-watch', ...TERMINAL], { OBDIO_TEST_TOKEN: token });
    try {
      await run.waitFor(new RegExp(`${INFO}obdio-gateway \\d+\\.\\d+\\.\\d+: config ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`));
      const listening = await run.waitFor(new RegExp(`${INFO}listening on http://127\\.0\\.0\\.1:\\d+$`));
      await run.waitFor(new RegExp(`${INFO}watching RPM 10 Hz, SPEED$`));
      // Progress while the adapter searches the protocol (seconds on a real car).
      await run.waitFor(new RegExp(`${INFO}adapter: searching for the vehicle protocol \\(ATSP0, 0100\\): this can take several seconds$`));
      await run.waitFor(
        new RegExp(
          `${INFO}adapter ready on sim: ELM327 v1\\.5, ISO 15765-4 \\(CAN 11/500\\), VIN [A-HJ-NPR-Z0-9]{17}, \\d+ supported commands, \\d+\\.\\d V$`,
        ),
      );
      for (const line of run.lines) assert.doesNotMatch(line, /[{}]/, `no JSON in the usual lines: ${line}`);

      const url = /(http:\/\/\S+)$/.exec(listening)![1];
      const client = connectClient(url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
      await new Promise<void>((resolve, reject) => {
        client.once('connect', () => resolve());
        client.once('connect_error', reject);
      });
      const told = new Promise<unknown>((resolve) => client.once('obdio:shutdown', resolve));
      const started = performance.now();
      const code = await interrupt(run);
      const took = performance.now() - started;
      assert.equal(code, 0);
      assert.deepEqual(await told, { reason: 'SIGINT' });
      client.disconnect();
      assert.ok(run.lines.some((line) => /SIGINT: shutting down/.test(line)));
      assert.ok(
        run.lines.some((line) => new RegExp(`${INFO}stopped$`).test(line)),
        run.text(),
      );
      // A liveness bound, not a benchmark: the deadline inside is 0.8 s.
      assert.ok(took < 5000, `exit took ${took.toFixed(0)} ms`);
      assert.ok(!run.text().includes('tok-51c0'), `the token leaked:\n${run.text()}`);
    } finally {
      await run.kill();
    }
  });

  test('validate: a signal-set command the gateway cannot serve is a warning at file:line:col (exit 0); --strict makes it exit 1', async () => {
    const signals = join(dir, 'car.json');
    await writeFile(
      signals,
      '{ "commands": [\n' +
        '  { "hdr": "7E4", "rax": "7EC", "cmd": { "22": "0101" }, "freq": 1, "signals": [ { "id": "4WD_SOC", "name": "SOC", "fmt": { "len": 8, "max": 100, "unit": "percent" } } ] },\n' +
        '  { "hdr": "7E0", "proto": "9141-2", "cmd": { "21": "01" }, "freq": 1, "signals": [ { "id": "KLINE", "name": "K", "fmt": { "len": 8, "max": 255, "unit": "scalar" } } ] }\n' +
        '] }\n',
    );
    const file = await config('validate.yaml', 'commands_from: [car.json]\nvehicle: { model_year: 2021 }\nwatch:\n  commands: [4WD_SOC]\n');
    const plain = runCli(['validate', file]);
    assert.equal(await plain.exited, 0, plain.text());
    assert.ok(
      plain.lines.includes(
        `warning: ${signals}:3:28 commands[1].proto: protocol "9141-2": the gateway talks to the car over the one protocol the adapter found (CAN), and cannot switch per command; this command is left out`,
      ),
      plain.text(),
    );
    assert.ok(plain.lines.includes(`${file}: ok, 1 warning`), plain.text());
    const strict = runCli(['validate', '--strict', file]);
    assert.equal(await strict.exited, 1, strict.text());
    assert.ok(strict.lines.includes(`${file}: 1 warning (--strict: not ok)`), strict.text());
  });

  test('a hung adapter does not hold up the exit', async () => {
    const sim = await serveSimulator('tcp://127.0.0.1:0');
    const file = await config('hung.yaml', `server: { port: 0 }\nconnection: { port: '${sim.address}' }\nwatch: { commands: [RPM] }\n`);
    const run = runCli([file, '--no-watch', ...TERMINAL]);
    try {
      await run.waitFor(/adapter ready on tcp:/);
      sim.elm.silent();
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(await interrupt(run), 0);
    } finally {
      await run.kill();
      await sim.close();
    }
  });

  test('a missing device: the error says so and lists what to do; the gateway keeps retrying', async () => {
    const file = await config(
      'missing.yaml',
      'server: { port: 0 }\nconnection: { port: /dev/ttyUSB97, reconnect: { min_delay: 200ms, max_delay: 1s } }\n',
    );
    const run = runCli([file, '--no-watch', ...TERMINAL]);
    try {
      const line = await run.waitFor(new RegExp(`${ERROR}adapter: /dev/ttyUSB97: no such device\\. `));
      assert.match(line, /(Serial ports found: .*Fix: set connection\.port)|(No serial ports found on this machine: plug the adapter in)/);
      await run.waitFor(/will keep trying every 0\.2 s to 1\.0 s/);
      assert.equal(run.child.exitCode, null, 'still running, waiting for the adapter');
      assert.equal(await interrupt(run), 0);
      assert.equal(run.lines.filter((l) => l.includes('no such device')).length, 1, 'the same failure is not repeated on every retry');
    } finally {
      await run.kill();
    }
  });

  test('a busy serial port: the error names the cause and the fix', async () => {
    const pty = await openPtyPair();
    const holder = new SerialPort({ path: pty.b, baudRate: 38400, autoOpen: false });
    await new Promise<void>((resolve, reject) => holder.open((err) => (err ? reject(err) : resolve())));
    const file = await config('busy.yaml', `server: { port: 0 }\nconnection: { port: ${pty.b} }\n`);
    const run = runCli([file, '--no-watch', ...TERMINAL]);
    try {
      const line = await run.waitFor(new RegExp(`${ERROR}adapter: `));
      assert.match(
        line,
        new RegExp(`${pty.b}: port busy, another program has it open\\. Fix: close that program \\(find it with: fuser -v ${pty.b}\\)`),
      );
      assert.equal(await interrupt(run), 0);
    } finally {
      await run.kill();
      await new Promise<void>((resolve) => holder.close(() => resolve()));
      await pty.close();
    }
  });

  test('an address in use: a clear message and exit code 1', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as net.AddressInfo).port;
    const file = await config('inuse.yaml', `server: { port: ${port} }\n`);
    const run = runCli([file, '--no-watch', ...TERMINAL]);
    try {
      const line = await run.waitFor(new RegExp(`${ERROR}port ${port} on 127\\.0\\.0\\.1 is already in use`));
      assert.match(line, new RegExp(`Fix: stop the other program \\(find it with: fuser -v ${port}/tcp\\) or set server\\.port`));
      assert.equal(await run.exited, 1);
    } finally {
      await run.kill();
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  test('sim --car full serves the test-bench car; an unknown car is bad usage', async () => {
    const bad = runCli(['sim', '--listen', 'tcp://127.0.0.1:0', '--car', 'diesel']);
    assert.equal(await bad.exited, 2);
    assert.match(bad.text(), /--car must be petrol or full, not 'diesel'/);

    const run = runCli(['sim', '--listen', 'tcp://127.0.0.1:0', '--car', 'full', ...TERMINAL]);
    try {
      const line = await run.waitFor(/simulated ELM327 listening on tcp:\/\/127\.0\.0\.1:\d+/);
      const port = Number(/:(\d+)$/.exec(line)![1]);
      const socket = net.connect(port, '127.0.0.1');
      let text = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => (text += chunk));
      // PIDs C1-E0: only the test bench declares any (C3, C4); the petrol car has none.
      socket.write('ATE0\r01C0\r');
      for (let i = 0; i < 250 && !/41 C0[^>]*>/.test(text); i++) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.match(text, /41 C0 30 00 00 00/);
      socket.destroy();
    } finally {
      await interrupt(run);
    }
  });

  test('sim on a serial device: the device going away ends it with a clear error and exit code 1', async () => {
    const pty = await openPtyPair();
    const run = runCli(['sim', '--listen', pty.b, ...TERMINAL]);
    try {
      await run.waitFor(/simulated ELM327 listening on \/dev\//);
      await pty.close(); // socat gone: the pty disappears under the simulator
      assert.equal(await run.exited, 1, run.text());
      assert.match(run.text(), new RegExp(`${ERROR}sim: ${pty.b}: the serial device went away`, 'm'));
    } finally {
      await run.kill();
      await pty.close();
    }
  });

  test('a TCP adapter that refuses: the error says refused and what to check', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const file = await config('refused.yaml', `server: { port: 0 }\nconnection: { port: 'tcp://127.0.0.1:${port}' }\n`);
    const run = runCli([file, '--no-watch', ...TERMINAL]);
    try {
      await run.waitFor(new RegExp(`${ERROR}adapter: tcp://127\\.0\\.0\\.1:${port}: connection refused \\(is the adapter on`));
      assert.equal(await interrupt(run), 0);
    } finally {
      await run.kill();
    }
  });

  test('started through npm (npx) whose launcher dies without passing SIGTERM on: the gateway stops by itself', async () => {
    const file = await config('npx.yaml', 'server: { port: 0 }\n');
    // What npx does: a shell between npm and the gateway; killing it orphans the gateway.
    const shell = spawn(
      'sh',
      ['-c', `"${process.execPath}" --import tsx src/cli.ts "${file}" --no-watch ${TERMINAL.join(' ')} & echo $!; wait`],
      {
        cwd: ROOT,
        env: { ...process.env, npm_lifecycle_event: 'npx' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    shell.stdout.setEncoding('utf8');
    const pid = await new Promise<number>((resolve) => {
      shell.stdout.on('data', (text: string) => {
        output += text;
        const first = /^(\d+)\n/.exec(output);
        if (first) resolve(Number(first[1]));
      });
    });
    try {
      await waitUntil(
        () => /adapter ready on sim/.test(output),
        () => `the gateway did not start:\n${output}`,
      );
      shell.kill('SIGKILL');
      await waitUntil(
        () => !isRunning(pid),
        () => `the orphaned gateway ${pid} still runs:\n${output}`,
      );
      assert.match(output, /INFO {2}npm exited: shutting down/);
      assert.match(output, /INFO {2}stopped/);
    } finally {
      if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  test('not on a terminal, LOG_LEVEL=trace: every line is a JSON object; the auth token never appears', async () => {
    const token = 'tok-7f3a9c1e5b2d4a68';
    const file = await config('token.yaml', 'server:\n  port: 0\n  auth: { token: "${OBDIO_TEST_TOKEN}" }\nwatch: { commands: [RPM] }\n');
    const run = runCli([file, '--no-watch'], { OBDIO_TEST_TOKEN: token, LOG_LEVEL: 'trace' });
    try {
      const listening = await run.waitFor(/listening on http:\/\/127\.0\.0\.1:\d+/);
      await run.waitFor(/adapter ready on sim/);
      const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(listening)![1];
      // A client with the right token and one with a wrong one, so the handshake paths run too.
      for (const auth of [{ token }, { token: `${token}-wrong` }]) {
        const client = connectClient(url, { transports: ['websocket'], reconnection: false, forceNew: true, auth });
        await new Promise<void>((resolve) => {
          client.once('connect', () => resolve());
          client.once('connect_error', () => resolve());
        });
        client.emit('query', 'RPM');
        await new Promise((resolve) => setTimeout(resolve, 100));
        client.disconnect();
      }
      assert.equal(await interrupt(run), 0);
      assert.ok(run.lines.length > 10, run.text());
      const levels = new Set<unknown>();
      const components = new Map<unknown, string[]>();
      for (const line of run.lines) {
        const record = JSON.parse(line) as { msg?: unknown; level?: unknown; component?: unknown };
        assert.equal(typeof record.msg, 'string', line);
        assert.equal(typeof record.level, 'number', line);
        levels.add(record.level);
        components.set(record.component, [...(components.get(record.component) ?? []), record.msg as string]);
      }
      assert.ok(levels.has(20), `LOG_LEVEL=trace lets debug lines through:\n${run.text()}`);
      // Each part logs with its component field, not a prefix in the text.
      assert.ok(
        components.get('adapter')?.some((msg) => msg.startsWith('adapter ready on sim')),
        run.text(),
      );
      assert.ok(
        components.get('server')?.some((msg) => msg === 'client connected'),
        run.text(),
      );
      assert.ok(!run.text().includes('tok-7f3a'), `the token leaked:\n${run.text()}`);
    } finally {
      await run.kill();
    }
  });
});
