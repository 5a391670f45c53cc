import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { io as connectClient, type Socket } from 'socket.io-client';
import type { Gateway, ReloadResult } from '../../src/gateway.js';
import { collect, connect, next, nextMatching, startGateway } from '../helpers/gateway.js';

interface WireResponse {
  value: unknown;
  command: { name: string };
  time: number;
}

const FIRST = `
watch:
  commands: [RPM]
  interval: 0.02
  callbacks:
    - emit: { event: raw }
`;

describe('hot reload of obdio.yaml while a client streams', () => {
  let dir: string;
  let file: string;
  let gateway: Gateway;
  let client: Socket;
  const values: WireResponse[] = [];
  let disconnects = 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'obdio-reload-'));
    file = join(dir, 'obdio.yaml');
    await writeFile(file, FIRST);
    gateway = await startGateway(FIRST, file);
    client = await connect(gateway);
    client.on('disconnect', () => disconnects++);
    client.on('obdio:value', (value: WireResponse) => values.push(value));
    assert.equal(await client.emitWithAck('obdio:subscribe'), true);
  });
  after(async () => {
    client.disconnect();
    await gateway.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('a saved change applies: new watch list and callback, same socket, no gap in values', async () => {
    await next(client, 'raw'); // the first config streams on raw
    const id = client.id;
    const applied = next<ReloadResult>(client, 'obdio:config');
    await writeFile(
      file,
      `
watch:
  commands: [RPM, SPEED]
  interval: 0.02
  callbacks:
    - emit: { event: live }
`,
    );
    assert.deepEqual(await applied, { ok: true, changed: ['watch'] });
    await nextMatching<WireResponse>(client, 'live', (r) => r.command.name === 'SPEED'); // SPEED is watched after the reload
    assert.equal((await collect(client, 'raw', 200)).length, 0, 'the old callback is gone');
    assert.equal(client.id, id);
    assert.equal(disconnects, 0);
    // RPM kept flowing through the reload: no hole much longer than the polling interval.
    const rpmTimes = values.filter((v) => v.command.name === 'RPM').map((v) => v.time);
    const gaps = rpmTimes.slice(1).map((t, i) => t - rpmTimes[i]!);
    assert.ok(rpmTimes.length > 10 && Math.max(...gaps) < 1000, `largest gap ${Math.max(...gaps)} ms`);
  });

  test('an invalid save is reported with line and column; the running config stays', async () => {
    const rejected = next<ReloadResult>(client, 'obdio:config');
    await writeFile(file, 'watch:\n  commands: [RPM\n  interval: 0.02\n');
    const result = await rejected;
    assert.equal(result.ok, false);
    const [error] = (result as Extract<ReloadResult, { ok: false }>).errors;
    assert.equal(error!.file, file);
    assert.ok(error!.line >= 2 && error!.col >= 1, JSON.stringify(error));
    await next(client, 'live'); // the previous config still streams

    const unknown = next<ReloadResult>(client, 'obdio:config');
    await writeFile(file, 'watch:\n  commands: [RPM, SPEEED]\n');
    const bad = (await unknown) as Extract<ReloadResult, { ok: false }>;
    assert.equal(bad.ok, false);
    assert.deepEqual([bad.errors[0]!.line, bad.errors[0]!.col], [2, 19]);
    assert.match(bad.errors[0]!.message, /SPEEED.*did you mean 'SPEED'/);
  });

  test('an editor-style atomic save (write a temp file, rename it over) applies; a new client hears the last result', async () => {
    const applied = next<ReloadResult>(client, 'obdio:config');
    const temp = join(dir, '.obdio.yaml.swp');
    await writeFile(temp, `${FIRST}events:\n  disable: [close]\n`);
    await rename(temp, file);
    assert.deepEqual(await applied, { ok: true, changed: ['events', 'watch'] });
    const ack = (await client.emitWithAck('close')) as { error: { code: string } };
    assert.equal(ack.error.code, 'EVENT_DISABLED');
    const late = connectClient(gateway.url, { transports: ['websocket'], forceNew: true, autoConnect: false });
    const last = next<ReloadResult>(late, 'obdio:config');
    late.connect();
    assert.equal((await last).ok, true);
    late.disconnect();
  });
});
