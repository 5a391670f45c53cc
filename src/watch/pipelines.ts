import type { CallbackSpec } from '../config/spec.js';
import type { OBDResponse } from '../obd/command.js';
import { encodeResponse } from '../obd/encode.js';

/** Where pipelines send their events: every client, or a room. Socket.IO's server fits. */
export interface Broadcaster {
  emit(event: string, ...args: unknown[]): unknown;
  to(room: string): { emit(event: string, ...args: unknown[]): unknown };
}

export interface Pipelines {
  push(response: OBDResponse): void;
  close(): void;
}

type Encoded = ReturnType<typeof encodeResponse>;

/**
 * The declarative form of the reference's `watch_callback`: each callback of `watch.callbacks`
 * sees every watched response; it may keep the latest per command (`cache`) and emit either
 * each response or the whole cache, at most once per `every` ms.
 */
export function buildPipelines(callbacks: readonly CallbackSpec[], target: Broadcaster): Pipelines {
  const pipelines = callbacks.map((spec) => new Pipeline(spec, target));
  return {
    push(response) {
      // Encode once, whatever number of pipelines see it: this is the streaming hot path.
      const encoded = encodeResponse(response);
      for (const pipeline of pipelines) pipeline.push(response, encoded);
    },
    close() {
      for (const pipeline of pipelines) pipeline.close();
    },
  };
}

class Pipeline {
  private readonly cache: Record<string, Encoded> = {};
  private readonly only: ReadonlySet<string> | null;
  private latest: Encoded | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastEmit = 0;

  constructor(
    private readonly spec: CallbackSpec,
    private readonly target: Broadcaster,
  ) {
    this.only = spec.filter?.commands ? new Set(spec.filter.commands) : null;
  }

  push(response: OBDResponse, encoded: Encoded): void {
    if (this.only && !this.only.has(response.command.name)) return;
    if (this.spec.cache) this.cache[response.command.name] = encoded;
    this.latest = encoded;
    const emit = this.spec.emit;
    if (!emit) return;
    const every = emit.every ?? 0;
    if (every <= 0) return this.send();
    if (this.timer) return;
    const wait = this.lastEmit + every - performance.now();
    if (wait <= 0) return this.send();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.send();
    }, wait);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private send(): void {
    const emit = this.spec.emit!;
    this.lastEmit = performance.now();
    const payload = this.spec.cache ? this.cache : this.latest;
    const to = emit.to ?? 'all';
    if (to.startsWith('room:')) this.target.to(to.slice(5)).emit(emit.event, payload);
    else this.target.emit(emit.event, payload);
  }
}
