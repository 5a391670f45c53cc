/**
 * A discrete-event clock for the scheduler's tests: timers fire in time order, each once the
 * event loop has settled, so counts over virtual seconds are exact and no test depends on
 * real timing.
 */
import type { SchedulerClock } from '../../src/watch/scheduler.js';

/**
 * Turns of the event loop to wait, with no timer set, before the clock takes the system as
 * idle: promise chains that end in a new timer need a turn or two to get there.
 */
const IDLE_TURNS = 3;

export class VirtualClock implements SchedulerClock {
  t = 0;
  private timers: Array<{ at: number; fn: () => void }> = [];
  private armed = false;
  private idleTurns = 0;
  private stopAt = 0;
  private reached: (() => void) | null = null;

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { at: this.t + Math.max(0, ms), fn };
    this.timers.push(timer);
    this.arm();
    return timer;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t !== handle);
  }

  delay(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  /** Runs virtual time up to `ms` (or until nothing is left to run), then freezes it there. */
  runUntil(ms: number): Promise<void> {
    this.stopAt = ms;
    return new Promise((resolve) => {
      this.reached = resolve;
      this.arm();
    });
  }

  private arm(): void {
    if (this.armed) return;
    this.armed = true;
    setImmediate(() => {
      this.armed = false;
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next && this.idleTurns < IDLE_TURNS) {
        this.idleTurns++;
        this.arm();
        return;
      }
      this.idleTurns = 0;
      if (!next || next.at > this.stopAt) {
        this.t = this.stopAt;
        this.reached?.();
        this.reached = null;
        return;
      }
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.fn();
      this.arm();
    });
  }
}
