/**
 * `alerts:` as one part of the gateway (start, apply, stop, stats): reads the watched values,
 * the trouble codes and the adapter's link, runs each rule's AlertMachine, and tells every
 * change to `notify` (Socket.IO and MQTT, wired by the gateway), the webhook and the log
 * (warn when raised, info when cleared).
 */
import { deepEqual, touches } from '../config/diff.js';
import type { Part, PartMetric } from '../config/part.js';
import type { Logger } from 'pino';
import type { AlertsSpec, Spec } from '../config/spec.js';
import type { ObdService } from '../api/obd-service.js';
import type { OBDResponse } from '../obd/command.js';
import type { AdapterSnapshot } from '../link/adapter-manager.js';
import { toDisplayUnits } from '../obd/units.js';
import { compileCondition, type Condition, type Readings } from './conditions.js';
import { AlertMachine, type AlertEvent } from './machine.js';
import { wallClock, type Clock } from '../time/clock.js';
import { Webhook, type WebhookStats } from './webhook.js';
import type { EventHandler } from '../api/event-table.js';
import { checkArguments } from '../api/default-events.js';

export interface AlertsDeps {
  service: ObdService;
  logger: Logger;
  /** The adapter's session and battery voltage (the gateway's AdapterManager). */
  adapter?: () => Pick<AdapterSnapshot, 'state' | 'voltage'>;
  /** Every raise and clear, for the live outputs (Socket.IO, MQTT). */
  notify?: (event: AlertEvent) => void;
  clock?: Clock;
  /** How often the adapter's link and the trouble codes' schedule are checked (ms). */
  checkEvery?: number;
  /** The webhook's first wait between attempts (ms). */
  webhookBackoff?: number;
}

export interface AlertsStats {
  rules: number;
  active: number;
  raised: number;
  cleared: number;
  webhook: WebhookStats | null;
}

interface Rule {
  condition: Condition;
  machine: AlertMachine;
}

const CHECK_EVERY_MS = 1000;

export class AlertsPart implements Part {
  readonly name = 'alerts';
  private spec: AlertsSpec | null = null;
  private units: Spec['units'] = 'metric';
  private rules = new Map<string, Rule>();
  /** Latest display-unit numbers by command, for the expressions. */
  private readonly values = new Map<string, number>();
  private dtcs: string[] | null = null;
  private dtcReadAt = -Infinity;
  private wasConnected = false;
  private webhook: Webhook | null = null;
  private stopValues: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly clock: Clock;
  private readonly counts = { raised: 0, cleared: 0 };

  constructor(
    spec: Spec,
    private readonly deps: AlertsDeps,
  ) {
    this.clock = deps.clock ?? wallClock;
    this.configure(spec);
  }

  start(): void {
    this.stopValues ??= this.deps.service.scheduler.onResponse((response) => this.onValue(response));
    if (this.timer === null) {
      this.timer = setInterval(() => this.check(), this.deps.checkEvery ?? CHECK_EVERY_MS);
      this.timer.unref();
    }
    this.check();
  }

  /** Takes a reloaded spec; rules whose text is unchanged keep their state. */
  async apply(previous: Spec, next: Spec): Promise<'applied' | 'restart'> {
    if (touches(previous, next, 'alerts', 'units')) this.configure(next);
    this.check();
    return 'applied';
  }

