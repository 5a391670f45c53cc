import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { OBDResponse } from '../../src/obd/command.js';
import { Recorder } from '../../src/record/recorder.js';
import { collect, connect, startGateway } from '../helpers/gateway.js';
import { specOf, startRig, type Rig } from '../helpers/tapped-adapter.js';

type Reading = [name: string, value: unknown, unit: string | null];

const WATCH = 'watch: { commands: [RPM, SPEED, COOLANT_TEMP, MAF], interval: 0 }';
const READINGS = 160;

function reading(response: OBDResponse): Reading {
  return [response.command.name, response.value, response.unit];
}

const nonNull = (readings: Reading[]): Reading[] => readings.filter(([, value]) => value !== null);

/** Whether `part` appears in `whole` in the same order (some of `whole` may be skipped). */
function isSubsequence(part: Reading[], whole: Reading[]): boolean {
  let i = 0;
  for (const item of whole) if (i < part.length && JSON.stringify(item) === JSON.stringify(part[i])) i++;
  return i === part.length;
}

/** Replays the recording folder and collects every reading until the recording ends (the adapter is lost). */
async function replay(dir: string, speed: number): Promise<Reading[]> {
  const rig = await startRig(
    specOf(`
connection: { port: "replay:${dir}", replay_speed: ${speed}, reconnect: { min_delay: 5s, max_delay: 5s } }
${WATCH}
`),
  );
  try {
    assert.equal(rig.service.isConnected, true, `the replay connects: ${JSON.stringify(rig.adapter.snapshot())}`);
    const readings: Reading[] = [];
    rig.service.scheduler.onResponse((response) => readings.push(reading(response)));
    const ended = new Promise<void>((resolve) => rig.adapter.onChange((s) => s.state === 'lost' && resolve()));
    for (const cmd of ['RPM', 'SPEED', 'COOLANT_TEMP', 'MAF']) rig.service.scheduler.watch(rig.service.command(cmd)!);
    rig.service.scheduler.start();
    await ended;
    assert.match(rig.adapter.snapshot().error ?? '', /end of the recording/);
    return readings;
  } finally {
    await rig.stop();
  }
}

describe('record a drive on the simulator, then play it back with connection.port: replay:', () => {
  let dir: string;
  let recordings: string;
  const live: Reading[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'obdio-record-'));
    recordings = join(dir, 'recordings');
    const spec = specOf(`${WATCH}\nrecord: { dir: "${recordings}", decoded: true }\n`);
    let recorder!: Recorder;
    const rig: Rig = await startRig(spec, async (service, taps) => {
      recorder = await Recorder.start(spec, { taps, service });
    });
    try {
      assert.equal(rig.service.isConnected, true);
      rig.service.scheduler.onResponse((response) => live.push(reading(response)));
      for (const cmd of ['RPM', 'SPEED', 'COOLANT_TEMP', 'MAF']) rig.service.scheduler.watch(rig.service.command(cmd)!);
      rig.service.scheduler.start();
      while (live.length < READINGS) await new Promise((r) => setTimeout(r, 10));
      rig.service.scheduler.stop();
      // A query waits behind the poll in flight: once it answers, that poll has been published too.
      await rig.service.scheduler.query(rig.service.command('ELM_VERSION')!, true);
    } finally {
      await rig.stop();
      await recorder.stop();
    }
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('the recording holds a header, every request with its reply and time, and the decoded values', async () => {
    const [file] = await readdir(recordings);
    assert.match(file!, /^obdio-\d{8}-\d{6}-\d{3}\.jsonl$/);
    const lines = (await readFile(join(recordings, file!), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual([lines[0]!.recording, lines[0]!.version, lines[0]!.port], ['obdio', 1, 'sim']);
    const exchanges = lines.filter((l) => typeof l.req === 'string');
    assert.equal(exchanges[0]!.req, 'ATZ', 'the ELM327 start-up is recorded from its first command');
    for (const x of exchanges) {
      assert.equal(typeof x.t, 'number');
      assert.ok((x.ms as number) >= 0);
      assert.ok((x.res as string).endsWith('>') || x.prompt === false, JSON.stringify(x));
    }
    const times = exchanges.map((x) => x.t as number);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      'timestamps only move forward',
    );
    assert.ok(
      exchanges.some((x) => /^010C/.test(x.req as string)),
      'RPM requests are there',
    );
    const decoded = lines
      .filter((l) => l.value !== undefined)
      .map((l) => {
        const v = l.value as { command: string; value: unknown; unit: string | null };
        return [v.command, v.value, v.unit] as Reading;
      });
    assert.deepEqual(decoded, live, 'record.decoded wrote every value of the watch loop');
  });

  test('replayed as fast as possible, the recording decodes to exactly the values read in the car', async () => {
    const replayed = await replay(recordings, 0);
    assert.ok(nonNull(live).length >= READINGS - 4);
    assert.deepEqual(nonNull(replayed), nonNull(live));
  });

  test('replayed with the recorded timing, values come in the recorded order (none invented, none reordered)', async () => {
    // Recorded timing slowed ten times: the simulator's drive lasts a fraction of a second, and
    // at speed 1 a busy machine's slower start-up would fast-forward past its end.
    const replayed = nonNull(await replay(recordings, 0.1));
    assert.ok(replayed.length > 0);
    assert.ok(isSubsequence(replayed, nonNull(live)), 'every replayed value is a recorded one, in order');
  });

  test('a whole gateway runs on the recording: clients receive the recorded values', async () => {
    const gateway = await startGateway(`
connection: { port: "replay:${recordings}", replay_speed: 0, reconnect: { min_delay: 5s, max_delay: 5s } }
${WATCH}
`);
    try {
      const client = await connect(gateway);
      const values = collect<{ command: { name: string }; value: unknown; unit: string }>(client, 'obdio:value', 1500);
      await client.emitWithAck('obdio:subscribe');
      const received = (await values).map((v) => [v.command.name, v.value, v.unit] as Reading);
      client.disconnect();
      assert.ok(nonNull(received).length > 10, `received ${received.length}`);
      assert.ok(isSubsequence(nonNull(received), nonNull(live)));
    } finally {
      await gateway.stop();
    }
  });
});

