/**
 * An equation too deep for any parser, saved into a running gateway's config or given to
 * `validate`: the user hears about it at file:line:col (a log line and an `obdio:config` error,
 * or one line on stderr), never a stack trace, and the gateway keeps its running config.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Socket } from 'socket.io-client';
import { Gateway, type ReloadResult } from '../../src/gateway.js';
import { parseConfig } from '../../src/load-config.js';
import { createLogger } from '../../src/log.js';
import { runCli } from '../helpers/cli.js';
import { connect, next, onFreePort } from '../helpers/gateway.js';

const GOOD = `commands:\n  SOC:\n    request: "220101"\n    header: 7E4\n    equation: A/2\ncommands_from: [car.json]\n`;
const DEEP = `commands:\n  SOC:\n    request: "220101"\n    header: 7E4\n    equation: "${'('.repeat(5000)}A${')'.repeat(5000)}"\ncommands_from: [car.json]\n`;
const CAR = JSON.stringify({ data_commands: { command: ['220105'] }, soh: { equation: 'A/2', command: '220105', ecu: '7E4' } });

describe('a too-deep equation saved into a running gateway', () => {
  let dir: string;
  let file: string;
  let gateway: Gateway;
  let client: Socket;
  const lines: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'obdio-untrusted-'));
    file = join(dir, 'obdio.yaml');
    await writeFile(join(dir, 'car.json'), CAR);
    await writeFile(file, GOOD);
    const loaded = parseConfig(GOOD, file, {});
    assert.ok(loaded.ok);
    const logger = createLogger('json', 'info', { output: { write: (text: string) => lines.push(text) } });
    gateway = await Gateway.start(loaded.spec, { registry: loaded.registry, adjust: onFreePort, watchConfig: true, logger });
    await gateway.ready();
    client = await connect(gateway);
  });
  after(async () => {
    client.disconnect();
    await gateway.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('gives a log line and an obdio:config error at file:line:col; the previous commands keep working', async () => {
    const rejected = next<ReloadResult>(client, 'obdio:config');
    await writeFile(file, DEEP);
    const result = await rejected;
    assert.equal(result.ok, false);
    const [error, ...rest] = (result as Extract<ReloadResult, { ok: false }>).errors;
    assert.deepEqual(rest, []);
    assert.deepEqual([error!.file, error!.line], [file, 5]);
    assert.ok(error!.col > 0);
    assert.match(error!.message, /commands\.SOC\.equation: the equation is 10001 characters long; at most 2000 are accepted/);

    const logged = lines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((record) => record.level >= 50);
    assert.ok(
      logged.some((record) => record.msg.startsWith(`config not applied: ${file}:5:${error!.col} commands.SOC.equation:`)),
      `an error log line names the place: ${JSON.stringify(logged)}`,
    );
    assert.ok(!lines.some((line) => line.includes('RangeError')), 'no stack overflow anywhere in the log');
    assert.ok(gateway.service.command('SOC'), 'the running config still has its command');
  });

  test('a downloaded file saved nested 100000 deep: an obdio:config error at its line:col; its commands keep working', async () => {
    const applied = next<ReloadResult>(client, 'obdio:config');
    await writeFile(file, GOOD);
    assert.equal((await applied).ok, true);
    const car = join(dir, 'car.json');
    const rejected = next<ReloadResult>(client, 'obdio:config');
    await writeFile(car, `{"data_commands": {"command": []},\n "soh": ${'['.repeat(100000)}${']'.repeat(100000)}}`);
    const result = await rejected;
    assert.equal(result.ok, false);
    const [error] = (result as Extract<ReloadResult, { ok: false }>).errors;
    assert.deepEqual([error!.file, error!.line, error!.col], [car, 2, 40]);
    assert.match(error!.message, /the JSON nests deeper than 32 levels here/);
    assert.ok(
      lines.some((line) => line.includes(`config not applied: ${car}:2:40`)),
      'logged with its place',
    );
    assert.ok(gateway.service.command('ABRP_SOH'), "the running config keeps the file's previous commands");
  });
});

test('validate prints the error at file:line:col on one line, without a stack trace, and exits 1', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'obdio-untrusted-cli-'));
  const file = join(dir, 'obdio.yaml');
  await writeFile(join(dir, 'car.json'), CAR);
  await writeFile(file, DEEP);
  try {
    const run = runCli(['validate', file]);
    assert.equal(await run.exited, 1);
    const output = run.lines.filter((line) => line.trim() !== '');
    assert.equal(output.length, 1, output.join('\n'));
    assert.match(output[0]!, new RegExp(`^${file}:5:\\d+ commands\\.SOC\\.equation: the equation is 10001 characters long`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
