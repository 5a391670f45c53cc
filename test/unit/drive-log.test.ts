import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { csvField, csvHeader, csvLine, type Row } from '../../src/record/drive-log/csv.js';
import { DriveFiles, DRIVE_FILE, driveFileName } from '../../src/record/drive-log/drive-files.js';
import { DriveLog } from '../../src/record/drive-log/drive-log.js';
import { DriveTracker } from '../../src/record/drive-log/drive-tracker.js';
import { RecentRows } from '../../src/record/drive-log/recent.js';
import { RowBuilder } from '../../src/record/drive-log/rows.js';
import type { ObdService } from '../../src/api/obd-service.js';
import type { OBDResponse } from '../../src/obd/command.js';
import { VirtualClock } from '../helpers/virtual-clock.js';
import { specOf } from '../helpers/tapped-adapter.js';

const T0 = Date.UTC(2026, 11, 8, 7, 30, 0);

describe('CSV', () => {
  test('numbers as numbers, nothing for no value, text quoted only when it must be (RFC 4180)', () => {
    assert.equal(csvField(812.5), '812.5');
    assert.equal(csvField(-40), '-40');
    assert.equal(csvField(null), '');
    assert.equal(csvField(Number.NaN), '');
    assert.equal(csvField(true), 'true');
    assert.equal(csvField('Closed loop'), 'Closed loop');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField([['P0133', 'O2 sensor']]), '"[[""P0133"",""O2 sensor""]]"');
    assert.equal(csvLine(['2026-12-08T07:30:00.000Z', 1, null, 'x']), '2026-12-08T07:30:00.000Z,1,,x\r\n');
  });

  test('a text cell a spreadsheet would run as a formula stays text; negative numbers stay numbers', () => {
    assert.equal(csvField('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
    assert.equal(csvField('+1'), "'+1");
    assert.equal(csvField('-cmd'), "'-cmd");
    assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvField(-40), '-40');
  });

  test('the header names each command with its unit when known', () => {
    assert.equal(csvHeader(['RPM', 'SPEED'], new Map([['RPM', 'revolutions_per_minute']])), 'time,RPM [revolutions_per_minute],SPEED\r\n');
  });
});

describe('rows', () => {
  test('one row per period with the latest value of each column; empty cells for none; nothing for an empty period', () => {
    const rows: Row[] = [];
    const builder = new RowBuilder(['RPM', 'SPEED'], 1000, (row) => rows.push(structuredClone(row)));
    builder.push('RPM', 800, 'revolutions_per_minute', T0 + 100);
    builder.push('RPM', 810, 'revolutions_per_minute', T0 + 600);
    builder.push('COOLANT_TEMP', 90, 'degree_Celsius', T0 + 700); // not a column
    builder.push('SPEED', null, null, T0 + 800);
    builder.push('RPM', null, null, T0 + 1200); // next period: the first row is complete
    builder.push('SPEED', 12, 'kilometer_per_hour', T0 + 3100);
    assert.deepEqual(rows, [{ time: T0, cells: [810, null] }]);
    builder.flush();
    assert.deepEqual(rows.slice(1), [{ time: T0 + 3000, cells: [null, 12] }], 'the period with only a null wrote nothing');
    assert.deepEqual(
      [...builder.units],
      [
        ['RPM', 'revolutions_per_minute'],
        ['SPEED', 'kilometer_per_hour'],
      ],
    );
  });
});

