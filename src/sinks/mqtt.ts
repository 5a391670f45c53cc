/**
 * `mqtt:` — publishes watched values to an MQTT broker for Home Assistant, Node-RED and fleets:
 *
 *   <base>/<vehicle>/<COMMAND>          {"value": 2150, "unit": "revolutions_per_minute", "time": 1714550000123}
 *   <base>/<vehicle>/availability       online | offline   (retained; the last will says offline)
 *   <base>/<vehicle>/adapter            online | offline   (retained; whether the car answers)
 *   <base>/<vehicle>/dtc                {"count": 2, "codes": [["P0104", "..."], ...], "time": ...}  (retained)
 *   <base>/<vehicle>/request/<event>    optional commands in (mqtt.requests), answered on
 *   <base>/<vehicle>/response/<event>   {"id": ..., "value": ...} or {"id": ..., "error": {"code", "message"}}
 *
 * and, with homeassistant.discovery, the retained discovery config of each sensor.
 *
 * The mqtt package is imported only when the section is present (it weighs ~20 MB). The client
 * reconnects by itself; while the broker is away values wait in a bounded buffer (mqtt.buffer,
 * oldest dropped and counted) and go out when it is back. Nothing the broker does can throw
 * into the gateway: every client error is logged (once per outage) and counted.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { IClientOptions, IClientPublishOptions, MqttClient } from 'mqtt';
import { enabledDefaultEvents, type MqttSpec, type Spec } from '../config/spec.js';
import type { ApplyResult, Part, PartMetric } from '../config/part.js';
import { touches } from '../config/diff.js';
import { packageVersion } from '../config/package-files.js';
import type { OBDResponse } from '../obd/command.js';
import { toDisplayUnits } from '../obd/units.js';
import { ClientError } from '../api/client-error.js';
import { checkArguments, DEFAULT_EVENTS } from '../api/default-events.js';
import type { ObdService } from '../api/obd-service.js';
import {
  alertDiscovery,
  alertDiscoveryTopic,
  commandDiscovery,
  commandDiscoveryTopic,
  dtcDiscovery,
  type HaContext,
  type HaTopics,
} from './homeassistant.js';
import type { AlertEvent } from '../alerts/machine.js';

export interface MqttDeps {
  service: ObdService;
  logger?: Logger;
  /** The car's VIN when known (Home Assistant's device serial number). */
  vin?: () => string | null;
  /** Sends a Socket.IO event to every client (a `close` request over MQTT announces obd_closed). */
  broadcast?: (event: string, ...args: unknown[]) => void;
}

export interface MqttStats {
  connected: boolean;
  /** Messages handed to the broker. */
  published: number;
  /** Messages dropped: buffer full while the broker was away, or a publish that failed. */
  dropped: number;
  /** Messages waiting for the broker. */
  buffered: number;
  /** Times the client connected again after losing the broker. */
  reconnects: number;
  /** Requests received on <base>/<vehicle>/request/<event>. */
  requests: number;
}

interface Outgoing {
  topic: string;
  payload: string;
  qos: 0 | 1 | 2;
  retain: boolean;
}

/** Most MQTT requests served at once; more are refused (BUSY) rather than queued. */
const MAX_REQUESTS_IN_FLIGHT = 32;
/** Largest request payload accepted. */
const MAX_REQUEST_BYTES = 64 * 1024;
/** Bytes waiting on the socket past which the broker counts as away (values go to the buffer), even before it asks to drain. */
const MAX_SOCKET_BACKLOG = 4 * 1024 * 1024;
/** How often the car's availability is checked. */
const ADAPTER_CHECK_MS = 1000;

/** A first-in first-out queue of at most `capacity` items; pushing to a full one drops the oldest. */
export class BoundedQueue<T> {
  private items: Array<T | undefined>;
  private head = 0;
  private count = 0;

  constructor(private capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Adds an item; returns how many old ones were dropped to make room (0 or 1; 1 when capacity is 0). */
  push(item: T): number {
    if (this.capacity === 0) return 1;
    if (this.count < this.capacity) {
      this.items[(this.head + this.count) % this.capacity] = item;
      this.count++;
      return 0;
    }
    this.items[this.head] = item;
    this.head = (this.head + 1) % this.capacity;
    return 1;
  }

  /** The oldest item, left in place. */
  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return item;
  }

