#!/usr/bin/env node
// The compiled CLI lives in dist/ (built by `npm install` through the prepare script).
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

// A gateway's heap is small and long-lived, but start-up (loading modules) makes V8 grow the
// young generation to 16 MB, which stays resident: about 8 MB of idle RSS for nothing. Keeping
// it at its initial size must happen here, in the process, because npx, a service or a container
// pass no node flags; someone who sets the size with a flag of their own keeps theirs.
// (V8 reads this flag each time it would grow the young generation, so setting it now works.)
const nodeFlags = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
if (!/--(max|min)-semi-space-size|--semi-space-growth-factor/.test(nodeFlags)) setFlagsFromString('--semi-space-growth-factor=1');

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('obdio-gateway: dist/ is missing; run `npm run build` in the package folder\n');
  process.exit(1);
}
await import(cli.href);
