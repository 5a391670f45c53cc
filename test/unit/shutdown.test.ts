import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { ShutdownSignals, stopWithin, watchLauncher } from '../../src/shutdown.js';

test('shutdown: the first signal resolves `first`, the second calls onSecond, dispose removes the listeners', async () => {
  const source = new EventEmitter();
  const seconds: string[] = [];
  const signals = new ShutdownSignals((signal) => seconds.push(signal), source);
  source.emit('SIGTERM');
  assert.equal(await signals.first, 'SIGTERM');
  assert.deepEqual(seconds, []);
  source.emit('SIGINT');
  assert.deepEqual(seconds, ['SIGINT']);
  signals.dispose();
  assert.equal(source.listenerCount('SIGINT') + source.listenerCount('SIGTERM'), 0);
});

test('shutdown: stopWithin is true when stop finishes in time, false when it hangs past the deadline', async () => {
  assert.equal(await stopWithin(async () => undefined, 1000), true);
  assert.equal(await stopWithin(() => Promise.reject(new Error('x')), 1000), true);
  assert.equal(await stopWithin(() => new Promise<void>(() => undefined), 20), false);
});

test('shutdown: request() resolves `first` with its reason unless a signal came first', async () => {
  const source = new EventEmitter();
  const signals = new ShutdownSignals(() => undefined, source);
  signals.request('npm exited');
  source.emit('SIGTERM');
  assert.equal(await signals.first, 'npm exited');
  signals.dispose();
});

test('shutdown: watchLauncher calls back once when npm started the process and its parent changes; otherwise never', async () => {
  let parent = 4242;
  const calls: string[] = [];
  const stop = watchLauncher(() => calls.push('gone'), { env: { npm_lifecycle_event: 'npx' }, parentPid: () => parent, intervalMs: 1 });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(calls, [], 'same parent: nothing');
  parent = 1;
  for (let i = 0; i < 100 && calls.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(calls, ['gone'], 'once');
  stop();

  let other = 4242;
  const unwatched: string[] = [];
  const stopOther = watchLauncher(() => unwatched.push('gone'), { env: {}, parentPid: () => other, intervalMs: 1 });
  other = 1;
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.deepEqual(unwatched, [], 'not started by npm (a service, nohup): outliving the parent is wanted');
  stopOther();
});
