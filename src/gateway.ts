import type { Logger } from 'pino';
import { DEFAULT_EVENT_NAMES, enabledDefaultEvents, type Spec } from './config/spec.js';
import { commandByName } from './obd/commands/index.js';
import { AdapterManager } from './adapter.js';
import { buildApp } from './server/app.js';
import { HttpServer } from './server/http.js';
import { defaultEventHandlers } from './server/default-events.js';
import type { EventTable } from './server/event-table.js';
import { SocketServer, type SocketOptions } from './server/socket.js';
import { ObdService } from './watch/obd-service.js';
import { buildPipelines, type Pipelines } from './watch/pipelines.js';
import { silentLogger } from './log.js';

export interface GatewayOptions {
  logger?: Logger;
}

/**
 * Owns the running parts (adapter session, watch loop, HTTP + Socket.IO server) and wires them
 * from a Spec. The HTTP server and Socket.IO are created once; everything else can be replaced.
 */
export class Gateway {
  readonly service: ObdService;
  readonly http: HttpServer;
  readonly sockets: SocketServer;
  private pipelines: Pipelines;
  private stopPublishing: () => void;
  private adapter: AdapterManager;
  private port = 0;

  private constructor(
    private spec: Spec,
    readonly logger: Logger,
  ) {
    this.service = new ObdService(spec.connection.port, spec.watch.interval, logger);
    this.http = new HttpServer(buildApp(spec).callback());
    this.sockets = new SocketServer(this.http.server, socketOptions(spec), logger);
    this.sockets.setEvents(this.eventTable(spec));
    this.pipelines = buildPipelines(spec.watch.callbacks, this.sockets.io);
    this.stopPublishing = this.service.scheduler.onResponse((response) => this.pipelines.push(response));
    this.adapter = new AdapterManager(spec.connection, this.service, logger);
  }

  /** Builds the gateway, listens, and starts connecting to the adapter in the background. */
  static async start(spec: Spec, options: GatewayOptions = {}): Promise<Gateway> {
    const gateway = new Gateway(spec, options.logger ?? silentLogger());
    gateway.applyWatchList(spec);
    gateway.port = await gateway.http.listen(spec.server.port, spec.server.host);
    gateway.logger.info({ url: gateway.url }, `listening on ${gateway.url}`);
    gateway.adapter.start();
    return gateway;
  }

  get url(): string {
    const host = this.spec.server.host.includes(':') ? `[${this.spec.server.host}]` : this.spec.server.host;
    return `http://${host}:${this.port}`;
  }

  get listeningPort(): number {
    return this.port;
  }

  /** Resolves when the current attempt to connect the adapter has finished (for tests and start-up logs). */
  async ready(): Promise<void> {
    await this.adapter.ready();
  }

  async stop(): Promise<void> {
    this.stopPublishing();
    this.pipelines.close();
    this.service.scheduler.stop();
    await this.adapter.stop();
    await this.sockets.close();
    await this.http.close();
  }

  /** The events clients may send under this spec: enabled default events, the rest disabled. */
  private eventTable(spec: Spec): EventTable {
    const enabled = enabledDefaultEvents(spec.events);
    const context = { service: this.service, broadcast: (event: string, ...args: unknown[]) => this.sockets.io.emit(event, ...args) };
    return {
      handlers: defaultEventHandlers(context, enabled),
      disabled: new Set(DEFAULT_EVENT_NAMES.filter((name) => !enabled.includes(name))),
    };
  }

  private applyWatchList(spec: Spec): void {
    for (const [name, rate] of Object.entries(spec.watch.commands)) {
      const cmd = commandByName(name);
      if (cmd) this.service.scheduler.watch(cmd, rate);
      else this.logger.warn({ command: name }, `watch: unknown command ${name}`);
    }
    if (Object.keys(spec.watch.commands).length > 0) this.service.scheduler.start();
  }
}

function socketOptions(spec: Spec): SocketOptions {
  return {
    corsAllowedOrigins: spec.server.cors_allowed_origins,
    maxHttpBufferSize: spec.server.max_http_buffer_size,
    authToken: spec.server.auth.token ?? '',
  };
}

