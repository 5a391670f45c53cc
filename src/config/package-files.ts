/**
 * Files the package ships beside its code (package.json, schemas/, dashboard/), found from the
 * package's root: the nearest folder above this module that holds obdio-gateway's package.json.
 * That is true of the sources run through tsx, of the bundled dist/ and of an installed
 * node_modules/obdio-gateway alike, however deep the module sits.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Manifest {
  name?: unknown;
  version: string;
}

let found: { root: string; manifest: Manifest } | undefined;

/** An absolute path inside the package: packagePath('schemas', 'obdio.schema.json'). */
export function packagePath(...segments: string[]): string {
  return join(thePackage().root, ...segments);
}

/** The version in the package's package.json. */
export function packageVersion(): string {
  return thePackage().manifest.version;
}

function thePackage(): { root: string; manifest: Manifest } {
  found ??= findPackage(dirname(fileURLToPath(import.meta.url)));
  return found;
}

function findPackage(from: string): { root: string; manifest: Manifest } {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
      // A user's own package.json above an installed copy is not ours: the name says.
      if (manifest.name === 'obdio-gateway') return { root: dir, manifest };
    }
    if (dirname(dir) === dir) throw new Error(`obdio-gateway's package.json is not in any folder above ${from}`);
  }
}
