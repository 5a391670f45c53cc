import type { Logger } from 'pino';
import { enabledDefaultEvents, type Spec } from './config/spec.js';
import { Elm327 } from './elm327/driver.js';
import { commandByName } from './obd/commands/index.js';
import { ObdConnection } from './obd/connection.js';
import { buildApp } from './server/app.js';
import { HttpServer } from './server/http.js';
import { SocketServer, type SocketOptions } from './server/socket.js';
import { createTransport } from './transport/open.js';
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
  private connecting: Promise<void> | null = null;
  private port = 0;

  private constructor(
    private spec: Spec,
    readonly logger: Logger,
  ) {
    this.service = new ObdService(spec.connection.port, spec.watch.interval, logger);
    this.http = new HttpServer(buildApp(spec).callback());
    this.sockets = new SocketServer(this.http.server, socketOptions(spec), this.service, logger);
    this.sockets.setEvents({ enabled: new Set(enabledDefaultEvents(spec.events)) });
    this.pipelines = buildPipelines(spec.watch.callbacks, this.sockets.io);
    this.stopPublishing = this.service.scheduler.onResponse((response) => this.pipelines.push(response));
  }

  /** Builds the gateway, listens, and starts connecting to the adapter in the background. */
  static async start(spec: Spec, options: GatewayOptions = {}): Promise<Gateway> {
    const gateway = new Gateway(spec, options.logger ?? silentLogger());
    gateway.applyWatchList(spec);
    gateway.port = await gateway.http.listen(spec.server.port, spec.server.host);
    gateway.logger.info({ url: gateway.url }, `listening on ${gateway.url}`);
    gateway.connecting = gateway.connect();
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
    await this.connecting;
  }

  async stop(): Promise<void> {
    this.stopPublishing();
    this.pipelines.close();
    await this.service.close();
    await this.sockets.close();
    await this.http.close();
  }

  private applyWatchList(spec: Spec): void {
    for (const [name, rate] of Object.entries(spec.watch.commands)) {
      const cmd = commandByName(name);
      if (cmd) this.service.scheduler.watch(cmd, rate);
      else this.logger.warn({ command: name }, `watch: unknown command ${name}`);
    }
    if (Object.keys(spec.watch.commands).length > 0) this.service.scheduler.start();
  }

  private async connect(): Promise<void> {
    const { connection } = this.spec;
    const transport = createTransport(connection);
    const elm = new Elm327(transport, {
      baudrate: connection.baudrate,
      protocol: connection.protocol,
      timeout: connection.timeout,
      checkVoltage: connection.check_voltage,
      startLowPower: connection.start_low_power,
      logger: this.logger,
    });
    try {
      await elm.connect();
    } catch (error) {
      this.logger.error({ err: error, port: connection.port }, `cannot connect to the adapter on ${connection.port}: ${(error as Error).message}`);
      return;
    }
    const session = new ObdConnection(elm, {
      fast: connection.fast,
      allowClearDtc: connection.allow_clear_dtc,
      logger: this.logger,
    });
    await session.loadSupportedCommands();
    this.service.setConnection(session);
    this.logger.info(
      { status: session.status, protocol: session.protocolName, port: connection.port },
      `${session.status}: ${session.protocolName || 'no protocol'} on ${connection.port}`,
    );
  }
}

function socketOptions(spec: Spec): SocketOptions {
  return {
    corsAllowedOrigins: spec.server.cors_allowed_origins,
    maxHttpBufferSize: spec.server.max_http_buffer_size,
    authToken: spec.server.auth.token ?? '',
  };
}

