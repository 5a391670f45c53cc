import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, parseRate, parseSize } from '../../src/config/durations.js';

test('durations: a number is seconds, converted to milliseconds', () => {
  assert.equal(parseDuration(0.1), 100);
  assert.equal(parseDuration(0.25), 250);
  assert.equal(parseDuration(2), 2000);
  assert.equal(parseDuration(0), 0);
  assert.equal(parseDuration(0.07), 70); // no 70.00000000000001
});

test('durations: strings with ms, s, m, h or no unit (seconds)', () => {
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('2s'), 2000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('1m'), 60_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('0.5'), 500);
  assert.equal(parseDuration('.5s'), 500);
  assert.equal(parseDuration(' 30 s '), 30_000);
  assert.equal(parseDuration('0.5ms'), 0.5);
});

test('durations: anything else is null', () => {
  for (const bad of ['fast', '2 sec', '-1s', '1.2.3s', '', 's', '2S', -1, Number.NaN, Infinity, null, undefined, true, [1], {}]) {
    assert.equal(parseDuration(bad), null, String(bad));
  }
});

test('rates: Hz as a number or "hz" string, strictly positive', () => {
  assert.equal(parseRate(10), 10);
  assert.equal(parseRate('10hz'), 10);
  assert.equal(parseRate('0.5hz'), 0.5);
  assert.equal(parseRate('2 Hz'), 2);
  assert.equal(parseRate('1HZ'), 1);
  for (const bad of [0, -1, '0hz', '10', 'fast', '10 khz', Infinity, null, true]) assert.equal(parseRate(bad), null, String(bad));
});

test('sizes: bytes as a number, decimal kb/mb/gb and binary kib/mib/gib', () => {
  assert.equal(parseSize(1024), 1024);
  assert.equal(parseSize('100b'), 100);
  assert.equal(parseSize('512kb'), 512_000);
  assert.equal(parseSize('1mb'), 1_000_000);
  assert.equal(parseSize('1MB'), 1_000_000);
  assert.equal(parseSize('1.5mb'), 1_500_000);
  assert.equal(parseSize('2gb'), 2_000_000_000);
  assert.equal(parseSize('64kib'), 65_536);
  assert.equal(parseSize('1MiB'), 1_048_576);
  assert.equal(parseSize('1gib'), 1_073_741_824);
  assert.equal(parseSize(0), 0);
  for (const bad of ['1m', 'lots', '-1mb', '1 tb', -5, null, false]) assert.equal(parseSize(bad), null, String(bad));
});
