/**
 * The Docker image, built and run for real: it needs a Docker engine, so it is not part of
 * `npm test` (CI has none); run it with `npm run test:docker` where `docker info` answers. What
 * can be checked without an engine (the Dockerfile, compose file, health check, PID 1 signals) is
 * in test/e2e/deployment.test.ts.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

test('the image builds, reports healthy on the simulator, runs as node and stops cleanly on docker stop', async () => {
  const info = spawnSync('docker', ['info'], { encoding: 'utf8' });
  assert.equal(info.status, 0, `no Docker engine answers: ${info.stderr}`);
  const tag = `obdio-gateway-test:${process.pid}`;
  await run('docker', ['build', '-t', tag, ROOT], { maxBuffer: 64 * 1024 * 1024 });
  const { stdout } = await run('docker', ['run', '-d', '-e', 'OBDIO_PORT=sim', '--health-interval=1s', '--health-start-period=0s', tag]);
  const container = stdout.trim();
  try {
    let health = '';
    for (let tries = 0; health !== 'healthy' && tries < 60; tries++) {
      await new Promise((r) => setTimeout(r, 500));
      health = (await run('docker', ['inspect', '-f', '{{.State.Health.Status}}', container])).stdout.trim();
    }
    assert.equal(health, 'healthy');
    assert.equal((await run('docker', ['exec', container, 'id', '-un'])).stdout.trim(), 'node');
    await run('docker', ['stop', '-t', '5', container]);
    assert.equal((await run('docker', ['inspect', '-f', '{{.State.ExitCode}}', container])).stdout.trim(), '0');
    assert.match((await run('docker', ['logs', container])).stdout, /SIGTERM: shutting down[\s\S]*stopped/);
  } finally {
    await run('docker', ['rm', '-f', container]).catch(() => undefined);
    await run('docker', ['rmi', tag]).catch(() => undefined);
  }
});