describe('examples/record-and-replay.yaml', () => {
  const example = fileURLToPath(new URL('../../examples/record-and-replay.yaml', import.meta.url));

  test('records a drive on the simulator; the same file with OBDIO_ADAPTER=replay:<folder> plays it back in a gateway', async () => {
    const text = await readFile(example, 'utf8');
    const dir = await mkdtemp(join(tmpdir(), 'obdio-example-'));
    try {
      const loaded = specOf(text, example, {});
      assert.equal(loaded.connection.port, 'sim');
      assert.deepEqual(loaded.record, { dir: join(example, '..', 'recordings'), rotate: 20_000_000, keep: 20, decoded: true });
      const spec = { ...loaded, record: { ...loaded.record!, dir } };
      const live: Reading[] = [];
      let recorder!: Recorder;
      const rig = await startRig(spec, async (service, taps) => {
        recorder = await Recorder.start(spec, { taps, service });
      });
      try {
        rig.service.scheduler.onResponse((response) => live.push(reading(response)));
        rig.service.scheduler.start();
        while (nonNull(live).length < 30) await new Promise((r) => setTimeout(r, 20));
        rig.service.scheduler.stop();
        await rig.service.scheduler.query(rig.service.command('ELM_VERSION')!, true);
      } finally {
        await rig.stop();
        await recorder.stop();
      }

      Object.assign(process.env, { OBDIO_ADAPTER: `replay:${dir}`, OBDIO_REPLAY_SPEED: '0' });
      const replayed = await startGateway(text).finally(() => {
        delete process.env.OBDIO_ADAPTER;
        delete process.env.OBDIO_REPLAY_SPEED;
      });
      try {
        assert.equal(replayed.currentSpec.connection.port, `replay:${dir}`);
        assert.equal(replayed.currentSpec.connection.replay_speed, 0);
        assert.equal(replayed.service.isConnected, true);
        const client = await connect(replayed);
        const values = collect<{ command: { name: string }; value: unknown; unit: string }>(client, 'obdio:value', 1000);
        await client.emitWithAck('obdio:subscribe');
        const received = nonNull((await values).map((v) => [v.command.name, v.value, v.unit] as Reading));
        client.disconnect();
        assert.ok(received.length > 5, `received ${received.length}`);
        assert.ok(isSubsequence(received, nonNull(live)), 'the gateway replays the recorded values, in order');
      } finally {
        await replayed.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
