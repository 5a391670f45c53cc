/**
 * A TCP transport for WiFi ELM327 adapters ("tcp://192.168.0.10:35000"). Nagle is off: every
 * command is a few bytes and waits for its answer, so batching would only add latency.
 */
import net from 'node:net';
import { TransportError, TransportListeners, type Transport } from './transport.js';

export interface TcpTransportOptions {
  /** Give up connecting after this many ms (default 5000). */
  connectTimeoutMs?: number;
}

export interface TcpAddress {
  host: string;
  port: number;
}

/** Parses "tcp://host:port" ("tcp://[::1]:35000" for IPv6); a TransportError('EINVAL') otherwise. */
export function parseTcpUrl(url: string): TcpAddress {
  const invalid = (): TransportError =>
    new TransportError('EINVAL', `${url}: not a TCP adapter address (expected tcp://host:port, e.g. tcp://192.168.0.10:35000)`);
  if (!url.toLowerCase().startsWith('tcp://')) throw invalid();
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid();
  }
  const port = Number(parsed.port);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535 || (parsed.pathname !== '' && parsed.pathname !== '/')) throw invalid();
  return { host, port };
}

export class TcpTransport implements Transport {
  readonly portName: string;
  private socket: net.Socket | null = null;
  private readonly connectTimeoutMs: number;
  private readonly listeners = new TransportListeners();

  constructor(url: string, options: TcpTransportOptions = {}) {
    this.portName = url;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  }

  get isOpen(): boolean {
    return this.socket !== null;
  }

  open(): Promise<void> {
    if (this.socket) return Promise.resolve();
    let address: TcpAddress;
    try {
      address = parseTcpUrl(this.portName);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: address.host, port: address.port });
      socket.setNoDelay(true);
      let connected = false;
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new TransportError(
            'ETIMEDOUT',
            `${this.portName}: no answer to the connection within ${this.connectTimeoutMs} ms (is the adapter's WiFi joined?)`,
          ),
        );
      }, this.connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        connected = true;
        // Notice a WiFi adapter that vanished without closing the connection.
        socket.setKeepAlive(true, 5000);
        this.socket = socket;
        resolve();
      });
      socket.on('data', (chunk: Buffer) => {
        this.listeners.emitData(chunk);
      });
      let failure: Error | null = null;
      socket.on('error', (err) => {
        failure = err;
        if (!connected) {
          clearTimeout(timer);
          reject(tcpError(this.portName, err));
        }
      });
      socket.on('close', () => {
        if (!connected || this.socket !== socket) return; // never opened, or closed by close()
        this.socket = null;
        const reason = failure ? tcpError(this.portName, failure).message : `${this.portName}: the adapter closed the connection`;
        const lost = new TransportError('LOST', reason);
        this.listeners.emitLost(lost);
      });
    });
  }

  write(text: string): void {
    if (!this.socket) throw new TransportError('NOT_OPEN', `${this.portName}: the connection is not open`);
    this.socket.write(text, 'latin1');
  }

  /** A socket has no baud rate. */
  setBaudRate(_baudrate: number): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    if (!socket) return Promise.resolve();
    return new Promise((resolve) => {
      if (socket.destroyed) return resolve();
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.listeners.onData(listener);
  }

  onLost(listener: (error: Error) => void): void {
    this.listeners.onLost(listener);
  }
}

/** Maps a socket error to a TransportError with advice. */
export function tcpError(url: string, err: Error & { code?: unknown }): TransportError {
  const code = typeof err.code === 'string' ? err.code : 'EIO';
  switch (code) {
    case 'ECONNREFUSED':
      return new TransportError(
        code,
        `${url}: connection refused (is the adapter on, and is the port right? WiFi ELM327s usually listen on 35000)`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new TransportError('ENOTFOUND', `${url}: host not found`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new TransportError(code, `${url}: host unreachable (is this computer on the adapter's WiFi network?)`);
    case 'ETIMEDOUT':
      return new TransportError(code, `${url}: connection timed out`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new TransportError(code, `${url}: the adapter reset the connection`);
    default:
      return new TransportError(code, `${url}: ${err.message}`);
  }
}
