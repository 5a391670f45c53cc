/**
 * Custom commands end to end: the simulated car (with a battery ECU on 7E4 and a charger on
 * 7E2) served on one end of a real pty, the gateway on the other, a Socket.IO client asking.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Socket } from 'socket.io-client';
import type { Gateway, ReloadResult } from '../../src/gateway.js';
import { serveSimulator, type SimulatorServer } from '../../src/sim/serve.js';
import { collectUntil, connect, next, nextMatching, request, startGateway } from '../helpers/gateway.js';
import { openPtyPair, type PtyPair } from '../helpers/pty.js';

interface WireResponse {
  value: unknown;
  unit: string | null;
  time: number;
  command: { name: string; desc: string; fast: boolean; command: string; bytes: string; ecu: number };
}

/** The battery ECU: SOC byte A5 (82.5 %), then the pack voltage ramping 300.0 → 400.0 V over 10 s. */
const SIM_ECUS = {
  '7E4': {
    '220101': [
      { kind: 'bytes', bytes: [0xa5] },
      { kind: 'ramp', min: 3000, max: 4000, period: 10_000, bytes: 2 },
    ],
  },
  '7E2': { '220201': [{ kind: 'bytes', bytes: [0x80, 0x1c, 0x20] }] },
} as const;

const config = (port: string, voltage: string, extra = ''): string => `
connection: { port: "${port}", baudrate: 38400 }
commands:
  BATTERY_SOC: { request: "220101", header: "7E4", equation: "A/2", unit: percent, desc: HV battery state of charge }
  PACK_VOLTAGE:
    request: "220101"
    header: "7E4"
    equation: "${voltage}"
    unit: volt
  CHARGER_POWER: { request: "220201", header: "7E2", bix: 8, len: 16, div: 100, unit: kilowatt }
watch:
  commands: [RPM, BATTERY_SOC, PACK_VOLTAGE]
  interval: 0.02
  callbacks:
    - emit: { event: raw }
${extra}`;

