import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseRecording } from '../../src/transport/recording.js';
import { ReplayTransport, requestKey } from '../../src/transport/replay.js';
import { TransportError } from '../../src/transport/transport.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'obdio-replay-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const line = (value: unknown): string => JSON.stringify(value) + '\n';
const RPM_750 = '41 0C 0B B8 \r\r>'; // (0x0B * 256 + 0xB8) / 4 = 750 rpm
const RPM_1000 = '41 0C 0F A0 \r\r>';
const RPM_1250 = '41 0C 13 88 \r\r>';

/** A drive of 300 ms: the start-up, three RPM readings 100 ms apart, a voltage reading. */
const DRIVE =
  line({ recording: 'obdio', version: 1, t: 1000, port: 'sim' }) +
  line({ t: 1000, ms: 1, req: 'ATZ', res: 'ATZ\r\r\rELM327 v1.5\r\r>' }) +
  line({ t: 1010, ms: 1, req: '010C1', res: RPM_750 }) +
  line({ t: 1110, ms: 1, req: '010C1', res: RPM_1000 }) +
  line({ t: 1210, ms: 1, req: '010C1', res: RPM_1250 }) +
  line({ t: 1250, value: { command: 'RPM', value: 1250, unit: 'revolutions_per_minute' } }) +
  line({ t: 1300, ms: 1, req: 'ATRV', res: '12.6V\r\r>' });