  async stop(): Promise<void> {
    this.stopValues?.();
    this.stopValues = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const rule of this.rules.values()) rule.machine.cancel();
    this.webhook?.stop();
  }

  metrics(): PartMetric[] {
    return [
      { name: 'obdio_alerts_active', help: 'Alerts raised and not cleared', type: 'gauge', value: this.active().length },
      { name: 'obdio_alerts_raised_total', help: 'Alerts raised', type: 'counter', value: this.counts.raised },
      { name: 'obdio_alerts_cleared_total', help: 'Alerts cleared', type: 'counter', value: this.counts.cleared },
    ];
  }

  stats(): AlertsStats {
    return {
      rules: this.rules.size,
      active: this.active().length,
      ...this.counts,
      webhook: this.webhook ? { ...this.webhook.stats } : null,
    };
  }

  /** The alerts raised and not cleared, oldest first (what a client gets on connecting). */
  active(): AlertEvent[] {
    return [...this.rules.values()]
      .map((rule) => rule.machine.state)
      .filter((state): state is AlertEvent => state !== null)
      .sort((a, b) => a.since - b.since);
  }

  private configure(spec: Spec): void {
    const before = this.spec;
    this.spec = spec.alerts;
    this.units = spec.units;
    const rules = new Map<string, Rule>();
    for (const [name, rule] of Object.entries(spec.alerts?.rules ?? {})) {
      const old = this.rules.get(name);
      if (old && deepEqual(before?.rules[name], rule)) {
        rules.set(name, old);
        continue;
      }
      old?.machine.cancel();
      const machine = new AlertMachine(name, rule.message, rule.for, this.clock, (event) => this.changed(event));
      rules.set(name, { condition: compileCondition(rule), machine });
    }
    // A rule removed or rewritten while active: say it is over, so no client keeps a ghost.
    for (const [name, old] of this.rules) {
      if (rules.get(name) === old) continue;
      old.machine.cancel();
      const state = old.machine.state;
      if (state) this.changed({ ...state, active: false, since: this.clock.now() });
    }
    this.rules = rules;
    if (!deepEqual(before?.webhook, spec.alerts?.webhook ?? null)) {
      this.webhook?.stop();
      const hook = spec.alerts?.webhook ?? null;
      this.webhook = hook && new Webhook(hook, this.deps.logger, this.deps.webhookBackoff);
    }
  }

  private readings(): Readings {
    const adapter = this.deps.adapter?.() ?? { state: this.deps.service.isConnected ? 'connected' : 'disconnected', voltage: null };
    return {
      value: (name) => this.values.get(name) ?? null,
      dtcs: this.dtcs,
      adapter: adapter.state,
      voltage: this.values.get('ELM_VOLTAGE') ?? adapter.voltage,
    };
  }

  private onValue(response: OBDResponse): void {
    if (this.rules.size === 0) return;
    const name = response.command.name;
    const shown = toDisplayUnits(response, this.units).value;
    if (typeof shown === 'number') this.values.set(name, shown);
    else this.values.delete(name);
    const readings = this.readings();
    for (const rule of this.rules.values()) if (rule.condition.commands.includes(name)) rule.machine.feed(rule.condition.judge(readings));
  }

  /** The link and the trouble codes: every second, and at once on start and reloads. */
  private check(): void {
    const connected = this.deps.service.isConnected;
    // Values read before the link went away say nothing about the car now; on its return it may
    // even be another car, so its trouble codes are read at once.
    if (!connected) this.values.clear();
    if (connected && !this.wasConnected) this.dtcReadAt = -Infinity;
    this.wasConnected = connected;
    const readings = this.readings();
    for (const rule of this.rules.values()) if (rule.condition.polled) rule.machine.feed(rule.condition.judge(readings));
    const wantsDtcs = Object.values(this.spec?.rules ?? {}).some((rule) => rule.dtc !== null);
    if (wantsDtcs && connected && this.clock.now() - this.dtcReadAt >= (this.spec?.dtc_every ?? Infinity)) void this.readDtcs();
  }

  private async readDtcs(): Promise<void> {
    this.dtcReadAt = this.clock.now();
    const service = this.deps.service;
    const cmd = service.command('GET_DTC');
    if (!cmd || !service.isQueryable(cmd)) return;
    try {
      const { response } = await service.query(cmd);
      if (!Array.isArray(response.value)) return;
      // GET_DTC's value: [code, description] pairs.
      this.dtcs = (response.value as unknown[]).map((entry) => (Array.isArray(entry) ? String(entry[0]) : String(entry)));
    } catch (error) {
      this.deps.logger.warn({ err: error }, `reading trouble codes for alerts failed: ${(error as Error).message}`);
      return;
    }
    const readings = this.readings();
    for (const [name, rule] of this.rules) if (this.spec?.rules[name]?.dtc != null) rule.machine.feed(rule.condition.judge(readings));
  }

  private changed(event: AlertEvent): void {
    if (event.active) {
      this.counts.raised++;
      this.deps.logger.warn({ alert: event.name, value: event.value }, `alert ${event.name} raised: ${event.message}`);
    } else {
      this.counts.cleared++;
      this.deps.logger.info({ alert: event.name, value: event.value }, `alert ${event.name} cleared: ${event.message}`);
    }
    this.deps.notify?.(event);
    void this.webhook?.post(event);
  }
}

/** `obdio:alerts`: the active alerts, replied on the same event and to the acknowledgement. */
export function alertEventHandlers(alerts: AlertsPart): Map<string, EventHandler> {
  return new Map<string, EventHandler>([
    [
      'obdio:alerts',
      ({ socket, event, args, ack }) => {
        checkArguments(event, 'none', args);
        const active = alerts.active();
        socket.emit(event, active);
        ack?.(active);
      },
    ],
  ]);
}