describe('custom commands through the simulator on a pty', () => {
  let pty: PtyPair;
  let sim: SimulatorServer;
  let dir: string;
  let file: string;
  let gateway: Gateway;
  let client: Socket;
  let disconnects = 0;

  before(async () => {
    pty = await openPtyPair();
    sim = await serveSimulator(pty.a, { baudRate: 38400, ecus: SIM_ECUS });
    dir = await mkdtemp(join(tmpdir(), 'obdio-custom-'));
    file = join(dir, 'obdio.yaml');
    const text = config(pty.b, '(B*256+C)/10');
    await writeFile(file, text);
    gateway = await startGateway(text, file);
    assert.equal(gateway.service.status, 'Car Connected');
    client = await connect(gateway);
    client.on('disconnect', () => disconnects++);
  });
  after(async () => {
    client?.disconnect();
    await gateway?.stop();
    await sim?.close();
    await pty?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('has_name, supports, supported_commands and query treat custom commands like built-in ones', async () => {
    assert.equal(await request(client, 'has_name', 'BATTERY_SOC'), true);
    assert.equal(await request(client, 'has_name', 'battery_soc'), false);
    assert.equal(await request(client, 'supports', 'CHARGER_POWER'), true);
    const soc = await request<WireResponse>(client, 'query', 'BATTERY_SOC');
    assert.equal(soc.value, 82.5); // 0xA5 / 2
    assert.equal(soc.unit, 'percent');
    assert.deepEqual(soc.command, {
      name: 'BATTERY_SOC',
      desc: 'HV battery state of charge',
      fast: true,
      command: '220101',
      bytes: '0',
      ecu: 255,
    });
    // Not watched: asked on the bus once, from the charger ECU (0x1C20 = 7200 → 72.00 kW).
    const power = await request<WireResponse>(client, 'query', 'CHARGER_POWER');
    assert.deepEqual([power.value, power.unit], [72, 'kilowatt']);
    const rpm = await request<WireResponse>(client, 'query', 'RPM');
    assert.equal(typeof rpm.value, 'number', 'a built-in command still answers after header switches');
    const supported = await request<Array<{ name: string }>>(client, 'supported_commands');
    const names = supported.map((c) => c.name);
    assert.ok(names.includes('RPM') && names.includes('PACK_VOLTAGE') && names.includes('CHARGER_POWER'));
  });

  test('watched beside built-in commands, over two ECU headers interleaved', async () => {
    // A client adds the charger (a third header) to the config's watch list.
    const ack = await client.emitWithAck('watch', ['CHARGER_POWER']);
    assert.equal(ack, null);
    const watched = ['RPM', 'BATTERY_SOC', 'PACK_VOLTAGE', 'CHARGER_POWER'];
    const count = (seen: WireResponse[], name: string) => seen.filter((r) => r.command.name === name).length;
    const seen = await collectUntil<WireResponse>(client, 'raw', (all) => watched.every((name) => count(all, name) >= 5));
    const byName = new Map<string, WireResponse[]>();
    for (const r of seen) byName.set(r.command.name, [...(byName.get(r.command.name) ?? []), r]);
    for (const r of byName.get('PACK_VOLTAGE')!) {
      assert.equal(r.unit, 'volt');
      assert.ok((r.value as number) >= 300 && (r.value as number) <= 400, String(r.value));
    }
    assert.ok(byName.get('BATTERY_SOC')!.every((r) => r.value === 82.5));
    assert.ok(byName.get('CHARGER_POWER')!.every((r) => r.value === 72));
    assert.ok(byName.get('RPM')!.every((r) => typeof r.value === 'number' && r.unit === 'revolutions_per_minute'));
    // Every command gets its turn: no header starves the others.
    const counts = [...byName.values()].map((list) => list.length);
    assert.ok(
      Math.min(...counts) * 3 >= Math.max(...counts),
      JSON.stringify(Object.fromEntries([...byName].map(([n, l]) => [n, l.length]))),
    );
  });

  test('a saved edit of an equation applies while streaming; an invalid one is reported inside the equation', async () => {
    const applied = next<ReloadResult>(client, 'obdio:config');
    await writeFile(file, config(pty.b, '(B*256+C)/10000'));
    assert.deepEqual(await applied, { ok: true, changed: ['commands'] });
    // After the reload the voltage is in kilovolts: 0.3 .. 0.4.
    const voltages = (seen: WireResponse[]) => seen.filter((r) => r.command.name === 'PACK_VOLTAGE').map((r) => r.value as number);
    const has = (seen: WireResponse[], name: string) => seen.some((r) => r.command.name === name);
    // Three voltages: one may have been in flight across the reload.
    const after = await collectUntil<WireResponse>(
      client,
      'raw',
      (seen) => voltages(seen).length >= 3 && has(seen, 'RPM') && has(seen, 'CHARGER_POWER'),
    );
    const volts = voltages(after);
    assert.ok(
      volts.slice(-2).every((v) => v >= 0.3 && v <= 0.4),
      JSON.stringify(volts),
    );
    assert.ok(
      after.some((r) => r.command.name === 'RPM'),
      'built-in commands kept streaming',
    );
    assert.ok(
      after.some((r) => r.command.name === 'CHARGER_POWER'),
      "the client's own watch survived the reload",
    );

    const rejected = next<ReloadResult>(client, 'obdio:config');
    const bad = config(pty.b, '(B*256+C)/10000)');
    await writeFile(file, bad);
    const result = (await rejected) as Extract<ReloadResult, { ok: false }>;
    assert.equal(result.ok, false);
    const [error] = result.errors;
    // The stray ')' is the 16th character of the equation, which starts after `equation: "`.
    const lines = bad.split('\n');
    const line = lines.findIndex((l) => l.includes('/10000)')) + 1;
    assert.deepEqual([error!.file, error!.line, error!.col], [file, line, lines[line - 1]!.indexOf('"(B') + 2 + 15]);
    assert.match(error!.message, /without a matching '\('/);
    // The running config stays: kilovolts go on.
    await nextMatching<WireResponse>(client, 'raw', (r) => r.command.name === 'PACK_VOLTAGE' && (r.value as number) < 1);
    assert.equal(disconnects, 0);
  });

  test('commands_from: a saved signal-set file is applied like the config', async () => {
    const signalSet = join(dir, 'car.json');
    const set = (div: number) =>
      JSON.stringify({
        commands: [
          {
            hdr: '7E4',
            rax: '7EC',
            cmd: { 22: '0101' },
            freq: 1,
            signals: [{ id: 'CAR_SOC', name: 'SOC', fmt: { len: 8, div, unit: 'percent' } }],
          },
        ],
      });
    await writeFile(signalSet, set(2));
    const applied = next<ReloadResult>(client, 'obdio:config');
    await writeFile(file, config(pty.b, '(B*256+C)/10000', 'commands_from: [car.json]\n'));
    assert.deepEqual(await applied, { ok: true, changed: ['commands_from'] });
    assert.equal((await client.emitWithAck('watch', ['CAR_SOC'])) as unknown, null);
    const socs = (seen: WireResponse[]) => seen.filter((r) => r.command.name === 'CAR_SOC');
    const first = socs(await collectUntil<WireResponse>(client, 'raw', (seen) => socs(seen).length >= 2));
    assert.ok(
      first.every((r) => r.value === 82.5),
      JSON.stringify(first.map((r) => r.value)),
    );

    const reapplied = next<ReloadResult>(client, 'obdio:config');
    await writeFile(signalSet, set(1));
    assert.deepEqual(await reapplied, { ok: true, changed: ['commands_from'] });
    // The file's new scale reaches the stream (a value in flight across the reload may be the old one).
    await nextMatching<WireResponse>(client, 'raw', (r) => r.command.name === 'CAR_SOC' && r.value === 165);
  });
});
