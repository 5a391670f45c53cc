import type { Logger } from 'pino';
import type { ConfigError } from './config/errors.js';
import { formatConfigError } from './config/errors.js';
import { changedSections, differs, touches } from './config/diff.js';
import { reconfigure, type Part } from './config/part.js';
import { DEFAULT_EVENT_NAMES, enabledDefaultEvents, type Spec } from './config/spec.js';
import { watchConfigFile, type ConfigFileWatcher } from './config/watch-file.js';
import { commandTableOptions, parseConfig } from './load-config.js';
import { AdapterManager } from './link/adapter-manager.js';
import { buildCommandRegistry, type CommandRegistry } from './obd/registry.js';
import { encodeResponse } from './obd/encode.js';
import { toDisplayUnits } from './obd/units.js';
import { compileCustomEvents } from './actions/runner.js';
import { buildApp } from './server/app.js';
import { dashboardMiddleware } from './server/dashboard.js';
import { defaultEventHandlers } from './api/default-events.js';
import { gatewayEventHandlers } from './server/gateway-events.js';
import type { EventTable } from './api/event-table.js';
import { HttpServer } from './server/http.js';
import { Metrics } from './server/metrics.js';
import { metricsRoutes } from './server/metrics-routes.js';
import { RedisFanOut } from './fanout/redis.js';
import { Recorder } from './record/recorder.js';
import { DriveLog } from './record/drive-log/drive-log.js';
import { driveLogRoutes, type RecentRowsSource } from './record/drive-log/routes.js';
import { MqttSink } from './sinks/mqtt.js';
import { createTransport } from './link/open-transport.js';
import { TransportTaps } from './transport/tap.js';
import { logOversizedMessages } from './server/oversize.js';
import { loadTlsCredentials } from './server/tls.js';
import { SocketServer, type SocketOptions } from './server/socket.js';
import { streamEventHandlers, VALUES_ROOM } from './server/stream-events.js';
import { ObdService } from './api/obd-service.js';
import { buildPipelines, type Pipelines } from './watch/pipelines.js';
import { componentLogger, silentLogger } from './log.js';
import { AlertsPart, alertEventHandlers } from './alerts/part.js';

export interface GatewayOptions {
  logger?: Logger;
  /** Reload the config file (spec.file) on every save. */
  watchConfig?: boolean;
  /** Applied to every spec loaded, at start and on reloads (CLI flags, tests' free ports). */
  adjust?: (spec: Spec) => Spec;
  /** The command table the spec was checked with (loadConfig's `registry`); built from the spec when absent. */
  registry?: CommandRegistry;
}

/** What clients receive on `obdio:config` after every reload attempt. */
export type ReloadResult =
  { ok: true; changed: string[] } | { ok: false; errors: Array<Pick<ConfigError, 'file' | 'line' | 'col' | 'message'>> };

/**
 * Owns the running parts and wires them from a Spec. Every part implements the Part contract
 * (config/part.ts) and sits in one ordered list (see parts()): started in that order, stopped in
 * reverse, and on a reload each is brought to the new spec by reconfigure(): live apply, or
 * stop + start when the schema marks a changed key x-restart for it. The HTTP server and
 * Socket.IO are created once, so clients keep their connection (and socket id) on a reload.
 */
export class Gateway {
  readonly service: ObdService;
  readonly http: HttpServer;
  readonly sockets: SocketServer;
  private pipelines: Pipelines | null = null;
  private adapter: AdapterManager;
  readonly metrics: Metrics;
  /** Every adapter's bytes pass these taps (the recorder, the metrics). */
  private readonly taps = new TransportTaps();
  private readonly mqtt: MqttSink;
  readonly alerts: AlertsPart;
  private readonly redis: RedisFanOut;
  private readonly recorder: Recorder;
  /** In start order; stopped in reverse. */
  private readonly parts: readonly Part[];
  private readonly driveLog: DriveLog;
  private watcher: ConfigFileWatcher | null = null;
  private lastReload: ReloadResult | null = null;
  /** Reloads run one at a time, in the order saves arrived. */
  private reloading: Promise<unknown> = Promise.resolve();
  private port = 0;
  /** Set by the commands part when a reload rebuilt another command table though obdio.yaml's commands did not change. */
  private signalSetsChanged = false;
  /** Reloads and the file watcher. */
  private readonly configLogger: Logger;

