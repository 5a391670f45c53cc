import type { Logger } from 'pino';
import type { ConfigError } from './config/errors.js';
import { formatConfigError } from './config/errors.js';
import { diffSpecs, type SpecChanges } from './config/diff.js';
import { DEFAULT_EVENT_NAMES, enabledDefaultEvents, type Spec } from './config/spec.js';
import { watchConfigFile, type ConfigFileWatcher } from './config/watch-file.js';
import { parseSpec } from './load-spec.js';
import { AdapterManager } from './link/adapter-manager.js';
import { commandRegistryFor } from './obd/registry.js';
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

export interface GatewayOptions {
  logger?: Logger;
  /** Reload the config file (spec.file) on every save. */
  watchConfig?: boolean;
  /** Applied to every spec loaded, at start and on reloads (CLI flags, tests' free ports). */
  adjust?: (spec: Spec) => Spec;
}

/** What clients receive on `obdio:config` after every reload attempt. */
export type ReloadResult =
  | { ok: true; changed: string[] }
  | { ok: false; errors: Array<Pick<ConfigError, 'file' | 'line' | 'col' | 'message'>> };

/**
 * Owns the running parts (adapter session, watch loop, HTTP + Socket.IO server) and wires them
 * from a Spec. The HTTP server and Socket.IO are created once; a reload applies the difference
 * between two specs and replaces only what changed, so clients keep their connection (and
 * socket id) and the adapter stays open unless `connection` changed.
 */
export class Gateway {
  readonly service: ObdService;
  readonly http: HttpServer;
  readonly sockets: SocketServer;
  private pipelines: Pipelines;
  private adapter: AdapterManager;
  readonly metrics: Metrics;
  /** Every adapter's bytes pass these taps (the recorder, the metrics). */
  private readonly taps = new TransportTaps();
  private mqtt: MqttSink | null = null;
  private redis: RedisFanOut | null = null;
  private recorder: Recorder | null = null;
  private readonly driveLog: DriveLog;
  private watcher: ConfigFileWatcher | null = null;
  private lastReload: ReloadResult | null = null;
  /** Reloads run one at a time, in the order saves arrived. */
  private reloading: Promise<unknown> = Promise.resolve();
  private port = 0;
  /** Reloads and the file watcher. */
  private readonly configLogger: Logger;

  private constructor(
    private spec: Spec,
    readonly logger: Logger,
    private readonly adjust: (spec: Spec) => Spec,
  ) {
    this.configLogger = componentLogger(logger, 'config');
    this.service = new ObdService(spec.connection.port, spec.watch.interval, componentLogger(logger, 'adapter'));
    this.service.scheduler.configure({ batch: spec.watch.batch, maxRate: spec.watch.max_rate });
    this.service.setRegistry(commandRegistryFor(spec));
    this.metrics = new Metrics({
      service: this.service,
      taps: this.taps,
      clients: () => this.sockets.io.engine.clientsCount,
      clientTraffic: () => this.sockets.stats,
    });
    this.driveLog = new DriveLog(spec, { service: this.service, logger: componentLogger(logger, 'drive-log') });
    this.http = new HttpServer(appFor(spec, this.metrics, this.driveLog).callback(), loadTlsCredentials(spec.server.tls));
    const serverLogger = componentLogger(logger, 'server');
    this.sockets = new SocketServer(this.http.server, socketOptions(spec), serverLogger);
    this.sockets.setEvents(this.eventTable(spec));
    logOversizedMessages(this.sockets.io, this.http.server, serverLogger);
    this.sockets.onConnection((socket) => {
      socket.emit('obdio:status', this.adapter.snapshot());
      if (this.lastReload) socket.emit('obdio:config', this.lastReload);
    });
    this.pipelines = buildPipelines(spec.watch.callbacks, this.sockets.fanOut, null, componentLogger(logger, 'watch'));
    this.service.scheduler.onResponse((response) => {
      // Encoded once for every consumer: this is the streaming hot path.
      const encoded = encodeResponse(toDisplayUnits(response, this.spec.units));
      this.pipelines.push(encoded);
      // The stream every dashboard-like client can join, whatever the user's callbacks are.
      if (this.sockets.io.sockets.adapter.rooms.has(VALUES_ROOM)) this.sockets.io.to(VALUES_ROOM).emit('obdio:value', encoded);
    });
    this.adapter = this.createAdapter(spec);
  }

  /** An adapter manager for the spec's connection; every state change goes to the clients. */
  private createAdapter(spec: Spec): AdapterManager {
    const adapter = new AdapterManager(spec.connection, this.service, componentLogger(this.logger, 'adapter'), {
      openTransport: (port, connection) => this.taps.wrap(createTransport({ ...connection, port })),
    });
    adapter.onChange((status) => {
      this.sockets.io.emit('obdio:status', status);
      this.mqtt?.carStateChanged();
    });
    this.metrics.watchAdapter(adapter);
    this.driveLog.watchAdapter(adapter);
    return adapter;
  }

  /** Builds the gateway, listens, and starts connecting to the adapter in the background. */
  static async start(spec: Spec, options: GatewayOptions = {}): Promise<Gateway> {
    const adjust = options.adjust ?? ((s: Spec) => s);
    const gateway = new Gateway(adjust(spec), options.logger ?? silentLogger(), adjust);
    gateway.applyWatchList(gateway.spec, null);
    gateway.port = await gateway.http.listen(gateway.spec.server.port, gateway.spec.server.host);
    gateway.logger.info({ url: gateway.url }, `listening on ${gateway.url}`);
    await gateway.startExtensions();
    gateway.adapter.start();
    if (options.watchConfig && spec.file) await gateway.watchConfigFile(spec.file);
    return gateway;
  }

