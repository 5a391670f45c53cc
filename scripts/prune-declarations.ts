/**
 * Run by `npm run build` after tsc: removes the declaration files that the package's one entry
 * point (dist/index.d.ts, the only path `exports` allows) does not reach. What is left is the
 * public API's types, and no internal module's imports of development-only types (@types/koa)
 * reach a user's compiler.
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
/** The modules a declaration file imports (import/export ... from 'x', import('x')), comments left out. */
export function declarationImports(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...code.matchAll(/(?:from\s+|import\()\s*['"]([^'"]+)['"]/g)].map((match) => match[1]!);
}

function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of declarationImports(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) queue.push(resolve(dirname(file), specifier.replace(/\.js$/, '.d.ts')));
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

function prune(): void {
  const keep = reachable(join(DIST, 'index.d.ts'));
  let removed = 0;
  for (const file of declarations(DIST)) {
    if (keep.has(file)) continue;
    rmSync(file);
    removed++;
  }
  console.log(`declarations: kept ${keep.size} reachable from dist/index.d.ts, removed ${removed}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) prune();