  private constructor(
    private spec: Spec,
    readonly logger: Logger,
    private readonly adjust: (spec: Spec) => Spec,
    /** The command table of the running spec, checked with it (loadConfig's `registry`). */
    private registry: CommandRegistry,
  ) {
    this.configLogger = componentLogger(logger, 'config');
    this.service = new ObdService(spec.connection.port, spec.watch.interval, componentLogger(logger, 'adapter'));
    this.metrics = new Metrics({
      service: this.service,
      taps: this.taps,
      clients: () => this.sockets.io.engine.clientsCount,
      clientTraffic: () => this.sockets.stats,
      parts: () => this.parts,
    });
    this.driveLog = new DriveLog(spec, { service: this.service, logger: componentLogger(logger, 'drive-log') });
    this.http = new HttpServer(appFor(spec, this.metrics, this.driveLog).callback(), loadTlsCredentials(spec.server.tls));
    const serverLogger = componentLogger(logger, 'server');
    this.sockets = new SocketServer(this.http.server, socketOptions(spec), serverLogger);
    this.alerts = new AlertsPart(spec, {
      service: this.service,
      logger: componentLogger(logger, 'alerts'),
      adapter: () => this.adapter.snapshot(),
      notify: (alert) => {
        this.sockets.io.emit('obdio:alert', alert);
        this.mqtt.alertChanged(alert);
      },
    });
    logOversizedMessages(this.sockets.io, this.http.server, serverLogger);
    this.sockets.onConnection((socket) => {
      socket.emit('obdio:status', this.adapter.snapshot());
      if (this.lastReload) socket.emit('obdio:config', this.lastReload);
      socket.emit('obdio:alerts', this.alerts.active());
    });
    this.service.scheduler.onResponse((response) => {
      // Encoded once for every consumer: this is the streaming hot path.
      const encoded = encodeResponse(toDisplayUnits(response, this.spec.units));
      this.pipelines?.push(encoded);
      // The stream every dashboard-like client can join, whatever the user's callbacks are.
      if (this.sockets.io.sockets.adapter.rooms.has(VALUES_ROOM)) this.sockets.io.to(VALUES_ROOM).emit('obdio:value', encoded);
    });
    this.adapter = this.createAdapter(spec);
    const service = this.service;
    this.redis = new RedisFanOut({ io: this.sockets.io, logger: componentLogger(logger, 'redis') });
    this.recorder = new Recorder({ service, logger: componentLogger(logger, 'record'), taps: this.taps });
    this.mqtt = new MqttSink({
      service,
      logger: componentLogger(logger, 'mqtt'),
      vin: () => this.adapter.snapshot().vin,
      broadcast: (event, ...args) => this.sockets.io.emit(event, ...args),
    });
    this.parts = this.partList();
  }

