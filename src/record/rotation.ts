/**
 * What the recorder and the drive logs share about their folders: file names that carry a
 * start time and sort in time order, and deleting the oldest files past a count.
 */
import { existsSync } from 'node:fs';
import { readdir, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * The first name `nameAt(t)` gives, from `t` on, that is not taken in `dir`: two files started
 * in the same millisecond move on by one.
 */
export function freeFileName(dir: string, t: number, nameAt: (t: number) => string): string {
  for (let at = t; ; at++) {
    const file = join(dir, nameAt(at));
    if (!existsSync(file)) return file;
  }
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
