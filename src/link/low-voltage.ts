/**
 * The low-voltage pause: an engine that is off leaves the battery at 12.4-12.7 V and dropping,
 * a running alternator holds it at 13.5-14.5 V. Polling a parked car keeps its ECUs awake and
 * drains the battery, so polling pauses below one threshold and resumes only above a higher
 * one: a voltage hovering around a single threshold would otherwise flap on every reading.
 */
export interface LowVoltageThresholds {
  pause_below: number;
  resume_above: number;
}

export type VoltageVerdict = 'pause' | 'resume' | null;

export class LowVoltageGuard {
  private pausedNow = false;

  constructor(private readonly thresholds: LowVoltageThresholds) {}

  get paused(): boolean {
    return this.pausedNow;
  }

  /** Takes a new reading; says 'pause' or 'resume' when the state flips, else null. */
  update(volts: number): VoltageVerdict {
    if (!Number.isFinite(volts)) return null;
    if (!this.pausedNow && volts < this.thresholds.pause_below) {
      this.pausedNow = true;
      return 'pause';
    }
    if (this.pausedNow && volts > this.thresholds.resume_above) {
      this.pausedNow = false;
      return 'resume';
    }
    return null;
  }

  /** Forgets the state (a new adapter session starts unpaused until its first reading). */
  reset(): void {
    this.pausedNow = false;
  }
}
