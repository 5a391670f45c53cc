/**
 * Time and timers as a value, so the parts that wait (reconnect backoff, throttles, debounces)
 * can be run on a virtual clock in tests: no real waiting, and the same order on every run.
 */
export interface Clock {
  /** ms on a monotonic scale: differences are durations, the origin means nothing. */
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

/** Lets a real timer's handle not keep the process alive; a virtual one has nothing to let go. */
export function unrefTimer(handle: unknown): void {
  (handle as { unref?: () => void } | null)?.unref?.();
}
