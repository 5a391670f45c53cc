import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { ShutdownSignals, stopWithin } from '../../src/shutdown.js';

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
