/**
 * Serves the simulated car as an ELM327 adapter to other programs: on a serial device (for
 * example one end of a `socat -d -d pty,raw,echo=0 pty,raw,echo=0` pair, the other end given
 * to the OBD software) or on a TCP port like a WiFi adapter. TCP takes one client at a time,
 * as those adapters do: a second connection is closed at once. The adapter keeps its state
 * across clients, as a powered adapter would (clients reset it with ATZ anyway).
 */
import net from 'node:net';
import { TransportError } from '../transport/transport.js';
import { SimulatedElm327, type SimulatorOptions } from './elm.js';

export interface ServeOptions extends SimulatorOptions {
  /** Serial targets only: the line speed (default 38400, the ELM327's default). */
  baudRate?: number;
}

export interface SimulatorServer {
  /** Where clients connect: "tcp://127.0.0.1:35000" or the serial device path. */
  readonly address: string;
  /** The simulated adapter, for fault injection. */
  readonly elm: SimulatedElm327;
  /**
   * Settles when the serial device goes away under the simulator (the pty's other end or socat
   * closed, a USB cable pulled): nothing can reach it any more. Never for TCP, which keeps
   * listening for the next client.
   */
  readonly lost: Promise<Error>;
  close(): Promise<void>;
}

/**
 * Starts serving. `target` is "tcp://HOST:PORT" (HOST defaults to 127.0.0.1, PORT 0 picks a
 * free one) or a serial device path. Rejects with a TransportError (EINVAL, EADDRINUSE,
 * EACCES, ENOENT, EBUSY...).
 */
export async function serveSimulator(target: string, options: ServeOptions = {}): Promise<SimulatorServer> {
  const elm = new SimulatedElm327(options);
  try {
    return target.startsWith('tcp://') ? await serveTcp(target, elm) : await serveSerial(target, elm, options.baudRate ?? 38400);
  } catch (error) {
    elm.dispose();
    throw error;
  }
}

function parseTcpTarget(target: string): { host: string; port: number } {
  const match = /^tcp:\/\/(?:\[([^\]]+)\]|([^:/]*)):(\d{1,5})\/?$/.exec(target);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) {
    throw new TransportError('EINVAL', `"${target}" is not a TCP address; use tcp://127.0.0.1:35000 (host optional, port 0-65535)`);
  }
  return { host: match[1] ?? (match[2] || '127.0.0.1'), port };
}

async function serveTcp(target: string, elm: SimulatedElm327): Promise<SimulatorServer> {
  const { host, port } = parseTcpTarget(target);
  let client: net.Socket | null = null;
  const sockets = new Set<net.Socket>();
  const unsubscribe = elm.onOutput((chunk) => {
    if (client && !client.destroyed) client.write(chunk);
  });

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    if (client) {
      // Busy: a WiFi ELM327 talks to one program at a time.
      socket.destroy();
      return;
    }
    client = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk) => elm.feed(chunk));
    socket.on('close', () => {
      if (client === socket) client = null;
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(new TransportError(error.code ?? 'EIO', `cannot listen on ${target}: ${error.message}`));
    });
    server.listen(port, host, () => resolve());
  });
  server.on('error', () => {
    // After listening, errors concern single connections, which are handled per socket.
  });

  const bound = server.address() as net.AddressInfo;
  const shownHost = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    address: `tcp://${shownHost}:${bound.port}`,
    elm,
    lost: new Promise<Error>(() => undefined),
    close: async () => {
      unsubscribe();
      elm.dispose();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** serialport's open errors carry no code; recover one from the message. */
function serialErrorCode(message: string): string {
  if (/no such file|not found|cannot find/i.test(message)) return 'ENOENT';
  if (/permission denied|access denied/i.test(message)) return 'EACCES';
  if (/busy|lock|resource temporarily unavailable/i.test(message)) return 'EBUSY';
  return 'EIO';
}

async function serveSerial(path: string, elm: SimulatedElm327, baudRate: number): Promise<SimulatorServer> {
  if (!path) throw new TransportError('EINVAL', 'a serial device path or tcp://HOST:PORT is needed to serve the simulator');
  // Loaded only here: serving over TCP or running in-process needs no native binding.
  const { hangupAwareSerialPort } = await import('../transport/serial-hangup.js');
  // A peer that hangs up closes the port instead of spinning on 0-byte reads (see serial-hangup.ts).
  const port = hangupAwareSerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => {
    port.open((error) => {
      if (error) reject(new TransportError(serialErrorCode(error.message), `cannot open ${path}: ${error.message}`));
      else resolve();
    });
  });
  port.on('error', () => {
    // Failures of single reads and writes; a device that went away also closes the port (below).
  });
  let closing = false;
  const lost = new Promise<Error>((resolve) => {
    port.on('close', (error: Error | null) => {
      if (!closing) resolve(new TransportError('LOST', `${path}: the serial device went away (${error?.message ?? 'closed'})`));
    });
  });
  port.on('data', (chunk: Buffer) => elm.feed(chunk));
  const unsubscribe = elm.onOutput((chunk) => {
    if (port.isOpen) port.write(chunk);
  });
  // The adapter's UART follows AT BRD / STBR: so does its end of the serial line.
  const unfollow = elm.onBaudChange((baud) => {
    if (port.isOpen) port.update({ baudRate: baud ?? baudRate }, () => undefined);
  });
  return {
    address: path,
    elm,
    lost,
    close: async () => {
      closing = true;
      unsubscribe();
      unfollow();
      elm.dispose();
      if (!port.isOpen) return;
      await new Promise<void>((resolve) => port.close(() => resolve()));
    },
  };
}
