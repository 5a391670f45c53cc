/**
 * A client message larger than `server.max_http_buffer_size` makes Socket.IO drop that client's
 * connection (the WebSocket is closed with 1009 "message too big"; a long-polling POST gets 413).
 * The client only sees a disconnect ("transport close" / "transport error"), so the gateway says
 * in its log which client it was and what to change. Other clients are not affected.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import type { Server } from 'socket.io';

/** ws's text for a frame over its maxPayload. */
const WS_TOO_BIG = 'Max payload size exceeded';

export function logOversizedMessages(io: Server, httpServer: HttpServer, logger: Logger): () => void {
  const limit = (): number => Number(io.engine.opts.maxHttpBufferSize);
  const advice = (): string =>
    `over server.max_http_buffer_size (${limit()} bytes): Socket.IO closed its connection; raise the limit if such messages are expected`;

  const onConnection = (raw: {
    id: string;
    request: IncomingMessage;
    on(event: 'close', listener: (reason: string, description?: unknown) => void): void;
  }): void => {
    raw.on('close', (reason, description) => {
      const message = (description as { message?: unknown } | undefined)?.message;
      if (reason === 'transport error' && typeof message === 'string' && message.includes(WS_TOO_BIG)) {
        logger.warn(
          { client: raw.id, address: raw.request.socket?.remoteAddress },
          `client ${raw.id} sent a WebSocket message ${advice()}`,
        );
      }
    });
  };
  // Long polling: engine.io answers 413 without an event; the request's declared size tells.
  const onRequest = (req: IncomingMessage): void => {
    if (req.method !== 'POST' || !req.url?.startsWith(io.path())) return;
    const size = Number(req.headers['content-length']);
    if (Number.isFinite(size) && size > limit()) {
      const sid = new URL(req.url, 'http://x').searchParams.get('sid') ?? '?';
      logger.warn(
        { client: sid, address: req.socket.remoteAddress },
        `client ${sid} sent a long-polling message of ${size} bytes, ${advice()}`,
      );
    }
  };
  io.engine.on('connection', onConnection);
  httpServer.prependListener('request', onRequest);
  return () => {
    io.engine.off('connection', onConnection);
    httpServer.off('request', onRequest);
  };
}
