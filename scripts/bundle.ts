/**
 * Run by `npm run build` after tsc (which writes only the declarations): bundles the CLI and the
 * library entry into dist/, with the dependencies every gateway loads, minified. Split into
 * chunks, so what a command imports lazily still loads only when it runs (`--help` loads one
 * small chunk). Measured with `npm run bench`: about 6 MB less idle RSS and a faster first
 * answer than the same code as ~400 separate modules, mostly because V8 keeps every module's
 * source text in memory and minified text is small.
 *
 * Left out, loaded from node_modules when a config uses them (or never): the optional parts, so
 * a gateway that does not use them never has their code in memory, and serialport, whose native
 * binding cannot be bundled. No source maps: a map without its sources helps nobody.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Dependencies the bundle leaves to node_modules. */
export const EXTERNAL = [
  'serialport',
  'mqtt',
  '@redis/client',
  '@socket.io/redis-adapter',
  'prom-client',
  'koa-static',
  'koa-send',
  'handlebars',
  // ws's optional native speed-ups, loaded only when installed
  'bufferutil',
  'utf-8-validate',
];

await build({
  absWorkingDir: ROOT,
  entryPoints: { cli: 'src/cli.ts', index: 'src/index.ts' },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  // Function and class names stay, so a stack trace in a bug report still says where it was.
  keepNames: true,
  external: EXTERNAL,
  // The CommonJS dependencies inside ES module chunks still call require() for node's modules.
  banner: { js: "import { createRequire as __obdioRequire } from 'node:module'; const require = __obdioRequire(import.meta.url);" },
  logLevel: 'warning',
});
