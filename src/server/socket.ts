import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { Server, type Socket } from 'socket.io';
import type { ObdService } from '../watch/obd-service.js';
import { ClientError } from './client-error.js';
import { checkArguments, DEFAULT_EVENTS, QueryFailed } from './default-events.js';

export interface SocketOptions {
  /** Origins allowed to connect from a browser; '*' for any. Same-origin pages are always allowed. */
  corsAllowedOrigins: string[] | '*';
  maxHttpBufferSize: number;
  /** Empty: no authentication; else clients must send it as `auth.token` in the handshake. */
  authToken: string;
}

/** Which default events answer; the rest reply EVENT_DISABLED. */
export interface EventSettings {
  enabled: ReadonlySet<string>;
}

export type Ack = (payload: unknown) => void;

/**
 * Socket.IO on the gateway's HTTP server. Every incoming event goes through one dispatcher, so
 * the event table can be swapped on a config reload while sockets stay connected.
 */
export class SocketServer {
  readonly io: Server;
  private settings: EventSettings = { enabled: new Set(Object.keys(DEFAULT_EVENTS)) };

  constructor(
    httpServer: HttpServer,
    private options: SocketOptions,
    private readonly service: ObdService,
    private readonly logger?: Logger,
  ) {
    this.io = new Server(httpServer, {
      serveClient: false,
      maxHttpBufferSize: options.maxHttpBufferSize,
      cors: { origin: (origin, callback) => callback(null, this.originAllowed(origin)) },
      allowRequest: (req, callback) => callback(null, this.requestAllowed(req)),
    });
    this.io.use((socket, next) => {
      if (this.authorized(socket.handshake.auth?.token)) return next();
      next(new Error('unauthorized: send the gateway token as auth.token in the handshake'));
    });
    this.io.on('connection', (socket) => this.attach(socket));
  }

  /** Options that can change on a reload without dropping clients. */
  setOptions(options: SocketOptions): void {
    this.options = options;
  }

  setEvents(settings: EventSettings): void {
    this.settings = settings;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
  }

  private attach(socket: Socket): void {
    this.logger?.debug({ client: socket.id }, 'client connected');
    socket.onAny((event: string, ...args: unknown[]) => {
      const ack = typeof args.at(-1) === 'function' ? (args.pop() as Ack) : undefined;
      void this.dispatch(socket, event, args, ack);
    });
    socket.on('disconnect', (reason) => this.logger?.debug({ client: socket.id, reason }, 'client disconnected'));
  }

  private async dispatch(socket: Socket, event: string, args: unknown[], ack?: Ack): Promise<void> {
    try {
      const definition = DEFAULT_EVENTS[event];
      if (!definition || !Object.hasOwn(DEFAULT_EVENTS, event)) {
        throw new ClientError('UNKNOWN_EVENT', `unknown event '${String(event).slice(0, 64)}'`);
      }
      if (!this.settings.enabled.has(event)) {
        throw new ClientError('EVENT_DISABLED', `the event '${event}' is disabled in the gateway's configuration`);
      }
      const arg = checkArguments(event, definition.params, args);
      const reply = await definition.run({ service: this.service, broadcast: (e, ...a) => this.io.emit(e, ...a) }, arg);
      if (definition.replies) socket.emit(event, reply);
      ack?.(definition.replies ? reply : null);
    } catch (error) {
      this.fail(socket, event, error, ack);
    }
  }

  private fail(socket: Socket, event: string, error: unknown, ack?: Ack): void {
    const clientError =
      error instanceof ClientError ? error : new ClientError('INTERNAL', 'internal error; the gateway log has the details');
    if (!(error instanceof ClientError)) this.logger?.error({ err: error, event }, 'event handler failed');
    // A query that found no value still answers null on its own event, as the reference does.
    if (error instanceof QueryFailed) socket.emit(event, null);
    socket.emit('obdio:error', { event, code: clientError.code, message: clientError.message });
    ack?.({ error: clientError.toJSON() });
  }

  private authorized(token: unknown): boolean {
    const expected = this.options.authToken;
    if (!expected) return true;
    if (typeof token !== 'string') return false;
    // Compare digests so the comparison takes the same time whatever the length or content.
    const digest = (s: string) => createHash('sha256').update(s).digest();
    return timingSafeEqual(digest(token), digest(expected));
  }

  private originAllowed(origin: string | undefined): boolean {
    const allowed = this.options.corsAllowedOrigins;
    return origin === undefined || allowed === '*' || allowed.includes(origin);
  }

  /** Browsers send Origin on WebSocket upgrades too, which CORS headers alone do not guard. */
  private requestAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined || this.originAllowed(origin)) return true;
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  }
}
