/**
 * Time and timers as a value, so the parts that wait (reconnect backoff, throttles, debounces)
 * can be run on a virtual clock in tests: no real waiting, and the same order on every run.
 */
export interface Clock {
  /** ms: on realClock a monotonic scale whose origin means nothing; on wallClock since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The process's own clock. */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * The wall clock, for parts whose times are shown (an alert's `since`, a drive's ISO rows); its
 * timers never keep the process alive.
 */
export const wallClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Lets a real timer's handle not keep the process alive; a virtual one has nothing to let go. */
export function unrefTimer(handle: unknown): void {
  (handle as { unref?: () => void } | null)?.unref?.();
}
