import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The one HTTP server of the gateway. Socket.IO attaches to it once; the request handler behind
 * it (a Koa app's callback) can be swapped on a config reload without closing the server, so
 * connected clients never notice a reload.
 */
export class HttpServer {
  readonly server: Server;
  private handler: RequestHandler;

  constructor(handler: RequestHandler) {
    this.handler = handler;
    this.server = createHttpServer((req, res) => this.handler(req, res));
  }

  setHandler(handler: RequestHandler): void {
    this.handler = handler;
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
