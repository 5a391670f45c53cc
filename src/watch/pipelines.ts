/**
 * The declarative form of the reference's `watch_callback`: each entry of `watch.callbacks`
 * is a pipeline that sees every watched response and runs
 *
 *   filter   commands (only these names), deadband (a number passes when it differs from the
 *            last value of that command that passed by at least the deadband; other values
 *            pass), on_change (drops a value equal to the last one that passed)
 *   cache    keeps the latest response that passed, per command name
 *   emit     event and `to` (all | room:<name>, templates), `every` (throttle: the first
 *            response after a quiet spell goes at once, later ones at most once per `every`,
 *            and the last state of a window is always sent at its end, so the latest value is
 *            never lost), `data` (a payload template, see templates/templates.ts, with the
 *            context { response, cache, <COMMAND>: response }); without data the event
 *            carries the cache (name -> response encoding) when cache is on, else the response.
 *
 * On a reload the gateway builds new pipelines and passes the old ones: a callback with the
 * same name (or, unnamed, the same position) takes over the cache, the filter's last values
 * and the throttle's timing, so values keep flowing and nothing is re-sent needlessly.
 */
import type { Logger } from 'pino';
import type { CallbackSpec } from '../config/spec.js';
import type { EncodedResponse } from '../obd/encode.js';
import { compilePayload, compileTemplate, type PayloadTemplate, type TemplateContext } from '../templates/templates.js';
import { realClock, type Clock } from '../time/clock.js';

/** Where pipelines send their events: every client, or a room. Socket.IO's server fits. */
export interface Broadcaster {
  emit(event: string, ...args: unknown[]): unknown;
  to(room: string): { emit(event: string, ...args: unknown[]): unknown };
}

export interface Pipelines {
  /** One watched response, already encoded (the caller encodes once for every consumer). */
  push(encoded: EncodedResponse): void;
  close(): void;
}

/**
 * Builds the pipelines of `watch.callbacks`, templates compiled now. `previous`, the pipelines
 * being replaced, hands its state over (see the module comment); close it afterwards. `clock`
 * times the `every` throttle (tests pass a virtual one).
 */
export function buildPipelines(
  callbacks: readonly CallbackSpec[],
  target: Broadcaster,
  previous?: Pipelines | null,
  logger?: Logger,
  clock: Clock = realClock,
): Pipelines {
  const pipelines = callbacks.map((spec, i) => new Pipeline(spec, pipelineKey(spec, i), target, logger, clock));
  if (previous instanceof PipelineSet) {
    for (const pipeline of pipelines) {
      const old = previous.byKey(pipeline.key);
      if (old) pipeline.adopt(old);
    }
  }
  return new PipelineSet(pipelines);
}

function pipelineKey(spec: CallbackSpec, index: number): string {
  return spec.name === null ? `#${index}` : `name:${spec.name}`;
}

class PipelineSet implements Pipelines {
  constructor(private readonly pipelines: readonly Pipeline[]) {}

  push(encoded: EncodedResponse): void {
    for (const pipeline of this.pipelines) pipeline.push(encoded);
  }

  close(): void {
    for (const pipeline of this.pipelines) pipeline.close();
  }

  byKey(key: string): Pipeline | undefined {
    return this.pipelines.find((p) => p.key === key);
  }
}

interface CompiledEmit {
  event: PayloadTemplate;
  to: PayloadTemplate;
  data: PayloadTemplate | null;
  every: number;
}

class Pipeline {
  /** Latest response per command name; no prototype, so any command name is a plain key. */
  private cache: Record<string, EncodedResponse> = Object.create(null) as Record<string, EncodedResponse>;
  /** The last value of each command that passed the filter (for deadband and on_change). */
  private lastPassed = new Map<string, unknown>();
  private latest: EncodedResponse | null = null;
  private timer: unknown = null;
  private lastEmit = -Infinity;
  private readonly only: ReadonlySet<string> | null;
  private readonly emit: CompiledEmit | null;
  /** Problems already logged, so a broken template does not flood the log at 10 Hz. */
  private readonly logged = new Set<string>();

