/**
 * A discrete-event clock for unit tests (the scheduler, the pipelines' throttle, the config
 * watcher's debounce, the adapter manager's backoff and voltage reads): timers fire in time
 * order, each once the event loop has settled, so counts over virtual seconds are exact and no
 * test depends on real timing. Time moves only while a test runs it (runUntil, advance, until).
 */
import type { Clock } from '../../src/time/clock.js';

/**
 * Turns of the event loop to wait, with no timer due, before the clock takes the system as
 * idle: promise chains that end in a new timer need a turn or two to get there.
 */
const IDLE_TURNS = 3;

interface Goal {
  /** Virtual time not to pass. */
  at: number;
  /** Stop early, where time stands, once this holds. */
  done: () => boolean;
  /** With nothing left to fire: wait for real I/O (true) or jump to `at` (false). */
  awaitsIo: boolean;
  reached: () => void;
}

export class VirtualClock implements Clock {
  t = 0;
  private timers: Array<{ at: number; fn: () => void }> = [];
  private armed = false;
  private idleTurns = 0;
  private goal: Goal | null = null;

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
    return this.run({ at: ms, done: () => false, awaitsIo: false });
  }

  /** Runs virtual time `ms` on from now. */
  advance(ms: number): Promise<void> {
    return this.runUntil(this.t + ms);
  }

  /**
   * Runs virtual time, timer by timer, until `promise` settles, and settles with it; while no
   * timer is due, real I/O (the simulator, a socket) gets the time it needs. Rejects when
   * `limitMs` of virtual time pass first: the condition never came.
   */
  async until<T>(promise: Promise<T>, limitMs = 600_000, what = 'the condition'): Promise<T> {
    let settled = false;
    const watched = promise.finally(() => {
      settled = true;
    });
    watched.catch(() => undefined);
    await this.run({ at: this.t + limitMs, done: () => settled, awaitsIo: true });
    if (!settled) throw new Error(`${what} did not come within ${limitMs} virtual ms`);
    return watched;
  }

  private run(goal: Omit<Goal, 'reached'>): Promise<void> {
    return new Promise((resolve) => {
      this.goal = { ...goal, reached: resolve };
      this.arm();
    });
  }

  private arm(): void {
    if (this.armed) return;
    this.armed = true;
    setImmediate(() => {
      this.armed = false;
      const goal = this.goal;
      if (!goal) return; // nobody runs time: the timers wait
      if (goal.done()) return this.reach(goal);
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next && this.idleTurns < IDLE_TURNS) {
        this.idleTurns++;
        this.arm();
        return;
      }
      this.idleTurns = 0;
      if (!next || next.at > goal.at) {
        if (goal.awaitsIo && !next) {
          // Only real work is pending: look again in a real moment, without spinning.
          setTimeout(() => this.arm(), 1);
          return;
        }
        this.t = Math.max(this.t, goal.at);
        return this.reach(goal);
      }
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.fn();
      this.arm();
    });
  }

  private reach(goal: Goal): void {
    if (this.goal === goal) this.goal = null;
    goal.reached();
  }
}