  /**
   * The running parts, in start order (stopped in reverse). The command table comes first (the
   * events and the watch list look commands up by name); what clients use is ready before the
   * server listens; the recorder starts before the adapter, so the adapter's start-up is recorded.
   * A new part: implement Part (or write a small one here) and put it in this list.
   */
  private partList(): Part[] {
    const server: Part = {
      name: 'server',
      start: async (spec) => {
        this.http.setTls(loadTlsCredentials(spec.server.tls));
        this.sockets.setOptions(socketOptions(spec));
        const again = this.port !== 0;
        this.port = await this.http.listen(spec.server.port, spec.server.host);
        this.logger.info({ url: this.url }, `${again ? 'now listening' : 'listening'} on ${this.url}`);
      },
      // host, port, tls and adapter are marked x-restart; cors, buffer size and auth apply live.
      apply: (previous, next) => {
        if (touches(previous, next, 'server')) this.sockets.setOptions(socketOptions(next));
        return 'applied';
      },
      stop: () => this.http.close(),
    };
    const commands: Part = {
      name: 'commands',
      start: () => void this.service.setRegistry(this.registry),
      apply: (previous, next) => {
        const ownChange = touches(previous, next, 'commands', 'computed', 'commands_from', 'vehicle');
        // A signal-set file can change while obdio.yaml does not: the rebuilt table tells.
        if (this.service.setRegistry(this.registry) && !ownChange) this.signalSetsChanged = true;
        if (ownChange) this.watcher?.setExtraFiles(next.commands_from);
        return 'applied';
      },
      stop: () => undefined,
    };
    const events: Part = {
      name: 'events',
      start: (spec) => this.sockets.setEvents(this.eventTable(spec)),
      apply: (previous, next) => {
        if (touches(previous, next, 'events', 'units')) this.sockets.setEvents(this.eventTable(next));
        return 'applied';
      },
      stop: () => undefined,
    };
    const app: Part = {
      name: 'app',
      start: (spec) => this.http.setHandler(appFor(spec, this.metrics, this.driveLog).callback()),
      apply: (previous, next) => {
        // The dashboard's trip computer lists the computed commands the config watches; the
        // recent-rows download and /metrics check the server's token.
        if (touches(previous, next, 'static', 'dashboard', 'units', 'computed', 'watch', 'server'))
          this.http.setHandler(appFor(next, this.metrics, this.driveLog).callback());
        return 'applied';
      },
      stop: () => undefined,
    };
    const pipelines: Part = {
      name: 'pipelines',
      start: (spec) => {
        this.pipelines = buildPipelines(spec.watch.callbacks, this.sockets.fanOut, null, componentLogger(this.logger, 'watch'));
      },
      apply: (previous, next) => {
        if (!differs(previous, next, (spec) => spec.watch.callbacks) && !touches(previous, next, 'units')) return 'applied';
        const old = this.pipelines;
        this.pipelines = buildPipelines(next.watch.callbacks, this.sockets.fanOut, old, componentLogger(this.logger, 'watch'));
        old?.close();
        return 'applied';
      },
      stop: () => {
        this.pipelines?.close();
        this.pipelines = null;
      },
    };
    const scheduler = this.service.scheduler;
    const watch: Part = {
      name: 'watch',
      start: (spec) => {
        scheduler.setInterval(spec.watch.interval);
        scheduler.configure({ batch: spec.watch.batch, maxRate: spec.watch.max_rate });
        this.applyWatchList(spec, null);
      },
      apply: (previous, next) => {
        if (previous.watch.interval !== next.watch.interval) scheduler.setInterval(next.watch.interval);
        if (touches(previous, next, 'watch')) scheduler.configure({ batch: next.watch.batch, maxRate: next.watch.max_rate });
        this.applyWatchList(next, previous);
        return 'applied';
      },
      stop: () => scheduler.stop(),
    };
    // Every connection key is marked x-restart: the adapter is reopened for any of them.
    const connection: Part = {
      name: 'connection',
      start: (spec) => {
        if (this.adapter.state === 'closed') this.adapter = this.createAdapter(spec);
        this.service.portName = spec.connection.port;
        this.adapter.start();
      },
      apply: () => 'applied',
      stop: () => this.adapter.stop(),
    };
    return [
      commands,
      events,
      app,
      pipelines,
      watch,
      server,
      this.metrics,
      this.redis,
      this.recorder,
      this.driveLog,
      this.alerts,
      this.mqtt,
      connection,
    ];
  }

  /** An adapter manager for the spec's connection; every state change goes to the clients. */
  private createAdapter(spec: Spec): AdapterManager {
    const adapter = new AdapterManager(spec.connection, this.service, componentLogger(this.logger, 'adapter'), {
      openTransport: (port, connection) => this.taps.wrap(createTransport({ ...connection, port })),
    });
    adapter.onChange((status) => {
      this.sockets.io.emit('obdio:status', status);
      this.mqtt.carStateChanged();
    });
    this.metrics.watchAdapter(adapter);
    this.driveLog.watchAdapter(adapter);
    return adapter;
  }

