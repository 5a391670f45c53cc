/**
 * The deployment files (Dockerfile, compose.yaml, deploy/): what can be checked on a machine
 * without a Docker engine is checked for real (the image's health check against a running
 * gateway, the image's configs through the gateway's loader, the unit through
 * `systemd-analyze verify`, SIGTERM to the CLI as PID 1 of its own PID namespace, as in a
 * container); the image build itself is test/docker/ (npm run test:docker), for a machine with
 * a Docker engine.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { io as connectClient } from 'socket.io-client';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../src/load-config.js';
import { runCli, type CliRun } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
/** The address the gateway prints, in the pretty format or inside a JSON line (off a terminal). */
const LISTENING = /listening on (http:\/\/[^\s"]+)/;

interface Instruction {
  name: string;
  args: string;
  line: number;
}

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function dockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending: Instruction | null = null;
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const continued = line.endsWith('\\');
    const body = continued ? line.slice(0, -1).trim() : line;
    if (pending) pending.args += ` ${body}`;
    else {
      const [, name, args] = /^(\S+)\s*(.*)$/.exec(body)!;
      pending = { name: name!.toUpperCase(), args: args!, line: index + 1 };
    }
    if (!continued) {
      instructions.push(pending);
      pending = null;
    }
  }
  return instructions;
}

/** An exec-form argument list (a JSON array of strings); null for the shell form. */
function execForm(args: string): string[] | null {
  try {
    const list = JSON.parse(args) as unknown;
    return Array.isArray(list) && list.every((item) => typeof item === 'string') ? list : null;
  } catch {
    return null;
  }
}

/** The keys of a systemd unit: section -> key -> values (a key may repeat). */
function unitKeys(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let section: Map<string, string[]> | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = new Map();
      sections.set(header[1]!, section);
      continue;
    }
    const [, key, value] = /^([A-Za-z]+)=(.*)$/.exec(line) ?? [];
    assert.ok(section && key !== undefined, `not a unit line: ${line}`);
    section.set(key, [...(section.get(key) ?? []), value!]);
  }
  return sections;
}

const START_FLAGS = /^node ((?:--\S+ ?)*)/
  .exec((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start)![1]!
  .trim()
  .split(' ')
  .filter((flag) => flag !== '');

/** Runs the image's health check script against `url`: its exit code and what it printed. */
async function healthCheck(url: string): Promise<{ code: number; output: string }> {
  const options = { env: { ...process.env, OBDIO_HEALTH_URL: url }, timeout: 10_000 };
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'deploy/docker/healthcheck.mjs')], options);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

let dir: string;

