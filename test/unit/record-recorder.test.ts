import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { exchangeObserver, type Exchange } from '../../src/transport/exchanges.js';
import { Recorder } from '../../src/record/recorder.js';
import { loadRecording } from '../../src/transport/replay.js';
import { TransportTaps } from '../../src/transport/tap.js';
import { InMemoryTransport } from '../../src/transport/in-memory.js';
import { specOf } from '../helpers/tapped-adapter.js';

/** A transport the test drives by hand: what is written is kept, `reply` plays the adapter. */
class HandTransport extends InMemoryTransport {
  readonly written: string[] = [];
  constructor(portName = '/dev/ttyTEST') {
    super(portName);
  }
  write(text: string): void {
    this.written.push(text);
  }
  reply(text: string): void {
    this.deliver(text);
  }
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'obdio-recorder-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('exchanges: a write and the bytes up to the prompt, however the bytes are chunked', () => {
  const seen: Exchange[] = [];
  let now = 100;
  const observer = exchangeObserver(
    (x) => seen.push(x),
    () => now,
  );
  observer.onWrite!('ATZ\r');
  now = 103;
  observer.onData!(Buffer.from('ATZ\r\r\rELM3'));
  now = 110;
  observer.onData!(Buffer.from('27 v1.5\r\r>'));
  assert.deepEqual(seen, [{ t: 100, req: 'ATZ', res: 'ATZ\r\r\rELM327 v1.5\r\r>', ms: 10, prompt: true }]);

  // No prompt before the next write: cut short. Bytes with no request before them: req null.
  observer.onWrite!('010C\r');
  observer.onData!(Buffer.from('41 0C'));
  observer.onWrite!('010D\r');
  observer.onData!(Buffer.from('41 0D 32 \r\r>LV RESET'));
  observer.onClose!('lost');
  assert.deepEqual(
    seen.slice(1).map((x) => [x.req, x.res, x.prompt]),
    [
      ['010C', '41 0C', false],
      ['010D', '41 0D 32 \r\r>', true],
      [null, 'LV RESET', false],
    ],
  );
});

test('taps: the wrapped transport works as before; each link gets its own observer; a failing tap changes nothing', async () => {
  const taps = new TransportTaps();
  const events: string[] = [];
  let links = 0;
  taps.add({
    attach(port) {
      links++;
      return {
        onOpen: () => events.push(`open ${port}`),
        onWrite: (text) => events.push(`write ${text.trim()}`),
        onData: (chunk) => events.push(`data ${chunk.toString().trim()}`),
        onClose: (reason) => events.push(`close ${reason}`),
      };
    },
  });
  taps.add({
    attach: () => ({
      onWrite: () => {
        throw new Error('a broken tap');
      },
    }),
  });
  const inner = new HandTransport();
  const received: string[] = [];
  const link = taps.wrap(inner);
  link.onData((chunk) => received.push(chunk.toString()));
  await link.open();
  link.write('ATI\r');
  inner.reply('ELM327 v1.5\r\r>');
  await link.close();
  assert.deepEqual(inner.written, ['ATI\r']);
  assert.deepEqual(received, ['ELM327 v1.5\r\r>']);
  assert.deepEqual(events, ['open /dev/ttyTEST', 'write ATI', 'data ELM327 v1.5\r\r>', 'close closed']);
  const second = taps.wrap(new HandTransport());
  await second.open();
  assert.equal(links, 2);
});

/** Runs `count` exchanges through a recorder on a hand-driven link, one second apart. */
async function recordDrive(yaml: string, count: number): Promise<{ recorder: Recorder; replies: string[] }> {
  const spec = specOf(yaml);
  const taps = new TransportTaps();
  let now = Date.UTC(2024, 4, 1, 10, 0, 0);
  const recorder = await Recorder.start(spec, { taps, now: () => now });
  const inner = new HandTransport();
  const link = taps.wrap(inner);
  await link.open();
  const replies: string[] = [];
  for (let i = 0; i < count; i++) {
    const reply = `41 0D ${(i % 256).toString(16).toUpperCase().padStart(2, '0')} \r\r>`;
    link.write('010D1\r');
    inner.reply(reply);
    replies.push(reply);
    now += 1000;
  }
  await link.close();
  await recorder.stop();
  return { recorder, replies };
}

test('rotation: a new file past `rotate` bytes, each with its header; name order is time order; a folder replays them all', async () => {
  const folder = join(dir, 'rotate');
  const { recorder, replies } = await recordDrive(`record: { dir: "${folder}", rotate: 400, keep: 0 }`, 20);
  const names = (await readdir(folder)).sort();
  assert.ok(names.length >= 4, `${names.length} files`);
  assert.equal(recorder.stats.files, names.length);
  assert.equal(names[0], 'obdio-20240501-100000-000.jsonl');
  for (const name of names) {
    const text = await readFile(join(folder, name), 'utf8');
    const [header] = text.split('\n');
    assert.deepEqual(JSON.parse(header!).recording, 'obdio');
    const longestLine = Math.max(...text.split('\n').map((l) => l.length + 1));
    assert.ok((await stat(join(folder, name))).size < 400 + longestLine, `${name} stopped growing past rotate`);
  }
  const exchanges = await loadRecording(folder);
  assert.deepEqual(
    exchanges.map((x) => x.res),
    replies,
  );
  assert.ok(exchanges.every((x) => x.req === '010D1'));
});

test('keep: only the newest recordings stay; files that are not recordings are never touched', async () => {
  const folder = join(dir, 'keep');
  await recordDrive(`record: { dir: "${folder}", rotate: 1, keep: 0 }`, 1);
  await writeFile(join(folder, 'my-notes.jsonl'), 'mine');
  await recordDrive(`record: { dir: "${folder}", rotate: 300, keep: 3 }`, 30);
  const names = (await readdir(folder)).sort();
  assert.ok(names.includes('my-notes.jsonl'));
  const recordings = names.filter((n) => n.startsWith('obdio-'));
  assert.equal(recordings.length, 3);
  // The newest drive is the one kept: its last reply is in the last file.
  const last = await readFile(join(folder, recordings.at(-1)!), 'utf8');
  assert.match(last, /41 0D 1D/);
});

test('a folder that cannot be created stops nothing: lines are dropped and counted', async () => {
  const blocker = join(dir, 'a-file');
  await writeFile(blocker, 'x');
  const { recorder } = await recordDrive(`record: { dir: "${join(blocker, 'sub')}" }`, 3);
  assert.equal(recorder.stats.lines, 0);
  assert.ok(recorder.stats.dropped >= 3);
});

test('a replay is not recorded again (it would fill the folder it plays from)', async () => {
  const folder = join(dir, 'replaying');
  const spec = specOf(`record: { dir: "${folder}" }`);
  const taps = new TransportTaps();
  const recorder = await Recorder.start(spec, { taps });
  const inner = new HandTransport(`replay:${join(dir, 'drive.jsonl')}`);
  const link = taps.wrap(inner);
  await link.open();
  link.write('010C\r');
  inner.reply('41 0C 0B B8 \r\r>');
  await link.close();
  await recorder.stop();
  assert.equal(recorder.stats.lines, 0);
  await assert.rejects(readdir(folder), { code: 'ENOENT' });
});
