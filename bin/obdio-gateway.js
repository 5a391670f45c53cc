#!/usr/bin/env -S node --max-semi-space-size=2
// The young generation capped at 2 MB: the gateway's garbage is small and short-lived, and
// V8's default (up to 32 MB) costs ~14 MB of RSS idle and ~25 MB under load, and npm run bench
// shows no loss of throughput without it.
// The compiled CLI lives in dist/ (built by `npm install` through the prepare script).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('obdio-gateway: dist/ is missing; run `npm run build` in the package folder\n');
  process.exit(1);
}
await import(cli.href);
