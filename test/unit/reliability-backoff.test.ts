import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { backoffDelay } from '../../src/link/backoff.js';

const range = { min: 1000, max: 30_000 };
const middle = () => 0.5; // no jitter: 2 * 0.5 - 1 = 0

test('backoff: min_delay, then doubling, capped at max_delay', () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 40].map((n) => backoffDelay(n, range, middle)),
    [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000],
  );
});

test('backoff: jitter spreads a step by up to 20 % either way, never outside [min, max]', () => {
  assert.equal(
    backoffDelay(2, range, () => 0),
    3200,
  ); // 4000 - 20 %
  assert.equal(
    backoffDelay(2, range, () => 0.999_999),
    4800,
  ); // 4000 + 20 %
  assert.equal(
    backoffDelay(0, range, () => 0),
    1000,
    'the first wait is never shorter than min_delay',
  );
  assert.equal(
    backoffDelay(9, range, () => 0.999_999),
    30_000,
    'nor any wait longer than max_delay',
  );
  fc.assert(
    fc.property(
      fc.nat(2000),
      fc.nat(100_000),
      fc.nat(80),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      (min, extra, attempt, r) => {
        const delay = backoffDelay(attempt, { min, max: min + extra }, () => r);
        return Number.isInteger(delay) && delay >= min && delay <= min + extra;
      },
    ),
  );
});

test('backoff: zero delays stay zero (tests and "retry at once" configs)', () => {
  assert.equal(backoffDelay(5, { min: 0, max: 0 }), 0);
});
