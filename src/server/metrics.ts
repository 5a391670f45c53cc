/**
 * What `/metrics` (Prometheus text format, through prom-client) and `/healthz` (see health.ts)
 * answer; metrics-routes.ts serves them over HTTP. Counting starts with the gateway and costs a few integer
 * additions per adapter request; prom-client itself (~13 MB) is imported on the first scrape,
 * so a gateway nobody scrapes never loads it.
 *
 * What is measured:
 *   obdio_adapter_requests_total{type}        requests written to the adapter (type: obd | at)
 *   obdio_adapter_requests_per_second         over the last 10 s (use rate() on the total in PromQL)
 *   obdio_adapter_errors_total{kind}          error replies by ELM327 code (NO_DATA, CAN_ERROR, ...),
 *                                             TIMEOUT (no prompt before the next request), LOST (link gone)
 *   obdio_adapter_reconnects_total            the adapter connected again after being lost
 *   obdio_adapter_state{state}                1 for the current state of the adapter
 *   obdio_vehicle_connected                   1 when the car answers
 *   obdio_values_total, obdio_null_values_total   decoded watch-loop responses, with and without value
 *   obdio_last_value_age_seconds              since the last decoded value (NaN before the first)
 *   obdio_clients                             Socket.IO clients connected to this process
 *   obdio_client_events_total{event}          events clients sent, by name ("(unknown)" for names
 *                                             the gateway does not know)
 *   obdio_client_errors_total{code}           obdio:error replies sent, by code
 *   obdio_event_loop_delay_seconds{quantile}  since the previous scrape (0.5, 0.9, 0.99, max)
 *   obdio_config_reloads_total{result}        ok | error
 *   obdio_mqtt_*, obdio_redis_*, obdio_record_*, obdio_alerts_*, obdio_drive_log_*   what the parts' metrics() answer
 *   obdio_value{command,unit}                 the latest value of each logged command (log.prometheus)
 * plus prom-client's default process metrics (CPU, memory, handles).
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Registry } from 'prom-client';
import { classifyLine } from '../elm327/lines.js';
import type { ApplyResult, Part } from '../config/part.js';
import { exchangeObserver } from '../transport/exchanges.js';
import type { TransportObserver, TransportTaps } from '../transport/tap.js';
import type { ObdService } from '../api/obd-service.js';
import { healthReport, type HealthReport } from './health.js';
import type { ClientTrafficStats } from './socket.js';

/** What metrics need of the adapter supervisor (AdapterManager has it). */
export interface AdapterStateSource {
  snapshot(): { state: string };
  onChange(listener: (snapshot: { state: string }) => void): () => void;
}

export interface MetricsDeps {
  service: ObdService;
  /** The gateway's transport taps: requests and error replies are counted on the adapter link. */
  taps?: TransportTaps;
  /** The number of clients connected to this process (Socket.IO: `() => io.engine.clientsCount`). */
  clients?: () => number;
  /** What clients sent and the errors they were answered (SocketServer's stats). */
  clientTraffic?: () => ClientTrafficStats;
  /** The gateway's parts: each one's metrics() is scraped (config/part.ts). */
  parts?: () => readonly Part[];
  /** Values older than this make /healthz answer 503 (default 10 s, or 3 polling periods of the slowest command). */
  staleAfterMs?: number;
}

/** Every state AdapterManager reports, so the state gauge always lists them all. */
const ADAPTER_STATES = ['disconnected', 'connecting', 'connected', 'lost', 'retrying', 'closed'];
const RATE_WINDOW_S = 10;

type Fill = (set: (labels: Record<string, string>, value: number) => void) => void;
type Register = (name: string, help: string, labelNames: string[], fill: Fill) => void;
interface PromRegistry {
  registry: Registry;
  counter: Register;
  gauge: Register;
  one(read: () => number | null): Fill;
}

/** How often the event-loop delay is sampled. */
const LOOP_DELAY_RESOLUTION_MS = 20;

/**
 * The event-loop delay from one of monitorEventLoopDelay's samples (ns). The histogram holds the
 * time between its timer's ticks, which includes the tick interval itself: an idle loop would
 * read 20 ms. The delay is what exceeds it.
 */
export function loopDelaySeconds(ns: number): number {
  return Number.isFinite(ns) ? Math.max(0, ns / 1e6 - LOOP_DELAY_RESOLUTION_MS) / 1000 : 0;
}

export class Metrics implements Part {
  readonly name = 'metrics';
  private readonly started = Date.now();
  private readonly requests = { obd: 0, at: 0 };
  private readonly errors = new Map<string, number>();
  private readonly rate = new Array<number>(RATE_WINDOW_S + 1).fill(0);
  private rateSecond = 0;
  private values = 0;
  private nullValues = 0;
  private lastValueAt: number | null = null;
  private reconnects = 0;
  private reloads = { ok: 0, error: 0 };
  private adapter: AdapterStateSource | null = null;
  private stopAdapter: (() => void) | null = null;
  private wasConnected = false;
  private readonly loopDelay: IntervalHistogram;
  private readonly cleanups: Array<() => void> = [];
  private registry: Promise<PromRegistry> | null = null;
  /** Names of the parts' metrics already registered (each is added on the first scrape that sees it). */
  private readonly registeredParts = new Set<string>();

