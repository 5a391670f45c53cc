import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { freeFileName } from '../../src/record/rotation.js';
import { DRIVE_FILE, driveFileName } from '../../src/record/drive-log/drive-files.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'obdio-rotation-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const drive = (t: number): string => driveFileName(t, 1);
const at = (iso: string): number => Date.parse(iso);
const touch = (name: string): void => writeFileSync(join(dir, name), '');

test('freeFileName: the clock time, when it is ahead of every file (or the folder is new)', () => {
  assert.equal(
    basename(freeFileName(join(dir, 'not-yet'), at('2026-12-08T10:00:00Z'), drive, DRIVE_FILE)),
    'drive-2026-12-08T10-00-00.000Z.csv',
  );
  touch(drive(at('2026-12-07T09:00:00Z')));
  assert.equal(basename(freeFileName(dir, at('2026-12-08T10:00:00Z'), drive, DRIVE_FILE)), 'drive-2026-12-08T10-00-00.000Z.csv');
});

test('freeFileName: two files in the same millisecond move on by one', () => {
  touch(drive(at('2026-12-08T10:00:00Z')));
  assert.equal(basename(freeFileName(dir, at('2026-12-08T10:00:00Z'), drive, DRIVE_FILE)), 'drive-2026-12-08T10-00-00.001Z.csv');
});

test('freeFileName: a clock behind the newest file (no RTC after a power cut) names the file right after it', () => {
  touch(drive(at('2026-12-01T08:00:00Z')));
  touch(drive(at('2026-12-07T18:30:15.250Z')));
  touch('notes.txt'); // not a drive file: not considered
  const name = basename(freeFileName(dir, at('1970-01-01T00:00:42Z'), drive, DRIVE_FILE));
  // Rotation deletes the first names, and a replay plays a folder in name order: the new file comes last.
  assert.equal(name, 'drive-2026-12-07T18-30-15.251Z.csv');
});

test('freeFileName: a later part of a drive named after a clock that was behind follows its first part', () => {
  const first = 'drive-2026-12-07T18-30-15.251Z.csv';
  touch(first);
  const part2 = basename(freeFileName(dir, at('1970-01-01T00:00:42Z'), (t) => driveFileName(t, 2), DRIVE_FILE));
  assert.equal(part2, 'drive-2026-12-07T18-30-15.251Z.part2.csv');
});

test('freeFileName: a stray file dated past year 9999 cannot be followed; the clock time is used', () => {
  touch('drive-9999-12-31T23-59-59.999Z.csv');
  assert.equal(basename(freeFileName(dir, at('2026-12-08T10:00:00Z'), drive, DRIVE_FILE)), 'drive-2026-12-08T10-00-00.000Z.csv');
});
