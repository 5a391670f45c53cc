import type { Logger } from 'pino';
import type { ConfigError } from './config/errors.js';
import { formatConfigError } from './config/errors.js';
import { diffSpecs, type SpecChanges } from './config/diff.js';
import { DEFAULT_EVENT_NAMES, enabledDefaultEvents, type Spec } from './config/spec.js';
import { watchConfigFile, type ConfigFileWatcher } from './config/watch-file.js';
import { parseSpec } from './load-spec.js';
import { AdapterManager } from './adapter.js';
import { commandByName } from './obd/commands/index.js';
import { encodeResponse } from './obd/encode.js';
import { buildApp } from './server/app.js';
import { defaultEventHandlers } from './server/default-events.js';
import type { EventTable } from './server/event-table.js';
import { HttpServer } from './server/http.js';
import { SocketServer, type SocketOptions } from './server/socket.js';
import { streamEventHandlers, VALUES_ROOM } from './server/stream-events.js';
import { ObdService } from './watch/obd-service.js';
import { buildPipelines, type Pipelines } from './watch/pipelines.js';
import { silentLogger } from './log.js';

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
  private watcher: ConfigFileWatcher | null = null;
  private lastReload: ReloadResult | null = null;
  /** Reloads run one at a time, in the order saves arrived. */
  private reloading: Promise<unknown> = Promise.resolve();
  private port = 0;

  private constructor(
    private spec: Spec,
    readonly logger: Logger,
    private readonly adjust: (spec: Spec) => Spec,
  ) {
    this.service = new ObdService(spec.connection.port, spec.watch.interval, logger);
    this.http = new HttpServer(buildApp(spec).callback());
    this.sockets = new SocketServer(this.http.server, socketOptions(spec), logger);
    this.sockets.setEvents(this.eventTable(spec));
    this.sockets.onConnection((socket) => {
      if (this.lastReload) socket.emit('obdio:config', this.lastReload);
    });
    this.pipelines = buildPipelines(spec.watch.callbacks, this.sockets.io);
    this.service.scheduler.onResponse((response) => {
      this.pipelines.push(response);
      // The stream every dashboard-like client can join, whatever the user's callbacks are.
      if (this.sockets.io.sockets.adapter.rooms.has(VALUES_ROOM)) {
        this.sockets.io.to(VALUES_ROOM).emit('obdio:value', encodeResponse(response));
      }
    });
    this.adapter = new AdapterManager(spec.connection, this.service, logger);
  }

  /** Builds the gateway, listens, and starts connecting to the adapter in the background. */
  static async start(spec: Spec, options: GatewayOptions = {}): Promise<Gateway> {
    const adjust = options.adjust ?? ((s: Spec) => s);
    const gateway = new Gateway(adjust(spec), options.logger ?? silentLogger(), adjust);
    gateway.applyWatchList(gateway.spec, null);
    gateway.port = await gateway.http.listen(gateway.spec.server.port, gateway.spec.server.host);
    gateway.logger.info({ url: gateway.url }, `listening on ${gateway.url}`);
    gateway.adapter.start();
    if (options.watchConfig && spec.file) await gateway.watchConfigFile(spec.file);
    return gateway;
  }

  get url(): string {
    const host = this.spec.server.host.includes(':') ? `[${this.spec.server.host}]` : this.spec.server.host;
    return `http://${host}:${this.port}`;
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
    this.pipelines.close();
    this.service.scheduler.stop();
    await this.adapter.stop();
    await this.sockets.close();
    await this.http.close();
  }

  private async watchConfigFile(file: string): Promise<void> {
    this.watcher = watchConfigFile(file, (text) => void this.reload(text), undefined, {
      onError: (error) => this.logger.warn({ err: error }, `watching ${file}: ${error.message}`),
    });
    await this.watcher.ready;
    this.logger.info({ file }, `watching ${file} for changes`);
  }

  private async reloadNow(text: string): Promise<ReloadResult> {
    const started = performance.now();
    const parsed = parseSpec(text, this.spec.file);
    if (!parsed.ok) {
      for (const error of parsed.errors) this.logger.error(`config not applied: ${formatConfigError(error)}`);
      this.logger.warn('the previous configuration keeps running; fix the file and save again');
      return this.announce({
        ok: false,
        errors: parsed.errors.map(({ file, line, col, message }) => ({ file, line, col, message })),
      });
    }
    const next = this.adjust(parsed.spec);
    const changes = diffSpecs(this.spec, next);
    try {
      await this.apply(next, changes);
    } catch (error) {
      this.logger.error({ err: error }, `config reload failed: ${(error as Error).message}`);
      return this.announce({ ok: false, errors: [{ file: next.file, line: 0, col: 0, message: (error as Error).message }] });
    }
    const ms = (performance.now() - started).toFixed(1);
    this.logger.info({ changed: changes.changed, ms }, changes.changed.length ? `config reloaded in ${ms} ms: ${changes.changed.join(', ')}` : 'config saved, nothing changed');
    return this.announce({ ok: true, changed: changes.changed });
  }

  private announce(result: ReloadResult): ReloadResult {
    this.lastReload = result;
    this.sockets.io.emit('obdio:config', result);
    return result;
  }

  /** Applies the parts of `next` that differ from the running spec. */
  private async apply(next: Spec, changes: SpecChanges): Promise<void> {
    const previous = this.spec;
    this.spec = next;
    if (changes.restartServer) {
      this.port = await this.http.relisten(next.server.port, next.server.host);
      this.logger.info({ url: this.url }, `now listening on ${this.url}`);
    }
    if (changes.serverOptions) this.sockets.setOptions(socketOptions(next));
    if (changes.static || changes.dashboard) this.http.setHandler(buildApp(next).callback());
    if (changes.events || changes.units) this.sockets.setEvents(this.eventTable(next));
    if (changes.callbacks || changes.units) {
      const old = this.pipelines;
      this.pipelines = buildPipelines(next.watch.callbacks, this.sockets.io);
      old.close();
    }
    if (changes.watchInterval) this.service.scheduler.setInterval(next.watch.interval);
    this.applyWatchList(next, previous);
    if (changes.restartConnection || changes.connectionOptions) {
      await this.adapter.stop();
      this.service.portName = next.connection.port;
      this.adapter = new AdapterManager(next.connection, this.service, this.logger);
      this.adapter.start();
    }
  }

  /** The events clients may send under this spec: enabled default events, the rest disabled. */
  private eventTable(spec: Spec): EventTable {
    const enabled = enabledDefaultEvents(spec.events);
    const context = { service: this.service, broadcast: (event: string, ...args: unknown[]) => this.sockets.io.emit(event, ...args) };
    return {
      handlers: new Map([...streamEventHandlers(this.service), ...defaultEventHandlers(context, enabled)]),
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
      const cmd = commandByName(name);
      if (cmd && !(name in spec.watch.commands)) scheduler.unwatch(cmd);
    }
    for (const [name, rate] of Object.entries(spec.watch.commands)) {
      const cmd = commandByName(name);
      if (cmd) scheduler.watch(cmd, rate);
      else this.logger.warn({ command: name }, `watch: unknown command ${name}`);
    }
    // Start streaming when the config's list becomes non-empty; later a client's `stop` is respected.
    const hadNone = previous === null || Object.keys(previous.watch.commands).length === 0;
    if (hadNone && Object.keys(spec.watch.commands).length > 0) scheduler.start();
  }
}

function socketOptions(spec: Spec): SocketOptions {
  return {
    corsAllowedOrigins: spec.server.cors_allowed_origins,
    maxHttpBufferSize: spec.server.max_http_buffer_size,
    authToken: spec.server.auth.token ?? '',
  };
}
