/**
 * Calls back with the config file's text whenever it, or one of the extra files (commands_from),
 * is saved. Editors save in two ways and both must work:
 *  - atomically (write a temp file, rename it over the original): a watch on the file itself
 *    would follow the old inode and go quiet, so we watch the folders and filter by name;
 *  - in place (truncate, then write): the file is briefly empty, and an empty file is a valid
 *    config, so events are debounced and an empty read is confirmed once before it is delivered.
 * Reads are sequenced so a slow read can never deliver older text after a newer one.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { realClock, type Clock } from '../time/clock.js';

export interface ConfigFileWatcher {
  /** Resolves once the watcher is set up; changes made before that may be missed. */
  readonly ready: Promise<void>;
  /** Replaces the extra files (absolute or relative to the working directory). */
  setExtraFiles(files: readonly string[]): void;
  close(): Promise<void>;
}

export interface WatchConfigOptions {
  /** Quiet time after the last event before the file is read. */
  debounceMs?: number;
  /** Watcher failures (e.g. the folder was removed); the watcher keeps going where it can. */
  onError?: (error: Error) => void;
  /** Times the debounce (tests pass a virtual clock). */
  clock?: Clock;
}

/**
 * @param onChange receives the config file's text, and which file's change caused the read.
 *                 Not called when the config file cannot be read (deleted, mid-rename).
 */
export function watchConfigFile(
  file: string,
  onChange: (text: string, changed: string) => void,
  extraFiles?: () => string[],
  options: WatchConfigOptions = {},
): ConfigFileWatcher {
  const configFile = resolve(file);
  const debounceMs = options.debounceMs ?? 75;
  const clock = options.clock ?? realClock;
  let files = new Set<string>([configFile, ...(extraFiles?.() ?? []).map((f) => resolve(f))]);
  let folders = new Set([...files].map((f) => dirname(f)));
  let timer: unknown;
  let generation = 0;
  let closed = false;

  const watcher: FSWatcher = watch([...folders], {
    ignoreInitial: true,
    depth: 0,
    atomic: true,
    // Only the watched folders and files; other files in those folders are not our business.
    ignored: (path: string) => !folders.has(path) && !files.has(path),
  });

  const deliver = async (changed: string, confirmEmpty: boolean): Promise<void> => {
    const mine = ++generation;
    let text: string;
    try {
      text = await readFile(configFile, 'utf8');
    } catch {
      return; // gone for now: a rename or a new save will bring another event
    }
    if (closed || mine !== generation) return; // a newer change is on its way
    if (text.trim() === '' && !confirmEmpty) {
      // Probably the truncate half of an in-place save: look again once before believing it.
      timer = clock.setTimeout(() => void deliver(changed, true), debounceMs * 2);
      return;
    }
    onChange(text, changed);
  };

  const onEvent = (path: string): void => {
    const changed = resolve(path);
    if (closed || !files.has(changed)) return;
    generation++; // cancels a read already under way
    clock.clearTimeout(timer);
    timer = clock.setTimeout(() => void deliver(changed, false), debounceMs);
  };

  watcher.on('add', onEvent).on('change', onEvent).on('unlink', onEvent);
  watcher.on('error', (error: unknown) => options.onError?.(error instanceof Error ? error : new Error(String(error))));
  const ready = new Promise<void>((done) => watcher.once('ready', () => done()));

  return {
    ready,
    setExtraFiles(extra: readonly string[]): void {
      files = new Set([configFile, ...extra.map((f) => resolve(f))]);
      const wanted = new Set([...files].map((f) => dirname(f)));
      const added = [...wanted].filter((d) => !folders.has(d));
      const removed = [...folders].filter((d) => !wanted.has(d));
      folders = wanted;
      if (added.length > 0) watcher.add(added);
      if (removed.length > 0) watcher.unwatch(removed);
    },
    async close(): Promise<void> {
      closed = true;
      clock.clearTimeout(timer);
      await watcher.close();
    },
  };
}