  /** New capacity; the newest items stay. Returns how many were dropped. */
  resize(capacity: number): number {
    const kept: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) kept.push(item);
    const dropped = Math.max(0, kept.length - capacity);
    this.capacity = capacity;
    this.items = new Array<T | undefined>(capacity);
    this.head = 0;
    this.count = 0;
    for (const item of kept.slice(dropped)) this.push(item);
    return dropped;
  }
}

/** Topics of one vehicle under the base topic. */
export function vehicleTopics(
  spec: Pick<MqttSpec, 'base_topic' | 'vehicle'>,
): HaTopics & { root: string; request: string; response(event: string): string } {
  const root = `${spec.base_topic}/${spec.vehicle}`;
  return {
    root,
    availability: `${root}/availability`,
    adapter: `${root}/adapter`,
    dtc: `${root}/dtc`,
    alert: (name) => `${root}/alert/${name}`,
    request: `${root}/request/+`,
    state: (command) => `${root}/${command}`,
    response: (event) => `${root}/response/${event}`,
  };
}

export class MqttSink implements Part {
  readonly name = 'mqtt';
  private spec: Spec | null = null;
  private client: MqttClient | null = null;
  private buffer: BoundedQueue<Outgoing>;
  private readonly counts = { published: 0, dropped: 0, reconnects: 0, requests: 0 };
  private stopValues: (() => void) | null = null;
  /** Per command: when it was last published, and the value waiting for its turn (mqtt.every). */
  private readonly lastSent = new Map<string, number>();
  private readonly waiting = new Map<string, OBDResponse>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Commands announced to Home Assistant, with the value that decided how. */
  private readonly announced = new Map<string, { desc: string; value: unknown; unit: string | null }>();
  private lastDtc: string | null = null;
  /** The last change of each alert, republished (retained) on every connection. */
  private readonly alerts = new Map<string, AlertEvent>();
  private carOnline: boolean | null = null;
  private adapterTimer: NodeJS.Timeout | null = null;
  /** When the trouble codes were last read (ms since the epoch). */
  private dtcReadAt = 0;
  private inFlight = 0;
  private awaitingDrain = false;
  private everConnected = false;
  private outageLogged = false;

  constructor(private readonly deps: MqttDeps) {
    this.buffer = new BoundedQueue(0);
  }

  /** Connects when `spec.mqtt` is set; otherwise idles (no import of mqtt) until a restart with MQTT on. */
  static async start(spec: Spec, deps: MqttDeps): Promise<MqttSink> {
    const sink = new MqttSink(deps);
    await sink.start(spec);
    return sink;
  }

  get stats(): MqttStats {
    return { connected: this.client?.connected ?? false, buffered: this.buffer.size, ...this.counts };
  }

  async start(spec: Spec): Promise<void> {
    if (spec.mqtt === null) return;
    this.use(spec, spec.mqtt);
    await this.connect(spec.mqtt);
  }

  /**
   * Topics, filters, rates and discovery change live. The broker, credentials and client id are
   * marked x-restart (the gateway restarts the part); turning MQTT on or off is a restart too.
   */
  apply(previous: Spec, next: Spec): ApplyResult {
    const before = previous.mqtt;
    const after = next.mqtt;
    if ((before === null) !== (after === null)) return 'restart';
    if (before === null || after === null || !touches(previous, next, 'mqtt', 'events', 'units', 'alerts')) return 'applied';
    const movedTopics = before.base_topic !== after.base_topic || before.vehicle !== after.vehicle;
    if (movedTopics && this.client?.connected) this.retire(before);
    if (movedTopics || before.homeassistant.prefix !== after.homeassistant.prefix) this.announced.clear();
    else if (this.client?.connected) this.retireAlerts(before, next);
    this.use(next, after);
    if (this.client?.connected) this.onConnect(false);
    return 'applied';
  }

  metrics(): PartMetric[] {
    const stats = this.stats;
    return [
      { name: 'obdio_mqtt_connected', help: '1 while connected to the MQTT broker', type: 'gauge', value: stats.connected ? 1 : 0 },
      { name: 'obdio_mqtt_published_total', help: 'Messages handed to the MQTT broker', type: 'counter', value: stats.published },
      {
        name: 'obdio_mqtt_dropped_total',
        help: 'MQTT messages dropped (buffer full while the broker was away)',
        type: 'counter',
        value: stats.dropped,
      },
      { name: 'obdio_mqtt_buffered', help: 'MQTT messages waiting for the broker', type: 'gauge', value: stats.buffered },
      { name: 'obdio_mqtt_reconnects_total', help: 'Reconnections to the MQTT broker', type: 'counter', value: stats.reconnects },
    ];
  }