  constructor(
    private readonly spec: CallbackSpec,
    readonly key: string,
    private readonly target: Broadcaster,
    private readonly logger: Logger | undefined,
    private readonly clock: Clock,
  ) {
    this.only = spec.filter.commands ? new Set(spec.filter.commands) : null;
    const emit = spec.emit;
    this.emit = emit
      ? {
          event: compileTemplate(emit.event, { json: false }),
          to: compileTemplate(emit.to, { json: false }),
          data: emit.data === null ? null : compilePayload(emit.data),
          every: emit.every ?? 0,
        }
      : null;
  }

  push(encoded: EncodedResponse): void {
    const name = encoded.command.name;
    if (this.only && !this.only.has(name)) return;
    if (!this.passes(name, encoded.value)) return;
    this.lastPassed.set(name, encoded.value);
    if (this.spec.cache) this.cache[name] = encoded;
    this.latest = encoded;
    if (!this.emit) return;
    if (this.emit.every <= 0) return this.send();
    if (this.timer) return; // the pending emit will carry this state
    this.schedule();
  }

  close(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Takes over the state of the pipeline this one replaces on a reload. */
  adopt(old: Pipeline): void {
    this.lastPassed = new Map([...old.lastPassed].filter(([name]) => !this.only || this.only.has(name)));
    if (this.spec.cache) {
      for (const [name, encoded] of Object.entries(old.cache)) if (!this.only || this.only.has(name)) this.cache[name] = encoded;
    }
    this.latest = old.latest;
    this.lastEmit = old.lastEmit;
    // The old one had a throttled emit waiting: this one sends it, at its own rate.
    if (old.timer && this.emit && this.latest) {
      if (this.emit.every <= 0) this.send();
      else this.schedule();
    }
  }

  private passes(name: string, value: unknown): boolean {
    if (!this.lastPassed.has(name)) return true;
    const last = this.lastPassed.get(name);
    const { deadband, on_change } = this.spec.filter;
    if (deadband !== null && typeof value === 'number' && typeof last === 'number' && Math.abs(value - last) < deadband) return false;
    if (on_change && sameValue(value, last)) return false;
    return true;
  }

  private schedule(): void {
    const wait = this.lastEmit + this.emit!.every - this.clock.now();
    if (wait <= 0) return this.send();
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.send();
    }, wait);
  }

  private send(): void {
    const emit = this.emit!;
    const latest = this.latest;
    if (!latest) return;
    this.lastEmit = this.clock.now();
    // A copy: the cache keeps changing, what was sent must not.
    const cache = { ...this.cache };
    const context: TemplateContext = { [latest.command.name]: latest, response: latest, cache };
    try {
      const event = emit.event.text(context).trim();
      const to = emit.to.text(context).trim();
      const payload = emit.data ? emit.data.value(context) : this.spec.cache ? cache : latest;
      if (event === '') throw new Error(`the event name '${emit.event.source}' rendered empty`);
      if (to === 'all') this.target.emit(event, payload);
      else if (to.startsWith('room:') && to.length > 'room:'.length) this.target.to(to.slice('room:'.length)).emit(event, payload);
      else throw new Error(`to must be all or room:<name>, got '${to}'`);
    } catch (error) {
      this.warnOnce(error instanceof Error ? error.message : String(error));
    }
  }

  private warnOnce(message: string): void {
    if (this.logged.has(message)) return;
    if (this.logged.size < 20) this.logged.add(message);
    const where = this.spec.name ?? this.key;
    this.logger?.warn({ callback: where }, `watch callback ${where}: not emitted: ${message}`);
  }
}

/** Decoded values are JSON-ready, so equal JSON is an equal value (lists, records, numbers). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
