/**
 * What each command loads of the package's dependencies (start-up time and idle memory follow
 * from it; `npm run bench` measures those): `--help` nothing, `validate` only the config checks,
 * and a gateway on the repository's obdio.yaml none of the optional parts its config does not use.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { withServerPort } from '../helpers/server-port.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TRACER = fileURLToPath(new URL('../helpers/trace-loads.mjs', import.meta.url));
const DEPENDENCIES = Object.keys(
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies,
);
/** Loaded only when a config asks for them. */
const OPTIONAL = ['koa-static', 'koa-send', 'handlebars', 'mqtt', '@redis/client', '@socket.io/redis-adapter', 'prom-client', 'serialport'];

let dir: string;

/** Runs the CLI (sources, through tsx) until it exits or `until` matches its output; returns the dependencies it loaded. */
async function dependenciesLoaded(args: string[], until?: RegExp): Promise<string[]> {
  const trace = join(dir, `trace-${Math.random().toString(36).slice(2)}.txt`);
  await writeFile(trace, '');
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', TRACER, 'src/cli.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, OBDIO_TRACE_LOADS: trace },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (until) {
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (until.test(output)) resolve();
      };
      child.stdout.on('data', check);
      void exited.then((code) => reject(new Error(`exited with ${code} before ${until}:\n${output}`)));
    });
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0, output);
  const lines = (await readFile(trace, 'utf8')).split('\n');
  return DEPENDENCIES.filter((name) => lines.some((line) => line.includes(`/node_modules/${name}/`)));
}

describe('what each command loads', { concurrency: 3 }, () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'obdio-loads-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('--help and --version: none of the dependencies', async () => {
    assert.deepEqual(await dependenciesLoaded(['--help']), []);
    assert.deepEqual(await dependenciesLoaded(['--version']), []);
  });

  test('validate: the YAML parser and the validator runtime only', async () => {
    assert.deepEqual(await dependenciesLoaded(['validate', join(ROOT, 'obdio.yaml')]), ['ajv', 'yaml']);
  });

  test('the repository obdio.yaml on the simulator: no static serving, templates, MQTT, Redis, Prometheus or serial port', async () => {
    const config = join(dir, 'obdio.yaml');
    await writeFile(config, withServerPort(readFileSync(join(ROOT, 'obdio.yaml'), 'utf8'), 0));
    const loaded = await dependenciesLoaded([config, '--no-watch'], /adapter ready on sim/);
    assert.ok(loaded.includes('socket.io') && loaded.includes('koa'), `the server is loaded: ${loaded.join(', ')}`);
    assert.deepEqual(
      loaded.filter((name) => OPTIONAL.includes(name)),
      [],
    );
  });
});