  /** Takes the spec's settings: buffer size, the value listener, the car checks. */
  private use(next: Spec, mqtt: MqttSpec): void {
    this.spec = next;
    this.counts.dropped += this.buffer.resize(mqtt.buffer);
    this.stopValues ??= this.deps.service.scheduler.onResponse((response) => this.onValue(response));
    this.startCarChecks();
  }

  /** Says offline, disconnects and stops publishing. */
  async stop(): Promise<void> {
    this.stopValues?.();
    this.stopValues = null;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.waiting.clear();
    if (this.adapterTimer) clearInterval(this.adapterTimer);
    this.adapterTimer = null;
    await this.disconnect();
    this.spec = null;
  }

  private async connect(spec: MqttSpec): Promise<void> {
    const { connect } = await import('mqtt');
    const topics = vehicleTopics(spec);
    const options: IClientOptions = {
      clientId: spec.client_id ?? `obdio-${spec.vehicle.replace(/[^A-Za-z0-9_-]/g, '')}-${randomBytes(4).toString('hex')}`,
      username: spec.username ?? undefined,
      password: spec.password ?? undefined,
      will: { topic: topics.availability, payload: Buffer.from('offline'), qos: 1, retain: true },
      clean: true,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      // Our own bounded buffer holds what waits for the broker; mqtt.js's queue would grow without bound.
      queueQoSZero: false,
      resubscribe: false,
    };
    const client = connect(spec.url, options);
    this.client = client;
    this.everConnected = false;
    this.outageLogged = false;
    client.on('connect', () => {
      if (this.client !== client) return;
      if (this.everConnected) this.counts.reconnects++;
      const again = this.everConnected;
      this.everConnected = true;
      this.outageLogged = false;
      this.deps.logger?.info({ url: spec.url }, again ? `connected to ${spec.url} again` : `connected to ${spec.url}`);
      this.onConnect(true);
    });
    client.on('error', (error) => this.outage(error.message));
    client.on('offline', () => this.outage('the broker went away'));
    client.on('message', (topic, payload) => void this.onMessage(topic, payload));
  }

  private outage(reason: string): void {
    if (this.outageLogged) return;
    this.outageLogged = true;
    const url = this.spec?.mqtt?.url ?? '';
    this.deps.logger?.warn(
      { url, reason },
      `${url}: ${reason}; reconnecting every 2 s, keeping up to ${this.spec?.mqtt?.buffer ?? 0} messages`,
    );
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = null;
    const spec = this.spec?.mqtt;
    try {
      if (client.connected && spec) {
        await client.publishAsync(vehicleTopics(spec).availability, 'offline', { qos: 1, retain: true }).catch(() => undefined);
      }
      await Promise.race([client.endAsync(!client.connected), new Promise((r) => setTimeout(r, 2000).unref())]);
    } catch {
      client.end(true);
    }
  }

  /** On every (re)connection, and on a reload that changed topics: state, subscriptions, discovery, then the buffer. */
  private onConnect(fresh: boolean): void {
    const spec = this.spec?.mqtt;
    const client = this.client;
    if (!spec || !client) return;
    const topics = vehicleTopics(spec);
    this.send({ topic: topics.availability, payload: 'online', qos: 1, retain: true });
    this.send({ topic: topics.adapter, payload: this.deps.service.isConnected ? 'online' : 'offline', qos: 1, retain: true });
    const subscriptions = [
      spec.requests.length > 0 ? topics.request : null,
      spec.homeassistant.discovery ? `${spec.homeassistant.prefix}/status` : null,
    ].filter((t): t is string => t !== null);
    if (subscriptions.length > 0)
      client.subscribe(subscriptions, { qos: 1 }, (error) => error && this.deps.logger?.warn({ err: error }, 'subscribe failed'));
    this.announceAll();
    if (this.lastDtc !== null) this.send({ topic: topics.dtc, payload: this.lastDtc, qos: 1, retain: true });
    this.publishAlerts();
    if (fresh) this.flush();
  }

