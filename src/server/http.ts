import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server as TlsServer } from 'node:tls';
import type { TlsCredentials } from './tls.js';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The one HTTP(S) server of the gateway. Socket.IO attaches to it once; the request handler behind
 * it (a Koa app's callback) can be swapped on a config reload without closing the server, so
 * connected clients never notice a reload.
 */
export class HttpServer {
  readonly server: Server;
  /** Served over TLS (https:// and wss://). */
  readonly secure: boolean;
  private handler: RequestHandler;

  constructor(handler: RequestHandler, tls: TlsCredentials | null = null) {
    this.handler = handler;
    const listener = (req: IncomingMessage, res: ServerResponse): void => this.handler(req, res);
    this.secure = tls !== null;
    this.server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, listener) : createHttpServer(listener);
  }

  /** The URL scheme clients use. */
  get scheme(): 'http' | 'https' {
    return this.secure ? 'https' : 'http';
  }

  setHandler(handler: RequestHandler): void {
    this.handler = handler;
  }

  /**
   * New certificate/key on a reload: new connections use them at once, open ones keep theirs.
   * Turning TLS on or off needs a new server (Socket.IO is bound to this one): a restart.
   */
  setTls(tls: TlsCredentials | null): void {
    if ((tls !== null) !== this.secure) {
      throw new Error(`turning TLS ${tls ? 'on' : 'off'} needs a restart of the gateway (server.tls changed)`);
    }
    if (tls) (this.server as unknown as TlsServer).setSecureContext({ cert: tls.cert, key: tls.key });
  }

  /** Listens; rejects with the listen error (EADDRINUSE, EACCES, ...). Resolves the bound port. */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  /**
   * Moves to another address (a reload changed server.host/port). Clients are disconnected
   * and reconnect to the new address themselves; the server object, and Socket.IO on it, stay.
   */
  async relisten(port: number, host: string): Promise<number> {
    await this.close();
    return this.listen(port, host);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
