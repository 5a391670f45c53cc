#!/usr/bin/env node
// The compiled CLI lives in dist/ (built by `npm install` through the prepare script).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('obdio-gateway: dist/ is missing; run `npm run build` in the package folder\n');
  process.exit(1);
}
await import(cli.href);