  /** Sends what waited for the broker, oldest first, until it is all out or the socket is full again. */
  private flush(): void {
    for (let item = this.buffer.peek(); item !== undefined; item = this.buffer.peek()) {
      if (!this.publishNow(item)) return;
      this.buffer.shift();
    }
  }

  /** Publishes at once when the broker is there, else buffers (dropping the oldest when full); order is kept. */
  private send(message: Outgoing): void {
    if (this.buffer.size === 0 && this.publishNow(message)) return;
    this.counts.dropped += this.buffer.push(message);
    if (this.buffer.size > 0 && !this.awaitingDrain) this.flush();
  }

  private publishNow(message: Outgoing): boolean {
    const client = this.client;
    if (!client?.connected) return false;
    // The socket is full (a slow broker or link): wait for it to drain, meanwhile use the bounded buffer.
    const stream = client.stream as
      { writableNeedDrain?: boolean; writableLength?: number; once?: (event: 'drain', listener: () => void) => void } | undefined;
    if (stream?.writableNeedDrain || (stream?.writableLength ?? 0) > MAX_SOCKET_BACKLOG) {
      if (!this.awaitingDrain && stream?.once) {
        this.awaitingDrain = true;
        stream.once('drain', () => {
          this.awaitingDrain = false;
          if (this.client === client) this.flush();
        });
      }
      return false;
    }
    const options: IClientPublishOptions = { qos: message.qos, retain: message.retain };
    client.publish(message.topic, message.payload, options, (error) => {
      if (error) this.counts.dropped++;
    });
    this.counts.published++;
    return true;
  }

  // ---- values ---------------------------------------------------------------------------------

  private onValue(response: OBDResponse): void {
    const spec = this.spec?.mqtt;
    if (!spec || response.value === null) return;
    const name = response.command.name;
    if (spec.commands !== null && !spec.commands.includes(name)) return;
    const every = spec.every;
    if (every <= 0) return this.publishValue(response);
    const now = performance.now();
    const last = this.lastSent.get(name);
    if (last === undefined || now - last >= every) return this.publishValue(response);
    // Too soon: keep the newest value and send it when its turn comes, so the last one is never lost.
    this.waiting.set(name, response);
    if (!this.timers.has(name)) {
      const timer = setTimeout(
        () => {
          this.timers.delete(name);
          const latest = this.waiting.get(name);
          this.waiting.delete(name);
          if (latest) this.publishValue(latest);
        },
        last + every - now,
      );
      this.timers.set(name, timer);
    }
  }

  private publishValue(response: OBDResponse): void {
    const spec = this.spec;
    const mqtt = spec?.mqtt;
    if (!spec || !mqtt) return;
    const shown = toDisplayUnits(response, spec.units);
    const name = response.command.name;
    this.lastSent.set(name, performance.now());
    if (mqtt.homeassistant.discovery && !this.announced.has(name)) {
      this.announced.set(name, { desc: response.command.desc, value: shown.value, unit: shown.unit });
      this.announce(name);
    }
    this.send({
      topic: vehicleTopics(mqtt).state(name),
      payload: JSON.stringify({ value: shown.value, unit: shown.unit, time: response.time }),
      qos: mqtt.qos,
      retain: mqtt.retain,
    });
  }

  // ---- Home Assistant --------------------------------------------------------------------------

  private haContext(spec: MqttSpec): HaContext {
    return {
      prefix: spec.homeassistant.prefix,
      vehicle: spec.vehicle,
      topics: vehicleTopics(spec),
      version: packageVersion(),
      vin: this.deps.vin?.() ?? null,
      qos: spec.qos,
    };
  }

  private announce(name: string): void {
    const spec = this.spec?.mqtt;
    const sample = this.announced.get(name);
    if (!spec || !sample) return;
    const message = commandDiscovery({ name, desc: sample.desc }, sample, this.haContext(spec));
    if (message) this.send({ topic: message.topic, payload: JSON.stringify(message.payload), qos: 1, retain: true });
  }

