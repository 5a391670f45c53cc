/**
 * What the recorder and the drive logs share about their folders: file names that carry a
 * start time and sort in time order, and deleting the oldest files past a count.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readdir, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * The path for a file started at `t`: `dir` + `nameAt(t)`, where `nameAt` sorts in time order.
 * When the clock is behind the newest file of `dir` matching `pattern` (a Raspberry Pi has no
 * real-time clock: after a power cut, and without network, its time can start far in the past),
 * the name is the first one that sorts after that file instead, so name order stays the order
 * the files were made: rotation deletes the first names, and a replay plays a folder in name
 * order. Two files started in the same millisecond move on by one.
 */
export function freeFileName(dir: string, t: number, nameAt: (t: number) => string, pattern: RegExp): string {
  const newest = namesIn(dir, pattern).sort().at(-1);
  for (let at = newest !== undefined && nameAt(t) <= newest ? firstTimeAfter(newest, t, nameAt) : t; ; at++) {
    const file = join(dir, nameAt(at));
    if (!existsSync(file)) return file;
  }
}

function namesIn(dir: string, pattern: RegExp): string[] {
  try {
    return readdirSync(dir).filter((name) => pattern.test(name));
  } catch {
    return []; // no folder yet: it is made with the first file
  }
}

/** The last time a four-digit year can name: past it ISO text (and name order) changes shape. */
const LAST_NAMEABLE_TIME = Date.UTC(9999, 11, 31);

/**
 * The first time after `t` whose name sorts after `name`: a doubling search, then a binary one.
 * A name no time can follow (a stray file dated past year 9999) leaves `t` as it is.
 */
function firstTimeAfter(name: string, t: number, nameAt: (t: number) => string): number {
  let step = 1;
  while (nameAt(t + step) <= name) {
    step *= 2;
    if (t + step > LAST_NAMEABLE_TIME) return t;
  }
  let [low, high] = [t + step / 2, t + step]; // nameAt(low) <= name < nameAt(high)
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (nameAt(middle) <= name) low = middle;
    else high = middle;
  }
  return high;
}

/**
 * Deletes the oldest files of `dir` whose names match `pattern`, so that at most `keep` remain;
 * names sort in time order. `current` (the file being written) always stays. Throws when the
 * folder cannot be read; a file that cannot be deleted is left.
 */
export async function deleteOldest(dir: string, keep: number, pattern: RegExp, current: string | null): Promise<void> {
  const names = (await readdir(dir)).filter((name) => pattern.test(name));
  // A write stream opens its file a little later: the file being started counts all the same.
  if (current !== null && dirname(current) === dir && !names.includes(basename(current))) names.push(basename(current));
  names.sort();
  const excess = names.length - keep;
  for (const name of names.slice(0, Math.max(0, excess))) {
    const file = join(dir, name);
    if (file !== current) await unlink(file).catch(() => undefined);
  }
}