  /** The optional parts (each off unless its section is in the config); before the adapter, so its start-up is recorded. */
  private async startExtensions(): Promise<void> {
    const service = this.service;
    this.redis = await RedisFanOut.start(this.spec, { io: this.sockets.io, logger: componentLogger(this.logger, 'redis') });
    this.recorder = await Recorder.start(this.spec, { service, logger: componentLogger(this.logger, 'record'), taps: this.taps });
    this.mqtt = await MqttSink.start(this.spec, {
      service,
      logger: componentLogger(this.logger, 'mqtt'),
      vin: () => this.adapter.snapshot().vin,
      broadcast: (event, ...args) => this.sockets.io.emit(event, ...args),
    });
    this.driveLog.start();
    this.metrics.attach({ mqtt: this.mqtt, redis: this.redis, recorder: this.recorder, driveLog: this.driveLog });
  }

  get url(): string {
    const host = this.spec.server.host.includes(':') ? `[${this.spec.server.host}]` : this.spec.server.host;
    return `${this.http.scheme}://${host}:${this.port}`;
  }

  /** The MQTT sink (idle when the config has no mqtt section). */
  get mqttSink(): MqttSink | null {
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
    await this.mqtt?.stop();
    this.pipelines.close();
    this.service.scheduler.stop();
    await this.adapter.stop();
    await this.driveLog.stop();
    await this.recorder?.stop();
    await this.redis?.stop();
    this.metrics.stop();
    await this.sockets.close();
    await this.http.close();
  }

  private async watchConfigFile(file: string): Promise<void> {
    this.watcher = watchConfigFile(file, (text) => void this.reload(text), () => this.spec.commands_from, {
      onError: (error) => this.configLogger.warn({ err: error }, `watching ${file}: ${error.message}`),
    });
    await this.watcher.ready;
    this.configLogger.info({ file }, `watching ${file} for changes`);
  }

  private async reloadNow(text: string): Promise<ReloadResult> {
    const started = performance.now();
    let parsed: ReturnType<typeof parseSpec>;
    try {
      parsed = parseSpec(text, this.spec.file);
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
    const changes = diffSpecs(this.spec, next);
    try {
      await this.apply(next, changes);
    } catch (error) {
      this.configLogger.error({ err: error }, `config reload failed: ${(error as Error).message}`);
      return this.announce({ ok: false, errors: [{ file: next.file, line: 0, col: 0, message: (error as Error).message }] });
    }
    const ms = (performance.now() - started).toFixed(1);
    this.configLogger.info({ changed: changes.changed, ms }, changes.changed.length ? `config reloaded in ${ms} ms: ${changes.changed.join(', ')}` : 'config saved, nothing changed');
    return this.announce({ ok: true, changed: changes.changed });
  }

  private announce(result: ReloadResult): ReloadResult {
    this.lastReload = result;
    this.metrics.countReload(result);
    this.sockets.io.emit('obdio:config', result);
    return result;
  }

  /** Applies the parts of `next` that differ from the running spec. */
  private async apply(next: Spec, changes: SpecChanges): Promise<void> {
    const previous = this.spec;
    this.spec = next;
    if (changes.restartServer) {
      await this.redis?.apply(next);
      this.http.setTls(loadTlsCredentials(next.server.tls));
      this.port = await this.http.relisten(next.server.port, next.server.host);
      this.logger.info({ url: this.url }, `now listening on ${this.url}`);
    }
    if (changes.serverOptions) this.sockets.setOptions(socketOptions(next));
    if (changes.static || changes.dashboard || changes.units) this.http.setHandler(appFor(next, this.metrics, this.driveLog).callback());
    if (changes.record) await this.recorder?.apply(next);
    await this.driveLog.apply(previous, next);
    if (changes.mqtt || changes.events || changes.units) await this.mqtt?.apply(next);
    if (changes.events || changes.units) this.sockets.setEvents(this.eventTable(next));
    if (changes.callbacks || changes.units) {
      const old = this.pipelines;
      this.pipelines = buildPipelines(next.watch.callbacks, this.sockets.fanOut, old, componentLogger(this.logger, 'watch'));
      old.close();
    }
    if (changes.watchInterval) this.service.scheduler.setInterval(next.watch.interval);
    if (changes.changed.includes('watch')) this.service.scheduler.configure({ batch: next.watch.batch, maxRate: next.watch.max_rate });
    // A signal-set file can change while obdio.yaml does not: the rebuilt table tells.
    if (this.service.setRegistry(commandRegistryFor(next)) && !changes.commands) changes.changed.push('commands_from');
    if (changes.commands) this.watcher?.setExtraFiles(next.commands_from);
    this.applyWatchList(next, previous);
    if (changes.restartConnection || changes.connectionOptions) {
      await this.adapter.stop();
      this.service.portName = next.connection.port;
      this.adapter = this.createAdapter(next);
      this.adapter.start();
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
  return buildApp(spec, { before: [metricsRoutes(metrics), driveLogRoutes(recentRows), dashboardMiddleware(dashboard, { units: spec.units })] });
}

function socketOptions(spec: Spec): SocketOptions {
  return {
    corsAllowedOrigins: spec.server.cors_allowed_origins,
    maxHttpBufferSize: spec.server.max_http_buffer_size,
    authToken: spec.server.auth.token ?? '',
  };
}
