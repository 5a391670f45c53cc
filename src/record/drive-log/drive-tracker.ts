/**
 * When drives start and end. A drive starts when the car answers: the adapter reports it
 * connected to the car ('connected', 'Car Connected'), or a value arrives. It ends once the car
 * has been silent for `grace` ms: silence starts with a response without a value (ignition off:
 * NO DATA) or with the adapter leaving the car (status 'OBD Connected', lost, closed); any value
 * in between is the car answering again, and the drive goes on.
 */

import { wallClock, type Clock } from '../../time/clock.js';

export interface DriveListener {
  /** A drive started at `t` (ms since the epoch). */
  started(t: number): void;
  /** The drive ended; `t` is when the car went silent. */
  ended(t: number): void;
}

/** What the tracker reads of an adapter snapshot (AdapterSnapshot has it). */
export interface CarLink {
  state: string;
  status: string;
}

export function carAnswers(link: CarLink): boolean {
  return link.state === 'connected' && link.status === 'Car Connected';
}

export class DriveTracker {
  private driveStart: number | null = null;
  private silentSince: number | null = null;
  private timer: unknown = null;
  private count = 0;
  private linkUp = false;

  constructor(
    private grace: number,
    private readonly listener: DriveListener,
    private readonly clock: Clock = wallClock,
  ) {}

  get driving(): boolean {
    return this.driveStart !== null;
  }

  /** Drives started so far. */
  get drives(): number {
    return this.count;
  }

  setGrace(ms: number): void {
    this.grace = ms;
    if (this.silentSince !== null) this.arm();
  }

  /**
   * The adapter's snapshot changed. Only reaching the car counts as an answer: snapshots also
   * change for the battery voltage, which the adapter reads with the ignition off.
   */
  link(link: CarLink): void {
    const up = carAnswers(link);
    if (up && !this.linkUp) this.answered();
    else if (!up) this.silent();
    this.linkUp = up;
  }

  /** A response of a logged command: with a value the car answers, without one it is silent. */
  value(hasValue: boolean): void {
    if (hasValue) this.answered();
    else this.silent();
  }

  /** Ends the drive now (the gateway stops). */
  end(): void {
    if (this.driveStart === null) return;
    const t = this.silentSince ?? this.clock.now();
    this.driveStart = null;
    this.silentSince = null;
    this.disarm();
    this.listener.ended(t);
  }

  private answered(): void {
    this.silentSince = null;
    this.disarm();
    if (this.driveStart !== null) return;
    this.driveStart = this.clock.now();
    this.count++;
    this.listener.started(this.driveStart);
  }

  private silent(): void {
    if (this.driveStart === null || this.silentSince !== null) return;
    this.silentSince = this.clock.now();
    this.arm();
  }

  private arm(): void {
    this.disarm();
    const left = Math.max(0, this.silentSince! + this.grace - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.end();
    }, left);
  }

  private disarm(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
