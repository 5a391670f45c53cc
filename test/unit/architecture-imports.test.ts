/**
 * The layers of src/, read from the imports themselves: a module may import its own folder and
 * the layers below it, never a layer above or a sibling at its own level. docs/architecture.md
 * draws the same picture; this test is what keeps the two honest.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Lowest first. Folders on one level do not import each other. */
export const LAYERS: readonly string[][] = [
  ['time'], // the clock: real, or virtual in tests
  ['log', 'config'], // leaves: logging, the config's types, schema and checks
  ['transport'], // bytes to and from an adapter: serial, TCP, replay, taps
  ['sim', 'elm327'], // the simulated adapter and car; the ELM327 driver
  ['obd'], // commands, decoders, encodings: what the bytes mean
  ['templates'], // Handlebars, compiled once per reload
  ['watch'], // the scheduler and the pipelines
  ['api'], // what every transport of requests shares: the service, default events, errors
  ['link'], // the adapter's state machine: connect, reconnect, hang, low voltage
  ['actions'], // custom events
  ['fanout'], // broadcasts: paced to many sockets, shared with other gateways through Redis
  ['alerts'], // thresholds, trouble codes, the link: raised and cleared, told to the outputs
  ['server', 'sinks', 'record'], // the parts that talk to the outside
  ['(root)'], // gateway, cli, the public entry point
];

/** The layers that must not know the YAML config at all: they take plain options. */
const CONFIG_FREE = new Set(['transport', 'sim', 'elm327', 'obd']);

function layerOf(file: string): string {
  const parts = relative(SRC, file).split(sep);
  return parts.length === 1 ? '(root)' : parts[0]!;
}

function levelOf(layer: string): number {
  const level = LAYERS.findIndex((names) => names.includes(layer));
  assert.notEqual(level, -1, `src/${layer}/ is not in LAYERS: say where it belongs`);
  return level;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import of a file (static, type-only and dynamic), as resolved .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)];
  return found.map((m) => normalize(join(dirname(file), m[1]!)).replace(/\.js$/, '.ts'));
}

test('imports only go down the layers', () => {
  const wrong: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = layerOf(file);
    for (const target of importsOf(file)) {
      const to = layerOf(target);
      if (from === to) continue;
      const edge = `${relative(SRC, file)} → ${relative(SRC, target)}`;
      if (levelOf(to) >= levelOf(from)) wrong.push(`${edge} (${to} is not below ${from})`);
      else if (CONFIG_FREE.has(from) && to === 'config') wrong.push(`${edge} (${from} takes plain options, not the config)`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('every folder of src/ has its place', () => {
  for (const entry of readdirSync(SRC, { withFileTypes: true })) {
    if (entry.isDirectory()) levelOf(entry.name);
  }
});