  /** Every discovery config again: after a (re)connection, and when Home Assistant says it restarted. */
  private announceAll(): void {
    const spec = this.spec?.mqtt;
    if (!spec?.homeassistant.discovery) return;
    const dtc = dtcDiscovery(this.haContext(spec));
    if (spec.dtc_every > 0) this.send({ topic: dtc.topic, payload: JSON.stringify(dtc.payload), qos: 1, retain: true });
    for (const name of this.announced.keys()) this.announce(name);
    for (const [name, rule] of Object.entries(this.spec?.alerts?.rules ?? {})) {
      const message = alertDiscovery({ name, message: rule.message }, this.haContext(spec));
      this.send({ topic: message.topic, payload: JSON.stringify(message.payload), qos: 1, retain: true });
    }
  }

  /** Topics moved on a reload: clear what the old ones left retained, so no ghost sensors stay. */
  private retire(old: MqttSpec): void {
    const topics = vehicleTopics(old);
    this.send({ topic: topics.availability, payload: 'offline', qos: 1, retain: true });
    if (old.homeassistant.discovery) {
      for (const name of this.announced.keys())
        this.send({
          topic: commandDiscoveryTopic(name, { prefix: old.homeassistant.prefix, vehicle: old.vehicle }),
          payload: '',
          qos: 1,
          retain: true,
        });
      this.send({ topic: dtcDiscovery(this.haContext(old)).topic, payload: '', qos: 1, retain: true });
      for (const name of Object.keys(this.spec?.alerts?.rules ?? {}))
        this.send({
          topic: alertDiscoveryTopic(name, { prefix: old.homeassistant.prefix, vehicle: old.vehicle }),
          payload: '',
          qos: 1,
          retain: true,
        });
    }
  }

  // ---- alerts ---------------------------------------------------------------------------------

  /** An alert was raised or cleared: its retained state on <base>/<vehicle>/alert/<NAME>. */
  alertChanged(alert: AlertEvent): void {
    this.alerts.set(alert.name, alert);
    const spec = this.spec?.mqtt;
    if (spec) this.sendAlert(spec, alert);
  }

  /** Every configured alert's state: off until it was raised. */
  private publishAlerts(): void {
    const spec = this.spec?.mqtt;
    if (!spec) return;
    for (const [name, rule] of Object.entries(this.spec?.alerts?.rules ?? {})) {
      this.sendAlert(spec, this.alerts.get(name) ?? { name, message: rule.message, active: false, since: 0, value: null });
    }
  }

  /** Alerts whose rule a reload removed: their retained state and binary_sensor go, so none lingers in Home Assistant. */
  private retireAlerts(mqtt: MqttSpec, next: Spec): void {
    for (const name of Object.keys(this.spec?.alerts?.rules ?? {})) {
      if (next.alerts && Object.hasOwn(next.alerts.rules, name)) continue;
      this.alerts.delete(name);
      this.send({ topic: vehicleTopics(mqtt).alert(name), payload: '', qos: 1, retain: true });
      if (mqtt.homeassistant.discovery)
        this.send({
          topic: alertDiscoveryTopic(name, { prefix: mqtt.homeassistant.prefix, vehicle: mqtt.vehicle }),
          payload: '',
          qos: 1,
          retain: true,
        });
    }
  }

  private sendAlert(spec: MqttSpec, alert: AlertEvent): void {
    const { active, since, value, message } = alert;
    this.send({
      topic: vehicleTopics(spec).alert(alert.name),
      payload: JSON.stringify({ active, since, value, message }),
      qos: 1,
      retain: true,
    });
  }

  // ---- adapter state and trouble codes ---------------------------------------------------------

  private startCarChecks(): void {
    if (this.adapterTimer) return;
    this.adapterTimer = setInterval(() => this.checkCar(), ADAPTER_CHECK_MS);
    this.adapterTimer.unref();
    this.checkCar();
  }

  /** The adapter's state changed: publish the car's availability now rather than at the next check. */
  carStateChanged(): void {
    this.checkCar();
  }

  /** Every second: the car's availability when it changed, and the trouble codes when due (at once when the car comes back). */
  private checkCar(): void {
    const spec = this.spec?.mqtt;
    if (!spec) return;
    const online = this.deps.service.isConnected;
    if (online !== this.carOnline) {
      this.carOnline = online;
      this.send({ topic: vehicleTopics(spec).adapter, payload: online ? 'online' : 'offline', qos: 1, retain: true });
      if (online) this.dtcReadAt = 0;
    }
    if (online && spec.dtc_every > 0 && Date.now() - this.dtcReadAt >= spec.dtc_every) void this.readDtcs();
  }