  /** Builds the gateway and starts its parts in order (see partList): it listens, and the adapter connects in the background. */
  static async start(spec: Spec, options: GatewayOptions = {}): Promise<Gateway> {
    const adjust = options.adjust ?? ((s: Spec) => s);
    const registry = options.registry ?? buildCommandRegistry(commandTableOptions(spec)).registry;
    const gateway = new Gateway(adjust(spec), options.logger ?? silentLogger(), adjust, registry);
    for (const part of gateway.parts) await part.start(gateway.spec);
    if (options.watchConfig && spec.file) await gateway.watchConfigFile(spec.file);
    return gateway;
  }

  get url(): string {
    const host = this.spec.server.host.includes(':') ? `[${this.spec.server.host}]` : this.spec.server.host;
    return `${this.http.scheme}://${host}:${this.port}`;
  }

  /** The MQTT sink (idle when the config has no mqtt section). */
  get mqttSink(): MqttSink {
    return this.mqtt;
  }

  get listeningPort(): number {
    return this.port;
  }

  get currentSpec(): Spec {
    return this.spec;
  }

  /** Resolves when the current attempt to connect the adapter has finished (for tests and start-up logs). */
  async ready(): Promise<void> {
    await this.adapter.ready();
  }

  /** Parses, validates and applies new config text; an invalid one leaves the running config as it is. */
  reload(text: string): Promise<ReloadResult> {
    const run = this.reloading.then(() => this.reloadNow(text));
    this.reloading = run.catch(() => undefined);
    return run;
  }

  async stop(): Promise<void> {
    await this.watcher?.close();
    // Clients go first: Socket.IO closes their connections (the HTTP server's close waits for them).
    await this.sockets.close();
    for (const part of [...this.parts].reverse()) await part.stop();
  }

  private async watchConfigFile(file: string): Promise<void> {
    this.watcher = watchConfigFile(
      file,
      (text) => void this.reload(text),
      () => this.spec.commands_from,
      {
        onError: (error) => this.configLogger.warn({ err: error }, `watching ${file}: ${error.message}`),
      },
    );
    await this.watcher.ready;
    this.configLogger.info({ file }, `watching ${file} for changes`);
  }

  private async reloadNow(text: string): Promise<ReloadResult> {
    const started = performance.now();
    let parsed: ReturnType<typeof parseConfig>;
    try {
      parsed = parseConfig(text, this.spec.file);
    } catch (error) {
      // A bug, not the file's fault; still said where the user looks, and the gateway runs on.
      const message = `config not checked: ${(error as Error).message}`;
      this.configLogger.error({ err: error }, message);
      return this.announce({ ok: false, errors: [{ file: this.spec.file, line: 0, col: 0, message }] });
    }
    if (!parsed.ok) {
      for (const error of parsed.errors) this.configLogger.error(`config not applied: ${formatConfigError(error)}`);
      this.configLogger.warn('the previous configuration keeps running; fix the file and save again');
      return this.announce({
        ok: false,
        errors: parsed.errors.map(({ file, line, col, message }) => ({ file, line, col, message })),
      });
    }
    for (const warning of parsed.warnings) this.configLogger.warn(formatConfigError(warning));
    const next = this.adjust(parsed.spec);
    const changed: string[] = changedSections(this.spec, next);
    try {
      await this.apply(next, parsed.registry);
      if (this.signalSetsChanged) changed.push('commands_from');
    } catch (error) {
      this.configLogger.error({ err: error }, `config reload failed: ${(error as Error).message}`);
      return this.announce({ ok: false, errors: [{ file: next.file, line: 0, col: 0, message: (error as Error).message }] });
    }
    const ms = (performance.now() - started).toFixed(1);
    this.configLogger.info(
      { changed, ms },
      changed.length ? `config reloaded in ${ms} ms: ${changed.join(', ')}` : 'config saved, nothing changed',
    );
    return this.announce({ ok: true, changed });
  }

