import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rename, rm, writeFile, truncate, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchConfigFile, type ConfigFileWatcher } from '../../src/config/watch-file.js';
import { VirtualClock } from '../helpers/virtual-clock.js';

interface Seen {
  text: string;
  changed: string;
}

/**
 * A watcher on a fresh folder, recording every delivery. Its debounce runs on a virtual clock
 * that stands still while a test writes, so what a debounce coalesces does not depend on how
 * fast this machine is; `until` runs it, while the file events themselves come in real time.
 * `realTime` keeps the real clock, for what depends on the real spacing of saves (chokidar
 * folds an unlink and add less than 100 ms apart into one change, on its own real timers).
 */
async function setup(extra: string[] = [], { realTime = false } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'obdio-watch-'));
  const file = join(dir, 'obdio.yaml');
  await writeFile(file, 'units: metric\n');
  const seen: Seen[] = [];
  const clock = new VirtualClock();
  let wake: (() => void) | undefined;
  const watcher: ConfigFileWatcher = watchConfigFile(
    file,
    (text, changed) => {
      seen.push({ text, changed });
      wake?.();
    },
    () => extra,
    realTime ? {} : { clock },
  );
  await watcher.ready;
  /** Resolves when a delivery satisfies `predicate` (the test runner's timeout bounds the wait). */
  const until = async (predicate: (s: Seen) => boolean): Promise<Seen> => {
    for (;;) {
      const hit = seen.find(predicate);
      if (hit) return hit;
      const delivered = new Promise<void>((resolve) => (wake = resolve));
      await (realTime ? delivered : clock.until(delivered));
    }
  };
  /** "Nothing more arrives": a real window for late file events, then every debounce runs out. */
  const settle = async (): Promise<void> => {
    await new Promise((resolve) => setTimeout(resolve, 400));
    await clock.advance(1000);
  };
  const cleanup = async () => {
    await watcher.close();
    await rm(dir, { recursive: true, force: true });
  };
  return { dir, file, seen, watcher, until, settle, cleanup };
}

test('an in-place save delivers the new text, never the empty file in between', { timeout: 10_000 }, async () => {
  const t = await setup();
  try {
    // What editors that overwrite do: truncate, then write.
    await truncate(t.file, 0);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await appendFile(t.file, 'units: imperial\n');
    const hit = await t.until((s) => s.text === 'units: imperial\n');
    assert.equal(hit.changed, t.file);
    await t.settle();
    assert.ok(
      t.seen.every((s) => s.text.trim() !== ''),
      JSON.stringify(t.seen),
    );
  } finally {
    await t.cleanup();
  }
});

test('an atomic save (write a temp file, rename it over) is seen, and so is the next one', { timeout: 10_000 }, async () => {
  const t = await setup([], { realTime: true });
  try {
    for (const units of ['imperial', 'metric']) {
      const temp = join(t.dir, `.obdio.yaml.${units}.tmp`);
      await writeFile(temp, `units: ${units}\n`);
      await rename(temp, t.file);
      await t.until((s) => s === t.seen.at(-1) && s.text === `units: ${units}\n`);
    }
    // A save may be reported more than once; what matters is the sequence of texts.
    const texts = t.seen.map((s) => s.text).filter((text, i, all) => text !== all[i - 1]);
    assert.deepEqual(texts, ['units: imperial\n', 'units: metric\n']);
  } finally {
    await t.cleanup();
  }
});

test('rapid successive saves: the last content wins', { timeout: 10_000 }, async () => {
  const t = await setup();
  try {
    for (let i = 1; i <= 20; i++) await writeFile(t.file, `# save ${i}\n`);
    await t.until((s) => s.text === '# save 20\n');
    await t.settle();
    assert.equal(t.seen.at(-1)?.text, '# save 20\n');
    assert.ok(t.seen.length < 20, `debounced: ${t.seen.length} deliveries`);
  } finally {
    await t.cleanup();
  }
});

test('a file emptied on purpose is delivered (an empty config is valid)', { timeout: 10_000 }, async () => {
  const t = await setup();
  try {
    await writeFile(t.file, '');
    await t.until((s) => s.text === '');
  } finally {
    await t.cleanup();
  }
});

test('extra files (commands_from) trigger a reload of the config text; setExtraFiles replaces them', { timeout: 10_000 }, async () => {
  const dirForExtras = await mkdtemp(join(tmpdir(), 'obdio-extra-'));
  const signals = join(dirForExtras, 'signalsets');
  await mkdir(signals);
  const first = join(signals, 'car.json');
  await writeFile(first, '{}');
  const t = await setup([first]);
  try {
    await writeFile(first, '{"commands": {}}');
    const hit = await t.until((s) => s.changed === first);
    assert.equal(hit.text, 'units: metric\n');

    // Other files in a watched folder are ignored.
    await writeFile(join(t.dir, 'notes.txt'), 'hello');
    await writeFile(join(signals, 'other.json'), '{}');

    const second = join(signals, 'other.json');
    t.watcher.setExtraFiles([second]);
    await writeFile(second, '{"x": 1}');
    await t.until((s) => s.changed === second);
    assert.ok(
      t.seen.every((s) => s.changed === first || s.changed === second),
      JSON.stringify(t.seen),
    );

    const count = t.seen.length;
    await writeFile(first, '{"dropped": true}');
    await writeFile(t.file, 'units: imperial\n');
    await t.until((s) => s.text === 'units: imperial\n');
    assert.ok(
      t.seen.slice(count).every((s) => s.changed === t.file),
      JSON.stringify(t.seen.slice(count)),
    );
  } finally {
    await t.cleanup();
    await rm(dirForExtras, { recursive: true, force: true });
  }
});

test('after close() nothing is delivered', { timeout: 10_000 }, async () => {
  const t = await setup();
  await t.watcher.close();
  await writeFile(t.file, 'units: imperial\n');
  await t.settle();
  assert.deepEqual(t.seen, []);
  await rm(t.dir, { recursive: true, force: true });
});
