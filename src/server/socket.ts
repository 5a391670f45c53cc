import { tokenMatches } from '../api/auth.js';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { Server, type Socket } from 'socket.io';
import { ClientError } from '../api/client-error.js';
import type { Ack, EventTable } from '../api/event-table.js';
import { PacedFanOut } from '../fanout/paced.js';

export interface SocketOptions {
  /** Origins allowed to connect from a browser; '*' for any. Same-origin pages are always allowed. */
  corsAllowedOrigins: string[] | '*';
  maxHttpBufferSize: number;
  /** Empty: no authentication; else clients must send it as `auth.token` in the handshake. */
  authToken: string;
}

/** What clients sent and what they were told was wrong, for /metrics. */
export interface ClientTrafficStats {
  /** Events received by name; names the gateway does not know count under UNKNOWN_EVENT_LABEL. */
  readonly events: Map<string, number>;
  /** `obdio:error` replies by code. */
  readonly errors: Map<string, number>;
}

/** Any client can send any event name: counting those one by one would let it grow /metrics without bound. */
export const UNKNOWN_EVENT_LABEL = '(unknown)';

/**
 * Socket.IO on the gateway's HTTP server. Every incoming event goes through one dispatcher, so
 * the event table can be swapped on a config reload while sockets stay connected.
 */
export class SocketServer {
  readonly io: Server;
  readonly stats: ClientTrafficStats = { events: new Map(), errors: new Map() };
  /** Broadcasts of watched values, paced so that a thousand clients do not stall the event loop. */
  readonly fanOut: PacedFanOut;
  private events: EventTable = { handlers: new Map(), disabled: new Set() };

  constructor(
    httpServer: HttpServer,
    private options: SocketOptions,
    private readonly logger?: Logger,
  ) {
    this.io = new Server(httpServer, {
      serveClient: false,
      maxHttpBufferSize: options.maxHttpBufferSize,
      cors: { origin: (origin, callback) => callback(null, this.originAllowed(origin)) },
      allowRequest: (req, callback) => callback(null, this.requestAllowed(req)),
    });
    this.io.use((socket, next) => {
      if (tokenMatches(socket.handshake.auth?.token, this.options.authToken)) return next();
      next(new Error('unauthorized: send the gateway token as auth.token in the handshake'));
    });
    this.io.on('connection', (socket) => this.attach(socket));
    this.fanOut = new PacedFanOut(this.io);
  }

  /** Runs for every new client once it is connected (to send it the current state). */
  onConnection(listener: (socket: Socket) => void): void {
    this.io.on('connection', listener);
  }

  /** Options that can change on a reload without dropping clients. */
  setOptions(options: SocketOptions): void {
    this.options = options;
    // engine.io reads its options on every message, so the new limit applies to open sockets too.
    this.io.engine.opts.maxHttpBufferSize = options.maxHttpBufferSize;
  }

  /** Swaps the event table (on start and on every config reload); connected sockets keep their ids. */
  setEvents(events: EventTable): void {
    this.events = events;
  }

  async close(): Promise<void> {
    this.fanOut.close();
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
    const handler = this.events.handlers.get(event);
    const known = handler !== undefined || this.events.disabled.has(event);
    increment(this.stats.events, known ? event : UNKNOWN_EVENT_LABEL);
    try {
      if (handler) return void (await handler({ socket, event, args, ack }));
      if (this.events.disabled.has(event)) {
        throw new ClientError('EVENT_DISABLED', `the event '${event}' is disabled in the gateway's configuration`);
      }
      throw new ClientError('UNKNOWN_EVENT', `unknown event '${String(event).slice(0, 64)}'`);
    } catch (error) {
      this.fail(socket, event, error, ack);
    }
  }

  private fail(socket: Socket, event: string, error: unknown, ack?: Ack): void {
    const clientError =
      error instanceof ClientError ? error : new ClientError('INTERNAL', 'internal error; the gateway log has the details');
    if (!(error instanceof ClientError)) this.logger?.error({ err: error, event }, 'event handler failed');
    increment(this.stats.errors, clientError.code);
    socket.emit('obdio:error', { event, code: clientError.code, message: clientError.message });
    ack?.({ error: clientError.toJSON() });
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

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