describe('deployment: Dockerfile, compose file, systemd unit, signals', { concurrency: 2 }, () => {
  const instructions = dockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  const stages = instructions.reduce<Instruction[][]>((list, instruction) => {
    if (instruction.name === 'FROM') list.push([]);
    list.at(-1)?.push(instruction);
    return list;
  }, []);
  const runtime = stages.at(-1)!;
  const only = (name: string): Instruction => {
    const found = runtime.filter((i) => i.name === name);
    assert.equal(found.length, 1, `the runtime stage has one ${name}`);
    return found[0]!;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'obdio-deploy-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('Dockerfile: a build stage and a non-root runtime stage that runs node directly, exec form', () => {
    assert.ok(stages.length >= 2, 'multi-stage');
    const builder = /^(\S+) AS (\S+)$/i.exec(stages[0]![0]!.args);
    assert.ok(builder, `the first stage is named: FROM ${stages[0]![0]!.args}`);
    assert.ok(
      stages[0]!.some((i) => i.name === 'RUN' && /npm run build/.test(i.args)),
      'the build stage compiles',
    );
    const copied = runtime.filter((i) => i.name === 'COPY' && i.args.startsWith(`--from=${builder[2]} `));
    for (const path of ['dist', 'node_modules', 'bin', 'package.json']) {
      assert.ok(
        copied.some((i) => i.args.includes(`/${path}`)),
        `the runtime stage takes ${path} from the build stage`,
      );
    }
    assert.ok(!runtime.some((i) => i.name === 'RUN' && /npm (ci|install)/.test(i.args)), 'no install in the runtime stage');

    const user = only('USER').args;
    assert.ok(!['root', '0', '0:0', 'root:root'].includes(user), `runs as ${user}`);

    const entrypoint = execForm(only('ENTRYPOINT').args);
    assert.ok(entrypoint, 'ENTRYPOINT in exec form, so node is PID 1 and gets the signals');
    assert.equal(entrypoint[0], 'node', 'node itself, not npm, npx or a shell');
    assert.deepEqual(entrypoint.slice(1, -1), START_FLAGS, "the node flags of package.json's start script");
    assert.equal(entrypoint.at(-1), 'bin/obdio-gateway.js');
    assert.ok(existsSync(join(ROOT, entrypoint.at(-1)!)));
    const cmd = execForm(only('CMD').args);
    assert.ok(cmd, 'CMD in exec form');

    // Every file copied from the build context exists and is not excluded by .dockerignore.
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    for (const copy of instructions.filter((i) => i.name === 'COPY' && !i.args.startsWith('--from'))) {
      const sources = copy.args.split(/\s+/).slice(0, -1);
      for (const source of sources.filter((s) => s !== '.')) {
        assert.ok(existsSync(join(ROOT, source)), `Dockerfile:${copy.line}: ${source} exists`);
        assert.ok(!ignored.some((pattern) => source === pattern || source.startsWith(`${pattern}/`)), `${source} is not in .dockerignore`);
      }
    }
  });

  test("Dockerfile: HEALTHCHECK runs the health check script on the gateway's /healthz, on the exposed port", async () => {
    const healthcheck = only('HEALTHCHECK').args;
    const [, options, command] = /^((?:--\S+\s+)*)CMD\s+(.*)$/.exec(healthcheck) ?? [];
    assert.ok(command, `HEALTHCHECK ... CMD [...]: ${healthcheck}`);
    assert.deepEqual(execForm(command), ['node', 'healthcheck.mjs']);
    assert.match(options!, /--start-period=\d+s/, 'time for the adapter to find the car');
    assert.ok(runtime.some((i) => i.name === 'COPY' && i.args === 'deploy/docker/healthcheck.mjs ./'));
    const env = runtime.filter((i) => i.name === 'ENV').map((i) => i.args);
    const healthUrl = new URL(/^OBDIO_HEALTH_URL=(\S+)$/.exec(env.find((e) => e.startsWith('OBDIO_HEALTH_URL=')) ?? '')![1]!);
    assert.equal(healthUrl.pathname, '/healthz');
    assert.equal(only('EXPOSE').args, healthUrl.port);
    const image = await loadConfig(join(ROOT, 'deploy/docker/obdio.yaml'));
    assert.ok(image.ok, JSON.stringify(!image.ok && image.errors));
    assert.equal(String(image.spec.server.port), healthUrl.port, "the image's config listens where the health check asks");
    assert.equal(image.spec.server.host, '0.0.0.0', 'reachable through the published port');
    assert.equal(image.spec.connection.port, '/dev/obd', 'the device passed in with --device <host device>:/dev/obd');
  });

  test("the health check script: 0 while the image's config streams on the simulator, 1 when the adapter is down or nothing answers", async () => {
    const config = (await readFile(join(ROOT, 'deploy/docker/obdio.yaml'), 'utf8')).replace(/^(\s+port:) 48484\b/m, '$1 0');
    const file = join(dir, 'image.yaml');
    await writeFile(file, config);
    const gateway = runCli([file, '--no-watch'], { OBDIO_PORT: 'sim' });
    // No car behind this one: the adapter stays down.
    const down = runCli([file, '--no-watch'], { OBDIO_PORT: 'tcp://127.0.0.1:9' });
    try {
      const url = `${LISTENING.exec(await gateway.waitFor(LISTENING))![1]}/healthz`;
      let result = await healthCheck(url);
      // Until the simulated car has answered a first value the gateway is not ready yet.
      for (let tries = 0; result.code !== 0 && tries < 100; tries++) {
        await new Promise((r) => setTimeout(r, 100));
        result = await healthCheck(url);
      }
      assert.equal(result.code, 0, result.output);
      assert.match(result.output, /^200 ok: values are flowing/);

      const downUrl = `${LISTENING.exec(await down.waitFor(LISTENING))![1]}/healthz`;
      const failed = await healthCheck(downUrl);
      assert.equal(failed.code, 1);
      assert.match(failed.output, /^503 adapter_down: /);
    } finally {
      await Promise.all([gateway.kill(), down.kill()]);
    }
    const nobody = await healthCheck(new URL('/healthz', new URL(LISTENING.exec(gateway.lines.find((l) => LISTENING.test(l))!)![1]!)).href);
    assert.equal(nobody.code, 1, nobody.output);
  });

  test('compose.yaml: the gateway with its device, config, health check and mosquitto, published on 127.0.0.1 only', async () => {
    const compose = parseYaml(readFileSync(join(ROOT, 'compose.yaml'), 'utf8')) as {
      services: Record<string, Record<string, unknown>>;
      volumes?: Record<string, unknown>;
    };
    assert.deepEqual(Object.keys(compose.services).sort(), ['gateway', 'mosquitto']);
    // The parsed YAML, checked field by field below.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const { gateway, mosquitto } = compose.services as Record<string, Record<string, any>>;
    assert.equal(gateway!.build, '.');
    assert.deepEqual(gateway!.depends_on, ['mosquitto']);
    assert.equal(gateway!.devices.length, 1);
    assert.match(
      gateway!.devices[0],
      /^\$\{OBDIO_DEVICE:-\/dev\/\w+\}:\/dev\/obd$/,
      'the host device, chosen by OBDIO_DEVICE, as /dev/obd',
    );
    assert.deepEqual(gateway!.healthcheck.test, ['CMD', ...execForm(/CMD\s+(.*)$/.exec(only('HEALTHCHECK').args)![1]!)!]);
    for (const service of [gateway!, mosquitto!]) {
      for (const port of service.ports as string[]) assert.match(port, /^127\.0\.0\.1:\d+:\d+$/, `${port}: loopback only`);
      // Every file mounted from the repository exists.
      for (const volume of service.volumes as string[]) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./')) assert.ok(existsSync(join(ROOT, source)), `${source} exists`);
        else assert.ok(compose.volumes && source in compose.volumes, `${source} is a declared volume`);
      }
    }
    assert.ok(String(gateway!.stop_grace_period).match(/^\d+s$/));

    // The mounted config loads, publishes to the mosquitto service on the port mosquitto listens on.
    const mount = (gateway!.volumes as string[]).find((v) => v.endsWith(':/config/obdio.yaml:ro'));
    assert.ok(mount, 'the config is mounted over the image default, read-only');
    const loaded = await loadConfig(join(ROOT, mount.split(':')[0]!));
    assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.errors));
    assert.equal(loaded.spec.connection.port, '/dev/obd');
    // Every variable the config reads is passed into the container.
    const used = [...readFileSync(join(ROOT, mount.split(':')[0]!), 'utf8').matchAll(/\$\{(\w+)/g)].map((m) => m[1]!);
    for (const name of new Set(used)) assert.ok(name in gateway!.environment, `compose passes ${name} to the gateway`);
    const broker = new URL(loaded.spec.mqtt!.url);
    assert.equal(broker.hostname, 'mosquitto', 'the compose service by name');
    const conf = (mosquitto!.volumes as string[]).find((v) => v.endsWith(':/mosquitto/config/mosquitto.conf:ro'))!.split(':')[0]!;
    const listener = /^listener (\d+)$/m.exec(readFileSync(join(ROOT, conf), 'utf8'));
    assert.equal(listener?.[1], broker.port || '1883');
    assert.ok((mosquitto!.ports as string[]).some((p) => p.endsWith(`:${listener![1]}`)));
  });

  test('the systemd unit: node on the script directly, as a dialout user, stopped by SIGTERM in time; systemd-analyze verify passes', async () => {
    const text = readFileSync(join(ROOT, 'deploy/systemd/obdio-gateway.service'), 'utf8');
    const unit = unitKeys(text);
    const service = unit.get('Service')!;
    const [execStart] = service.get('ExecStart')!;
    const argv = execStart!.split(/\s+/);
    assert.match(argv[0]!, /^\/\S+\/node$/, 'node by its absolute path (not npm or npx, which keep SIGTERM to themselves)');
    assert.deepEqual(argv.slice(1, 1 + START_FLAGS.length), START_FLAGS);
    assert.match(argv[1 + START_FLAGS.length]!, /\/obdio-gateway\/bin\/obdio-gateway\.js$/);
    assert.equal(service.get('KillSignal')?.[0], 'SIGTERM');
    // The gateway's own stop deadline is 0.8 s; systemd must not SIGKILL it before.
    assert.ok(Number(service.get('TimeoutStopSec')?.[0]) >= 2);
    assert.ok(!['root', '0'].includes(service.get('User')![0]!));
    assert.ok(service.get('SupplementaryGroups')![0]!.split(/\s+/).includes('dialout'), 'serial ports belong to dialout');
    assert.equal(service.get('Restart')?.[0], 'always');
    assert.deepEqual(unit.get('Install')?.get('WantedBy'), ['multi-user.target']);

    const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    assert.equal(analyze.error, undefined, 'systemd-analyze verifies the unit: install systemd (.ci/run does)');
    // This checkout and a config in place of the installed paths, which do not exist here.
    const config = join(dir, 'unit.yaml');
    await writeFile(config, 'watch: { commands: [RPM] }\n');
    const local = text
      .replace(/^ExecStart=\S+/m, `ExecStart=${process.execPath}`)
      .replace(/\S+\/obdio-gateway\/bin\/obdio-gateway\.js/, join(ROOT, 'bin/obdio-gateway.js'))
      .replace('/etc/obdio-gateway/obdio.yaml', config);
    const file = join(dir, 'obdio-gateway.service');
    await writeFile(file, local);
    const verify = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    assert.equal(verify.status, 0, verify.stderr);
    assert.equal(verify.stderr.trim(), '', 'no warning (an unknown key is only a warning)');
  });

  /** SIGTERM while a client is connected: the client is told, the adapter closes, exit 0. */
  async function stopsOnSigterm(cli: CliRun, pid: () => Promise<number>): Promise<void> {
    const url = LISTENING.exec(await cli.waitFor(LISTENING))![1]!;
    await cli.waitFor(/adapter ready on sim/);
    const client = connectClient(url, { transports: ['websocket'], reconnection: false, forceNew: true });
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('connect', resolve);
        client.once('connect_error', reject);
      });
      const told = new Promise<unknown>((resolve) => client.once('obdio:shutdown', resolve));
      process.kill(await pid(), 'SIGTERM');
      assert.equal(await cli.exited, 0, cli.text());
      assert.deepEqual(await told, { reason: 'SIGTERM' });
      assert.ok(
        cli.lines.some((line) => /SIGTERM: shutting down/.test(line)),
        cli.text(),
      );
      assert.ok(
        cli.lines.some((line) => /\bstopped(?:"\}|$)/.test(line)),
        cli.text(),
      );
    } finally {
      client.disconnect();
      await cli.kill();
    }
  }

  test('SIGTERM (systemctl stop) stops the CLI cleanly: clients told, exit 0', async () => {
    const file = join(dir, 'term.yaml');
    await writeFile(file, 'server: { port: 0 }\nwatch: { commands: [RPM] }\n');
    const cli = runCli([file, '--no-watch']);
    await stopsOnSigterm(cli, async () => cli.child.pid!);
  });

  test('as PID 1 of its own PID namespace (docker run): SIGTERM still stops it cleanly', async () => {
    // PID 1 gets no default signal actions: only a signal it handles itself reaches it.
    const probe = spawnSync('unshare', ['--pid', '--fork', '--kill-child', 'true']);
    assert.equal(probe.status, 0, `a PID namespace is needed (unshare from util-linux, as root): ${probe.stderr || probe.error}`);
    const file = join(dir, 'pid1.yaml');
    await writeFile(file, 'server: { port: 0 }\nwatch: { commands: [RPM] }\n');
    const cli = runCli([file, '--no-watch'], {}, ['unshare', '--pid', '--fork', '--kill-child']);
    await stopsOnSigterm(cli, async () => {
      // unshare's child is the CLI: PID 1 inside its namespace (the last NSpid field).
      const children = readFileSync(`/proc/${cli.child.pid}/task/${cli.child.pid}/children`, 'utf8').trim().split(' ');
      assert.equal(children.length, 1);
      const nsPids = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${children[0]}/status`, 'utf8'))![1]!.split(/\s+/);
      assert.equal(nsPids.at(-1), '1', 'the CLI is PID 1 in its namespace');
      return Number(children[0]);
    });
  });
});
