/**
 * One alert's state: inactive → pending (the condition holds, waiting out `for`) → active →
 * inactive once the clear condition holds. Raising and clearing test different conditions
 * (hysteresis), so a value that wanders around one threshold does not flap; a condition that
 * stops holding during `for` resets the wait. Time comes from a clock so tests run on a
 * virtual one.
 */
import type { Clock } from '../time/clock.js';
import type { Verdict } from './conditions.js';

/** What clients, MQTT, the webhook and the log are told; also each active alert's state. */
export interface AlertEvent {
  name: string;
  message: string;
  active: boolean;
  /** When it was raised (active) or cleared (inactive), ms since the epoch. */
  since: number;
  /** What raised it: the value read, the trouble codes, the adapter's state. */
  value: unknown;
}

export class AlertMachine {
  private active = false;
  private since = 0;
  private value: unknown = null;
  private pending: unknown = null;

  constructor(
    readonly name: string,
    readonly message: string,
    private readonly holdMs: number,
    private readonly clock: Clock,
    private readonly changed: (event: AlertEvent) => void,
  ) {}

  /** The alert as it stands, when active. */
  get state(): AlertEvent | null {
    return this.active ? this.event() : null;
  }

  /** A new look at the condition. */
  feed(verdict: Verdict): void {
    if (this.active) {
      if (verdict.clear === true) return this.set(false, verdict.value);
      if (verdict.raise !== null) this.value = verdict.value;
      return;
    }
    if (verdict.raise === true) {
      this.value = verdict.value;
      if (this.holdMs <= 0) return this.set(true, verdict.value);
      this.pending ??= this.clock.setTimeout(() => {
        this.pending = null;
        this.set(true, this.value);
      }, this.holdMs);
    } else if (verdict.raise === false) {
      this.cancel();
    }
  }

  /** Forgets a wait in progress (stopping, or the rule changed). */
  cancel(): void {
    if (this.pending !== null) this.clock.clearTimeout(this.pending);
    this.pending = null;
  }

  private set(active: boolean, value: unknown): void {
    this.active = active;
    this.since = this.clock.now();
    this.value = value;
    this.changed(this.event());
  }

  private event(): AlertEvent {
    return { name: this.name, message: this.message, active: this.active, since: this.since, value: this.value };
  }
}