  constructor(private readonly deps: MetricsDeps) {
    this.loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
    this.loopDelay.enable();
    this.cleanups.push(
      deps.service.scheduler.onResponse((response) => {
        if (response.value === null) {
          this.nullValues++;
          return;
        }
        this.values++;
        this.lastValueAt = Date.now();
      }),
    );
    if (deps.taps) this.cleanups.push(deps.taps.add({ attach: () => this.observer() }));
  }

  /** Follows an adapter supervisor (again after a config change replaced it). */
  watchAdapter(adapter: AdapterStateSource): void {
    this.stopAdapter?.();
    this.adapter = adapter;
    this.wasConnected ||= adapter.snapshot().state === 'connected';
    this.stopAdapter = adapter.onChange(({ state }) => {
      if (state !== 'connected') return;
      if (this.wasConnected) this.reconnects++;
      this.wasConnected = true;
    });
  }

  /** Counting starts at construction (so the start-up is counted); nothing to start. */
  start(): void {}

  /** Nothing in the config changes what is counted. */
  apply(): ApplyResult {
    return 'applied';
  }

  /** Counts a config reload (the gateway calls it with every ReloadResult). */
  countReload(result: { ok: boolean }): void {
    if (result.ok) this.reloads.ok++;
    else this.reloads.error++;
  }

  /** The Prometheus exposition of every figure, and its content type. */
  async prometheusText(): Promise<{ contentType: string; text: string }> {
    const registry = await this.prometheus();
    return { contentType: registry.contentType, text: await registry.metrics() };
  }

  health(): HealthReport {
    const { service } = this.deps;
    const watched = service.scheduler.watchList();
    // A command polled every 20 s is not stale after 10 s.
    const slowest = Math.max(0, ...watched.map(({ rate }) => (rate && rate > 0 ? 1000 / rate : 0)));
    return healthReport({
      adapterState: this.adapter?.snapshot().state ?? null,
      status: service.status,
      carConnected: service.isConnected,
      watching: watched.length,
      streaming: service.scheduler.running,
      paused: service.scheduler.paused,
      lastValueAgeMs: this.lastValueAt === null ? null : Date.now() - this.lastValueAt,
      staleAfterMs: Math.max(this.deps.staleAfterMs ?? 10_000, 3 * slowest),
      uptimeMs: Date.now() - this.started,
    });
  }

  /** Requests per second over the last full 10 seconds. */
  requestsPerSecond(): number {
    this.advance(Math.floor(Date.now() / 1000));
    let sum = 0;
    for (let i = 1; i <= RATE_WINDOW_S; i++) sum += this.rate[(this.rateSecond - i + this.rate.length * 2) % this.rate.length]!;
    return sum / RATE_WINDOW_S;
  }

  stop(): void {
    this.loopDelay.disable();
    this.stopAdapter?.();
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }

  // ---- counting on the adapter link ------------------------------------------------------------

  private observer(): TransportObserver {
    const exchanges = exchangeObserver((exchange) => {
      if (exchange.req === null) return;
      if (!exchange.prompt) return; // counted as TIMEOUT (next write) or LOST (link gone) below
      for (const line of exchange.res.split(/[\r\n]+/)) {
        const text = line.replace(/>$/, '').trim();
        if (text === '') continue;
        const kind = classifyLine(text);
        if (kind.kind === 'error') this.errors.set(kind.code, (this.errors.get(kind.code) ?? 0) + 1);
      }
    });
    let waiting = false;
    return {
      onWrite: (text) => {
        if (waiting) this.countError('TIMEOUT');
        waiting = true;
        if (/^\s*AT/i.test(text)) this.requests.at++;
        else this.requests.obd++;
        this.advance(Math.floor(Date.now() / 1000));
        this.rate[this.rateSecond % this.rate.length]!++;
        exchanges.onWrite?.(text);
      },
      onData: (chunk) => {
        if (chunk.includes(0x3e)) waiting = false;
        exchanges.onData?.(chunk);
      },
      onClose: (reason) => {
        if (reason === 'lost') this.countError('LOST');
        waiting = false;
        exchanges.onClose?.(reason);
      },
    };
  }

  private countError(kind: string): void {
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
  }

  /** Moves the per-second ring to `second`, clearing the seconds that passed without requests. */
  private advance(second: number): void {
    if (this.rateSecond === 0) this.rateSecond = second;
    const steps = Math.min(second - this.rateSecond, this.rate.length);
    for (let i = 1; i <= steps; i++) this.rate[(this.rateSecond + i) % this.rate.length] = 0;
    if (second > this.rateSecond) this.rateSecond = second;
  }

  // ---- Prometheus --------------------------------------------------------------------------------

  private async prometheus(): Promise<Registry> {
    this.registry ??= this.buildRegistry();
    const prom = await this.registry;
    this.registerParts(prom);
    return prom.registry;
  }

