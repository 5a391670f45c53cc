/**
 * How long to wait before the next reconnect attempt: min_delay, then doubling up to
 * max_delay, each wait spread by ±20 % so that several gateways (or a gateway and the adapter's
 * own reboot cycle) do not keep retrying in lock-step.
 */
export interface BackoffRange {
  /** ms before the first retry. */
  min: number;
  /** Longest wait, in ms. */
  max: number;
}

/** The spread around each step, as a fraction of it. */
const JITTER = 0.2;

/**
 * The wait before retry number `attempt` (0 for the first retry after a loss). `random` returns
 * numbers in [0, 1); the result always lies within [min, max].
 */
export function backoffDelay(attempt: number, range: BackoffRange, random: () => number = Math.random): number {
  const min = Math.max(0, range.min);
  const max = Math.max(min, range.max);
  // 2^attempt overflows to Infinity for large attempts, which the clamp below handles.
  const step = Math.min(max, min * 2 ** Math.max(0, attempt));
  const spread = step * JITTER * (2 * random() - 1);
  return Math.round(Math.min(max, Math.max(min, step + spread)));
}