describe('drive boundaries on a virtual clock', () => {
  function tracked(grace: number) {
    const clock = new VirtualClock();
    clock.t = T0;
    const events: string[] = [];
    const tracker = new DriveTracker(
      grace,
      { started: (t) => events.push(`start ${t - T0}`), ended: (t) => events.push(`end ${t - T0}`) },
      clock,
    );
    return { clock, events, tracker };
  }

  test('the car answering starts a drive; silence for the grace period ends it; an answer within it keeps it', async () => {
    const { clock, events, tracker } = tracked(30_000);
    tracker.link({ state: 'connecting', status: 'Not Connected' });
    assert.deepEqual(events, []);
    tracker.link({ state: 'connected', status: 'Car Connected' });
    assert.deepEqual(events, ['start 0']);
    await clock.runUntil(T0 + 10_000);
    tracker.value(false); // ignition off: NO DATA
    tracker.link({ state: 'connected', status: 'Car Connected' }); // a new battery voltage: not an answer
    await clock.runUntil(T0 + 35_000);
    tracker.value(true); // back within the grace period: the same drive
    await clock.runUntil(T0 + 100_000);
    assert.deepEqual(events, ['start 0']);
    assert.ok(tracker.driving);
    tracker.value(false);
    await clock.runUntil(T0 + 129_999);
    assert.deepEqual(events, ['start 0']);
    await clock.runUntil(T0 + 200_000);
    assert.deepEqual(events, ['start 0', 'end 100000'], 'ended when the car went silent, once the grace period passed');
    tracker.value(true);
    assert.deepEqual(events, ['start 0', 'end 100000', 'start 200000']);
    assert.equal(tracker.drives, 2);
  });

  test('the adapter losing the car (OBD Connected, lost) is silence too; nulls before a drive start nothing', async () => {
    const { clock, events, tracker } = tracked(5_000);
    tracker.value(false);
    tracker.link({ state: 'connected', status: 'OBD Connected' });
    await clock.runUntil(T0 + 60_000);
    assert.deepEqual(events, []);
    tracker.value(true);
    await clock.runUntil(T0 + 61_000);
    tracker.link({ state: 'lost', status: 'Not Connected' });
    tracker.link({ state: 'retrying', status: 'Not Connected' });
    await clock.runUntil(T0 + 70_000);
    assert.deepEqual(events, ['start 60000', 'end 61000']);
  });

  test('end() (the gateway stops) ends the drive at once', () => {
    const { events, tracker } = tracked(5_000);
    tracker.value(true);
    tracker.end();
    assert.deepEqual(events, ['start 0', 'end 0']);
    assert.equal(tracker.driving, false);
  });
});