  private async buildRegistry(): Promise<PromRegistry> {
    const client = await import('prom-client');
    const registry = new client.Registry();
    client.collectDefaultMetrics({ register: registry });
    const registers = [registry];
    // Our own numbers are copied in at scrape time: each metric is reset, then raised to the
    // running figure (after a reset, inc(v) leaves v, for counters and gauges alike).
    type Collected = new (config: {
      name: string;
      help: string;
      labelNames: string[];
      registers: Registry[];
      collect(this: { reset(): void; inc(labels: Record<string, string>, value: number): void }): void;
    }) => unknown;
    const register =
      (Metric: Collected): Register =>
      (name, help, labelNames, fill) =>
        new Metric({
          name,
          help,
          labelNames,
          registers,
          collect() {
            this.reset();
            fill((labels, value) => this.inc(labels, value));
          },
        });
    const counter = register(client.Counter);
    const gauge = register(client.Gauge);
    /** An unlabelled value; null (unknown) is NaN, which Prometheus reads as no value. */
    const one =
      (read: () => number | null): Fill =>
      (set) =>
        set({}, read() ?? Number.NaN);

    counter('obdio_adapter_requests_total', 'Requests written to the adapter', ['type'], (set) => {
      set({ type: 'obd' }, this.requests.obd);
      set({ type: 'at' }, this.requests.at);
    });
    gauge(
      'obdio_adapter_requests_per_second',
      'Adapter requests per second over the last 10 s',
      [],
      one(() => this.requestsPerSecond()),
    );
    counter('obdio_adapter_errors_total', 'Adapter error replies by kind', ['kind'], (set) => {
      for (const [kind, count] of this.errors) set({ kind }, count);
    });
    counter(
      'obdio_adapter_reconnects_total',
      'Times the adapter connected again after being lost',
      [],
      one(() => this.reconnects),
    );
    gauge('obdio_adapter_state', 'Current adapter state (1 for the current one)', ['state'], (set) => {
      const current = this.adapter?.snapshot().state ?? null;
      for (const name of ADAPTER_STATES) set({ state: name }, name === current ? 1 : 0);
    });
    gauge(
      'obdio_vehicle_connected',
      '1 when the vehicle answers',
      [],
      one(() => (this.deps.service.isConnected ? 1 : 0)),
    );
    counter(
      'obdio_values_total',
      'Decoded watch-loop responses with a value',
      [],
      one(() => this.values),
    );
    counter(
      'obdio_null_values_total',
      'Watch-loop responses without a value (NO DATA, errors)',
      [],
      one(() => this.nullValues),
    );
    gauge(
      'obdio_last_value_age_seconds',
      'Seconds since the last decoded value',
      [],
      one(() => (this.lastValueAt === null ? null : (Date.now() - this.lastValueAt) / 1000)),
    );
    gauge(
      'obdio_clients',
      'Socket.IO clients connected to this process',
      [],
      one(() => this.deps.clients?.() ?? null),
    );
    const traffic = this.deps.clientTraffic;
    if (traffic) {
      counter('obdio_client_events_total', 'Events received from clients, by name', ['event'], (set) => {
        for (const [event, count] of traffic().events) set({ event }, count);
      });
      counter('obdio_client_errors_total', 'obdio:error replies sent to clients, by code', ['code'], (set) => {
        for (const [code, count] of traffic().errors) set({ code }, count);
      });
    }
    gauge('obdio_event_loop_delay_seconds', 'Event loop delay since the previous scrape', ['quantile'], (set) => {
      const h = this.loopDelay;
      const seconds = loopDelaySeconds;
      set({ quantile: '0.5' }, seconds(h.percentile(50)));
      set({ quantile: '0.9' }, seconds(h.percentile(90)));
      set({ quantile: '0.99' }, seconds(h.percentile(99)));
      set({ quantile: 'max' }, seconds(h.max));
      h.reset();
    });
    counter('obdio_config_reloads_total', 'Config reloads by result', ['result'], (set) => {
      set({ result: 'ok' }, this.reloads.ok);
      set({ result: 'error' }, this.reloads.error);
    });
    return { registry, counter, gauge, one };
  }

  /** The parts' own metrics, read at every scrape through the Part contract. */
  private registerParts({ counter, gauge }: PromRegistry): void {
    for (const part of this.deps.parts?.() ?? []) {
      for (const metric of part.metrics?.() ?? []) {
        if (this.registeredParts.has(metric.name)) continue;
        this.registeredParts.add(metric.name);
        // Every sample of that name the part answers at this scrape (a labelled metric has one per
        // label set; none at all hides it); a null value is NaN, which Prometheus reads as no value.
        (metric.type === 'counter' ? counter : gauge)(metric.name, metric.help, Object.keys(metric.labels ?? {}), (set) => {
          for (const sample of part.metrics?.() ?? []) {
            if (sample.name === metric.name) set(sample.labels ?? {}, sample.value ?? Number.NaN);
          }
        });
      }
    }
  }
}
