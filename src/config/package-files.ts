/**
 * Files the package ships beside its code (package.json, schemas/, dashboard/), found from the
 * package's root: the nearest folder above this module that holds obdio-gateway's package.json.
 * That is true of the sources run through tsx, of the bundled dist/ and of an installed
 * node_modules/obdio-gateway alike, however deep the module sits.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;
let version: string | undefined;

/** An absolute path inside the package: packagePath('schemas', 'obdio.schema.json'). */
export function packagePath(...segments: string[]): string {
  root ??= findRoot(dirname(fileURLToPath(import.meta.url)));
  return join(root, ...segments);
}

/** The version in the package's package.json. */
export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
  return version;
}

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    // A user's own package.json above an installed copy is not ours: the name says.
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'obdio-gateway') return dir;
    if (dirname(dir) === dir) throw new Error(`obdio-gateway's package.json is not in any folder above ${from}`);
  }
}
