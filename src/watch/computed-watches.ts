/**
 * The watch loop's side of computed commands (obd/computed.ts): watching one watches its
 * sources (at least at its rate), each completed round of source readings produces its value,
 * and unwatching it lets go of the sources nobody else asked for. Computed commands never
 * reach the bus; their responses go to the same listeners as the bus's. Sources polled only on
 * a computed command's behalf do not stream (clients get the commands they watched).
 */
import type { OBDCommand, OBDResponse } from '../obd/command.js';
import { computeResponse, computedSources, isComputedCommand, resumeComputed } from '../obd/computed.js';

/** What the loop offers for the sources that go on the bus. */
export interface ComputedHost {
  /** Polls a bus command at least at `rate` (Hz; null: every pass) on behalf of computed commands. */
  holdSource(cmd: OBDCommand, rate: number | null): void;
  /** No watched computed command needs this source (a bus or a computed command) any more. */
  releaseSource(cmd: OBDCommand): void;
  /** Stores a computed response as the latest; `stream`: also to the listeners, like a polled one. */
  publish(response: OBDResponse, stream: boolean): void;
}

interface Active {
  rate: number | null;
  sources: OBDCommand[];
  /** This round's readings, by source. */
  readings: Map<OBDCommand, OBDResponse>;
}

/** The faster of two rates (null: every pass, the fastest). */
function faster(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : Math.max(a, b);
}

export class ComputedWatches {
  private readonly active = new Map<OBDCommand, Active>();
  /** Computed commands a client or the config watched (the others are sources of those). */
  private readonly explicit = new Map<OBDCommand, number | null>();

  constructor(private readonly host: ComputedHost) {}

  /** Explicitly watched computed commands with their rates. */
  watchList(): Array<{ cmd: OBDCommand; rate: number | null }> {
    return [...this.explicit].map(([cmd, rate]) => ({ cmd, rate }));
  }

  isWatched(cmd: OBDCommand): boolean {
    return this.explicit.has(cmd);
  }

  watch(cmd: OBDCommand, rate: number | null): void {
    this.explicit.set(cmd, rate);
    this.activate(cmd, rate);
  }

  unwatch(cmd: OBDCommand): void {
    this.explicit.delete(cmd);
    this.release(cmd);
  }

  clear(): void {
    this.explicit.clear();
    this.active.clear();
  }

  /** Whether a watched computed command reads this command. */
  needs(cmd: OBDCommand): boolean {
    for (const active of this.active.values()) if (active.sources.includes(cmd)) return true;
    return false;
  }

  /** A response arrived: feeds every watched computed command that reads it. */
  feed(response: OBDResponse): void {
    for (const [cmd, active] of this.active) {
      if (!active.sources.includes(response.command)) continue;
      active.readings.set(response.command, response);
      if (active.readings.size < active.sources.length) continue;
      const readings = active.sources.map((source) => active.readings.get(source)!);
      active.readings.clear();
      const computed = computeResponse(cmd, readings, true);
      // Only what was asked for streams: a computed command read by another one is kept, not sent.
      this.host.publish(computed, this.explicit.has(cmd));
      this.feed(computed);
    }
  }

  private activate(cmd: OBDCommand, rate: number | null): void {
    const existing = this.active.get(cmd);
    if (existing) {
      existing.rate = this.explicit.has(cmd) ? this.explicit.get(cmd)! : faster(existing.rate, rate);
    } else {
      this.active.set(cmd, { rate, sources: computedSources(cmd), readings: new Map() });
      resumeComputed(cmd);
    }
    const active = this.active.get(cmd)!;
    for (const source of active.sources) {
      if (isComputedCommand(source)) this.activate(source, active.rate);
      else this.host.holdSource(source, active.rate);
    }
  }

  private release(cmd: OBDCommand): void {
    const active = this.active.get(cmd);
    if (!active || this.explicit.has(cmd) || this.needs(cmd)) return;
    this.active.delete(cmd);
    for (const source of active.sources) {
      if (this.needs(source)) continue;
      if (isComputedCommand(source)) this.release(source);
      if (!this.active.has(source)) this.host.releaseSource(source);
    }
  }
}
