/**
 * Run by `npm run build` after tsc: removes the declaration files that the package's one entry
 * point (dist/index.d.ts, the only path `exports` allows) does not reach. What is left is the
 * public API's types, and no internal module's imports of development-only types (@types/koa)
 * reach a user's compiler.
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
/** Relative module specifiers in a declaration file: import/export ... from './x.js', import('./x.js'). */
const RELATIVE = /(?:from\s+|import\()\s*['"](\.{1,2}\/[^'"]+)['"]/g;

function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const [, specifier] of code.matchAll(RELATIVE)) {
      queue.push(resolve(dirname(file), specifier!.replace(/\.js$/, '.d.ts')));
    }
  }
  return seen;
}

function declarations(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return declarations(path);
    return entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const keep = reachable(join(DIST, 'index.d.ts'));
let removed = 0;
for (const file of declarations(DIST)) {
  if (keep.has(file)) continue;
  rmSync(file);
  removed++;
}
console.log(`declarations: kept ${keep.size} reachable from dist/index.d.ts, removed ${removed}`);