describe('drive files', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'obdio-drives-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('names carry the start time, filesystem-safe, and sort in time order', () => {
    assert.equal(driveFileName(T0, 1), 'drive-2026-12-08T07-30-00.000Z.csv');
    assert.equal(driveFileName(T0, 2), 'drive-2026-12-08T07-30-00.000Z.part2.csv');
    assert.ok(DRIVE_FILE.test(driveFileName(T0, 1)) && DRIVE_FILE.test(driveFileName(T0, 12)));
    const names = [driveFileName(T0 + 1, 1), driveFileName(T0, 2), driveFileName(T0, 1)].sort();
    assert.deepEqual(names, [driveFileName(T0, 1), driveFileName(T0, 2), driveFileName(T0 + 1, 1)]);
  });

  test('one file per drive, a new part past `rotate` bytes with the header again, and only `keep` files kept', async () => {
    const folder = join(dir, 'rotate');
    const files = new DriveFiles({ dir: folder, keep: 3, rotate: 60 }, undefined);
    const header = () => 'time,RPM\r\n';
    files.write('ignored: no drive\r\n', header);
    for (let drive = 0; drive < 3; drive++) {
      files.startDrive(T0 + drive * 3_600_000);
      for (let i = 0; i < 3; i++) files.write(`2026-12-08T07:30:0${i}.000Z,${800 + i}\r\n`, header);
      files.endDrive();
    }
    await files.stop();
    const names = (await readdir(folder)).sort();
    // Each drive: 10 + 3 x 26 bytes; the part closes once it reaches 60 bytes (header + 2 rows).
    assert.deepEqual(names, [driveFileName(T0 + 3_600_000, 2), driveFileName(T0 + 7_200_000, 1), driveFileName(T0 + 7_200_000, 2)]);
    assert.equal(
      await readFile(join(folder, names[1]!), 'utf8'),
      'time,RPM\r\n2026-12-08T07:30:00.000Z,800\r\n2026-12-08T07:30:01.000Z,801\r\n',
    );
    assert.equal(await readFile(join(folder, names[2]!), 'utf8'), 'time,RPM\r\n2026-12-08T07:30:02.000Z,802\r\n');
    assert.deepEqual(files.stats, { file: null, files: 6, rows: 9, dropped: 0 });
  });

  test('a disk that does not keep up: rows past the waiting limit are dropped and counted, never queued without bound', async () => {
    const folder = join(dir, 'slow');
    const files = new DriveFiles({ dir: folder, keep: 0, rotate: 0 }, undefined);
    files.startDrive(T0);
    // 2 MB handed over in one turn of the event loop: the stream cannot have written any of it yet.
    const line = `${'9'.repeat(1022)}\r\n`;
    for (let i = 0; i < 2048; i++) files.write(line, () => 'time\r\n');
    const { rows, dropped } = files.stats;
    assert.equal(rows + dropped, 2048);
    assert.ok(dropped > 1000 && rows > 400, `rows ${rows}, dropped ${dropped}`);
    await files.stop();
    const [name] = await readdir(folder);
    assert.equal(
      (await readFile(join(folder, name!), 'utf8')).split('\r\n').length - 2,
      rows,
      'every row counted as written is in the file',
    );
  });

  test('a full disk: one clear log line, rows dropped and counted meanwhile, a new part once the wait is over', async () => {
    const lines: string[] = [];
    const logger = { info: () => undefined, warn: () => undefined, error: (_: unknown, message: string) => lines.push(message) };
    const opened: Array<{ file: string; data: string }> = [];
    let spaceLeft = 40;
    /** A disk with `spaceLeft` bytes: the write that does not fit fails with ENOSPC, as fs does. */
    const openOnSmallDisk = (file: string) => {
      const entry = { file, data: '' };
      opened.push(entry);
      return new Writable({
        write(chunk: Buffer, _encoding, done) {
          if (chunk.length > spaceLeft) return done(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
          spaceLeft -= chunk.length;
          entry.data += chunk.toString();
          done();
        },
      });
    };
    let now = T0;
    const files = new DriveFiles({ dir: join(dir, 'full'), keep: 0, rotate: 0 }, logger as never, () => now, openOnSmallDisk);
    files.startDrive(T0);
    const header = () => 'time,RPM\r\n';
    files.write('t1,800\r\n', header); // header (10) + 8 bytes fit
    files.write('t2,810\r\n', header); // 26
    files.write('t3,8200000000000\r\n', header); // does not fit: the stream fails
    await new Promise((resolve) => setImmediate(resolve));
    files.write('t4,830\r\n', header);
    files.write('t5,840\r\n', header);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /^drive log: cannot write .*drive-2026-12-08T07-30-00\.000Z\.csv: the disk is full; rows are dropped/);
    assert.equal(files.stats.dropped, 2, 'the rows after the failure');
    assert.equal(opened[0]!.data, 'time,RPM\r\nt1,800\r\nt2,810\r\n');
    spaceLeft = 1000;
    now += 10_000;
    files.write('t6,850\r\n', header);
    await files.stop();
    assert.equal(opened.length, 2);
    assert.match(opened[1]!.file, /drive-2026-12-08T07-30-00\.000Z\.part2\.csv$/);
    assert.equal(opened[1]!.data, 'time,RPM\r\nt6,850\r\n');
  });

  test('a folder that cannot be written: rows dropped and counted, one clear log line, nothing thrown', async () => {
    const blocker = join(dir, 'not-a-folder');
    await writeFile(blocker, 'a file where the folder should be');
    const lines: string[] = [];
    const logger = { info: () => undefined, warn: () => undefined, error: (_: unknown, message: string) => lines.push(message) };
    const files = new DriveFiles({ dir: join(blocker, 'drives'), keep: 0, rotate: 0 }, logger as never);
    files.startDrive(T0);
    files.write('a\r\n', () => 'time\r\n');
    files.write('b\r\n', () => 'time\r\n');
    await files.stop();
    assert.equal(files.stats.dropped, 2);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /drive log: cannot write .*not-a-folder.*rows are dropped.*tried in 10 s/);
  });
});