  /** Reads GET_DTC and publishes the codes (retained) when they changed or were never sent. */
  async readDtcs(): Promise<void> {
    this.dtcReadAt = Date.now();
    const service = this.deps.service;
    const cmd = service.command('GET_DTC');
    if (!cmd || !service.isConnected || !service.isQueryable(cmd)) return;
    const { response } = await service.query(cmd);
    const spec = this.spec?.mqtt;
    if (!spec || !Array.isArray(response.value)) return;
    const codes = response.value as unknown[];
    const payload = JSON.stringify({ count: codes.length, codes, time: response.time });
    const changed = this.lastDtc === null || JSON.stringify(JSON.parse(this.lastDtc).codes) !== JSON.stringify(codes);
    this.lastDtc = payload;
    if (changed) this.send({ topic: vehicleTopics(spec).dtc, payload, qos: 1, retain: true });
  }

  // ---- requests over MQTT ------------------------------------------------------------------------

  private async onMessage(topic: string, payload: Buffer): Promise<void> {
    const spec = this.spec;
    const mqtt = spec?.mqtt;
    if (!spec || !mqtt) return;
    if (mqtt.homeassistant.discovery && topic === `${mqtt.homeassistant.prefix}/status`) {
      // Home Assistant restarted and forgot non-retained state: announce everything again.
      if (payload.toString() === 'online') this.announceAll();
      return;
    }
    const topics = vehicleTopics(mqtt);
    const prefix = `${topics.root}/request/`;
    if (!topic.startsWith(prefix)) return;
    const event = topic.slice(prefix.length);
    this.counts.requests++;
    let id: unknown = null;
    const reply = (body: Record<string, unknown>): void =>
      this.send({ topic: topics.response(event), payload: JSON.stringify({ id, ...body }), qos: mqtt.qos, retain: false });
    if (this.inFlight >= MAX_REQUESTS_IN_FLIGHT) {
      return reply({ error: { code: 'BUSY', message: `more than ${MAX_REQUESTS_IN_FLIGHT} requests at once; try again` } });
    }
    this.inFlight++;
    try {
      if (payload.length > MAX_REQUEST_BYTES) throw new ClientError('BAD_ARGUMENT', `request payload over ${MAX_REQUEST_BYTES} bytes`);
      const request = parseRequest(payload);
      id = request.id;
      const definition = Object.hasOwn(DEFAULT_EVENTS, event) ? DEFAULT_EVENTS[event] : undefined;
      if (!definition) throw new ClientError('UNKNOWN_EVENT', `unknown event '${event.slice(0, 64)}'`);
      const allowed =
        mqtt.requests.includes(event as (typeof mqtt.requests)[number]) &&
        enabledDefaultEvents(spec.events).includes(event as (typeof mqtt.requests)[number]);
      if (!allowed) {
        throw new ClientError(
          'EVENT_DISABLED',
          `the event '${event}' is not open to MQTT: add it to mqtt.requests (and keep it enabled under events)`,
        );
      }
      const arg = checkArguments(event, definition.params, request.args);
      const context = { service: this.deps.service, broadcast: this.deps.broadcast ?? (() => undefined), units: spec.units };
      const value = await definition.run(context, arg);
      reply({ value: definition.replies ? (value ?? null) : null });
    } catch (error) {
      if (error instanceof ClientError) reply({ error: error.toJSON() });
      else {
        this.deps.logger?.error({ err: error, event }, 'mqtt request failed');
        reply({ error: { code: 'INTERNAL', message: 'internal error; the gateway log has the details' } });
      }
    } finally {
      this.inFlight--;
    }
  }
}

/**
 * A request payload: empty (no argument), a JSON value (the one argument: "RPM" or ["RPM",
 * "SPEED"]), plain text (a command name: RPM), or {"args": [...], "id": ...} to get the id back.
 */
export function parseRequest(payload: Buffer): { args: unknown[]; id: unknown } {
  const text = payload.toString('utf8').trim();
  if (text === '') return { args: [], id: null };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { args: [text], id: null };
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const envelope = value as Record<string, unknown>;
    const id = typeof envelope.id === 'string' || typeof envelope.id === 'number' ? envelope.id : null;
    if (!Object.hasOwn(envelope, 'args')) return { args: [], id };
    return { args: Array.isArray(envelope.args) ? envelope.args : [envelope.args], id };
  }
  return { args: [value], id: null };
}