  private announce(result: ReloadResult): ReloadResult {
    this.lastReload = result;
    this.metrics.countReload(result);
    this.sockets.io.emit('obdio:config', result);
    return result;
  }

  /** Brings every part, in order, from the running spec to `next` (config/part.ts decides apply or restart). */
  private async apply(next: Spec, registry: CommandRegistry): Promise<void> {
    const previous = this.spec;
    this.spec = next;
    this.registry = registry;
    this.signalSetsChanged = false;
    for (const part of this.parts) {
      if ((await reconfigure(part, previous, next)) === 'restarted') this.configLogger.debug({ part: part.name }, `restarted ${part.name}`);
    }
  }

  /** The events clients may send under this spec: enabled default events, the rest disabled. */
  private eventTable(spec: Spec): EventTable {
    const enabled = enabledDefaultEvents(spec.events);
    const context = {
      service: this.service,
      units: spec.units,
      broadcast: (event: string, ...args: unknown[]) => this.sockets.io.emit(event, ...args),
    };
    return {
      // Custom events come last: one named like a default event replaces it.
      handlers: new Map([
        ...streamEventHandlers(this.service),
        ...gatewayEventHandlers({ service: this.service }),
        ...alertEventHandlers(this.alerts),
        ...defaultEventHandlers(context, enabled),
        ...compileCustomEvents(spec, this.service, this.sockets.io),
      ]),
      disabled: new Set(DEFAULT_EVENT_NAMES.filter((name) => !enabled.includes(name))),
    };
  }

  /**
   * Watches what `spec.watch.commands` lists. On a reload only the config's own list is
   * diffed: commands that clients watched themselves stay watched.
   */
  private applyWatchList(spec: Spec, previous: Spec | null): void {
    const scheduler = this.service.scheduler;
    for (const name of Object.keys(previous?.watch.commands ?? {})) {
      const cmd = this.service.command(name);
      if (cmd && !(name in spec.watch.commands)) scheduler.unwatch(cmd);
    }
    for (const [name, rate] of Object.entries(spec.watch.commands)) {
      const cmd = this.service.command(name);
      if (cmd) scheduler.watch(cmd, rate);
      else componentLogger(this.logger, 'watch').warn({ command: name }, `unknown command ${name}`);
    }
    // Start streaming when the config's list becomes non-empty; later a client's `stop` is respected.
    const hadNone = previous === null || Object.keys(previous.watch.commands).length === 0;
    if (hadNone && Object.keys(spec.watch.commands).length > 0) scheduler.start();
  }
}

/** The Koa app for a spec: static routes, then the dashboard unless a static route takes its path. */
function appFor(spec: Spec, metrics: Metrics, recentRows: RecentRowsSource) {
  const dashboard = spec.dashboard && !(spec.dashboard.route in spec.static) ? spec.dashboard : null;
  return buildApp(spec, {
    before: [
      metricsRoutes(metrics, spec.server.auth.token ?? ''),
      driveLogRoutes(recentRows, spec.server.auth.token ?? ''),
      dashboardMiddleware(dashboard, { units: spec.units, trip: tripComputer(spec) }),
    ],
  });
}

/** The dashboard's trip computer: the computed commands the config watches (all of them when it watches none). */
function tripComputer(spec: Spec): Array<{ name: string; desc: string }> {
  const all = Object.entries(spec.computed).map(([name, computed]) => ({ name, desc: computed.desc }));
  const watched = all.filter(({ name }) => name in spec.watch.commands);
  return watched.length > 0 ? watched : all;
}

function socketOptions(spec: Spec): SocketOptions {
  return {
    corsAllowedOrigins: spec.server.cors_allowed_origins,
    maxHttpBufferSize: spec.server.max_http_buffer_size,
    authToken: spec.server.auth.token ?? '',
  };
}