describe('recent rows', () => {
  test('a bounded ring: the oldest go, rows from a time on, columns of the moment (other columns left out)', () => {
    const recent = new RecentRows(3);
    for (let i = 0; i < 5; i++) recent.add({ time: T0 + i * 1000, cells: [800 + i] }, ['RPM']);
    assert.equal(recent.size, 3);
    recent.add({ time: T0 + 5000, cells: [900, 20] }, ['RPM', 'SPEED']);
    assert.equal(
      recent.csv(T0 + 3000, ['SPEED', 'RPM'], new Map([['SPEED', 'kilometer_per_hour']])),
      'time,SPEED [kilometer_per_hour],RPM\r\n2026-12-08T07:30:03.000Z,,803\r\n2026-12-08T07:30:04.000Z,,804\r\n2026-12-08T07:30:05.000Z,20,900\r\n',
    );
    recent.setCapacity(1);
    assert.equal(recent.csv(0, ['RPM'], new Map()), 'time,RPM\r\n2026-12-08T07:30:05.000Z,900\r\n');
  });
});

describe('the drive log part', () => {
  test('values to rows, a drive per answer, a gauge per command, new columns on reload in a new part', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'obdio-drive-part-'));
    try {
      const clock = new VirtualClock();
      clock.t = T0;
      let listener: (r: OBDResponse) => void = () => undefined;
      const service = {
        scheduler: { onResponse: (l: (r: OBDResponse) => void) => ((listener = l), () => undefined) },
      } as unknown as ObdService;
      const spec = specOf(`watch: { commands: [RPM, SPEED] }\nlog: { csv: ${dir}, every: 1s, grace: 10s, prometheus: true }`);
      const log = new DriveLog(spec, { service, clock });
      log.start();
      const respond = (name: string, value: number | null, unit: string | null) =>
        listener({ command: { name } as OBDResponse['command'], messages: [], value, unit, time: clock.t });
      respond('RPM', 800, 'revolutions_per_minute');
      respond('SPEED', 50, 'kilometer_per_hour');
      await clock.runUntil(T0 + 1500);
      respond('RPM', 900, 'revolutions_per_minute');
      assert.deepEqual(log.stats().values, [
        { command: 'RPM', unit: 'revolutions_per_minute', value: 900 },
        { command: 'SPEED', unit: 'kilometer_per_hour', value: 50 },
      ]);
      const next = specOf(`watch: { commands: [RPM] }\nlog: { csv: ${dir}, every: 1s, grace: 10s, prometheus: true }`);
      assert.equal(await log.apply(spec, next), 'applied');
      assert.deepEqual(
        log.stats().values?.map((v) => v.command),
        ['RPM'],
      );
      respond('RPM', 950, 'revolutions_per_minute');
      await clock.runUntil(T0 + 2500);
      respond('RPM', null, null); // the ignition goes off
      await clock.runUntil(T0 + 20_000);
      assert.equal(log.stats().driving, false);
      await log.stop();
      const names = (await readdir(dir)).sort();
      assert.deepEqual(names, [driveFileName(T0, 1), driveFileName(T0, 2)]);
      assert.equal(
        await readFile(join(dir, names[0]!), 'utf8'),
        'time,RPM [revolutions_per_minute],SPEED [kilometer_per_hour]\r\n2026-12-08T07:30:00.000Z,800,50\r\n2026-12-08T07:30:01.000Z,900,\r\n',
        'the reload completes the row being filled, in the old columns',
      );
      assert.equal(await readFile(join(dir, names[1]!), 'utf8'), 'time,RPM [revolutions_per_minute]\r\n2026-12-08T07:30:01.000Z,950\r\n');
      assert.equal(
        log.recentCsv(1),
        'time,RPM [revolutions_per_minute]\r\n2026-12-08T07:30:00.000Z,800\r\n2026-12-08T07:30:01.000Z,900\r\n2026-12-08T07:30:01.000Z,950\r\n',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