async function recording(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

/** Opens a replay and returns a function that writes a request and resolves with the reply (or the loss). */
async function open(
  file: string,
  speed: number,
  now?: () => number,
): Promise<{ ask(text: string): Promise<string>; transport: ReplayTransport }> {
  const transport = new ReplayTransport(file, { speed, now });
  await transport.open();
  let pending: ((reply: string) => void) | null = null;
  transport.onData((chunk) => pending?.(chunk.toString('latin1')));
  transport.onLost((error) => pending?.(`LOST ${(error as TransportError).code}: ${error.message}`));
  return {
    transport,
    ask(text) {
      return new Promise((resolve) => {
        pending = resolve;
        transport.write(text);
      });
    },
  };
}

test('requestKey ignores case, spaces, the final CR and the "fast" response-count digit', () => {
  assert.equal(requestKey('010C1\r'), '010C');
  assert.equal(requestKey('01 0c'), '010C');
  assert.equal(requestKey('010C0D0510'), '010C0D0510');
  assert.equal(requestKey('010C0D05101'), '010C0D0510');
  assert.equal(requestKey('atsh7e4\r'), 'ATSH7E4');
  assert.equal(requestKey('\r'), '');
});

test('speed 0: each request gets the next reply recorded for it, in order; the drive ends with the link lost (EOF)', async () => {
  const replay = await open(await recording('drive.jsonl', DRIVE), 0);
  assert.equal(replay.transport.portName, `replay:${join(dir, 'drive.jsonl')}`);
  assert.equal(await replay.ask('ATZ\r'), 'ATZ\r\r\rELM327 v1.5\r\r>');
  assert.equal(await replay.ask('010C\r'), RPM_750, 'recorded with the fast digit, asked without');
  assert.equal(await replay.ask('010C1\r'), RPM_1000);
  // Requests the drive never saw: NO DATA for OBD, OK for AT commands, ? for a lone CR.
  assert.equal(await replay.ask('0105\r'), 'NO DATA\r\r>');
  assert.equal(await replay.ask('ATSP6\r'), 'OK\r\r>');
  assert.equal(await replay.ask('\r'), '?\r\r>');
  // An AT command asked more often than recorded repeats its last reply.
  assert.equal(await replay.ask('ATRV\r'), '12.6V\r\r>');
  assert.equal(await replay.ask('ATRV\r'), '12.6V\r\r>');
  assert.equal(await replay.ask('010C1\r'), RPM_1250);
  assert.equal(await replay.ask('010C1\r'), `LOST EOF: end of the recording ${join(dir, 'drive.jsonl')}`);
  assert.equal(replay.transport.isOpen, false);
  assert.throws(
    () => replay.transport.write('010C\r'),
    (e: TransportError) => e.code === 'ENOTOPEN',
  );
});

test('speed 1 follows the recorded clock: a request asked late gets the latest reply up to then (fast-forward, never backwards)', async () => {
  let now = 50_000;
  const replay = await open(await recording('clock.jsonl', DRIVE), 1, () => now);
  // At the start of the replay (recorded time 1000) the first RPM reply (1010) is not due yet: it comes when it is.
  assert.equal(await replay.ask('010C1\r'), RPM_750);
  now += 250; // recorded time 1250: the readings of 1110 and 1210 are both past; the later one wins
  assert.equal(await replay.ask('010C1\r'), RPM_1250);
  now += 10;
  assert.match(await replay.ask('010C1\r'), /^LOST EOF/);
});

test('speed 10 runs the clock ten times faster', async () => {
  let now = 0;
  const replay = await open(await recording('fast.jsonl', DRIVE), 10, () => now);
  assert.equal(await replay.ask('010C1\r'), RPM_750);
  now += 15; // 150 ms of the drive: recorded time 1150, the 1110 reading
  assert.equal(await replay.ask('010C1\r'), RPM_1000);
});

test('a folder plays its .jsonl files in name order, as the recorder names them', async () => {
  const folder = join(dir, 'rotated');
  await mkdir(folder);
  await writeFile(join(folder, 'obdio-20240501-100000-000.jsonl'), line({ t: 1, ms: 0, req: '010D', res: '41 0D 32 \r\r>' }));
  await writeFile(join(folder, 'obdio-20240501-100500-000.jsonl'), line({ t: 2, ms: 0, req: '010D', res: '41 0D 50 \r\r>' }));
  await writeFile(join(folder, 'notes.txt'), 'not a recording');
  const replay = await open(folder, 0);
  assert.equal(await replay.ask('010D\r'), '41 0D 32 \r\r>');
  assert.equal(await replay.ask('010D\r'), '41 0D 50 \r\r>');
});

test('bad recordings are refused at open with a code and the file and line', async () => {
  const missing = new ReplayTransport(join(dir, 'nope.jsonl'), { speed: 0 });
  await assert.rejects(missing.open(), (e: TransportError) => e.code === 'ENOENT' && /nope\.jsonl: no such recording/.test(e.message));

  const garbage = await recording(
    'garbage.jsonl',
    line({ t: 1, ms: 0, req: 'ATZ', res: '>' }) + 'not json\n' + line({ t: 2, ms: 0, req: 'ATZ', res: '>' }),
  );
  await assert.rejects(
    new ReplayTransport(garbage, { speed: 0 }).open(),
    (e: TransportError) => e.code === 'EBADREC' && e.message.startsWith(`${garbage}:2:`),
  );

  const empty = await recording('empty.jsonl', line({ recording: 'obdio', version: 1, t: 1, port: 'sim' }));
  await assert.rejects(
    new ReplayTransport(empty, { speed: 0 }).open(),
    (e: TransportError) => e.code === 'EBADREC' && /no requests/.test(e.message),
  );
});

test('parseRecording: a torn last line (the recorder was killed mid-write) is skipped; other lines are kept in order', () => {
  const text = DRIVE + '{"t":1400,"ms":1,"req":"010C1","res":"41 0C';
  const exchanges = parseRecording(text, 'drive.jsonl');
  assert.deepEqual(
    exchanges.map((x) => x.req),
    ['ATZ', '010C1', '010C1', '010C1', 'ATRV'],
  );
  assert.deepEqual(exchanges[1], { t: 1010, ms: 1, req: '010C1', res: RPM_750 });
});

test("the replay's clock is the recorded time of the last reply (its prompt), so a fast replay keeps the drive's timeline", async () => {
  const { ask, transport } = await open(await recording('clock.jsonl', DRIVE), 0, () => 999_999);
  assert.equal(transport.clock(), 999_999, 'before any reply: now');
  await ask('010C1\r');
  assert.equal(transport.clock(), 1011);
  await ask('010C1\r');
  assert.equal(transport.clock(), 1111);
  await ask('ATRV\r');
  assert.equal(transport.clock(), 1301);
});
