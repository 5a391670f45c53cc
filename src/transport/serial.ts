/**
 * A serial-port transport (USB and Bluetooth-serial ELM327 adapters) on the `serialport`
 * package. Each open() makes a fresh port object, so a transport can reopen after the device
 * went away. Errors become TransportErrors with codes a user can act on.
 */
import type { SerialPort } from 'serialport';
import { TransportError, TransportListeners, type Transport } from './transport.js';

export interface SerialTransportOptions {
  /** The speed to open at (default 38400, an ELM327's power-on default); the driver may change it. */
  baudRate?: number;
}

export class SerialTransport implements Transport {
  readonly portName: string;
  private current: OpenPort | null = null;
  private baudRate: number;
  private readonly listeners = new TransportListeners();

  constructor(path: string, options: SerialTransportOptions = {}) {
    this.portName = path;
    this.baudRate = options.baudRate ?? 38400;
  }

  get isOpen(): boolean {
    return this.current?.port.isOpen ?? false;
  }

  async open(): Promise<void> {
    if (this.isOpen) return;
    // Loaded on first use: a gateway on the simulator or a TCP adapter never needs the package
    // and its native binding in memory.
    const { hangupAwareSerialPort } = await import('./serial-hangup.js');
    return new Promise((resolve, reject) => {
      let port: SerialPort;
      try {
        port = hangupAwareSerialPort({ path: this.portName, baudRate: this.baudRate, autoOpen: false });
      } catch (err) {
        reject(serialError(this.portName, err as Error));
        return;
      }
      const entry: OpenPort = { port, closedByUs: false };
      let lost = false;
      port.on('data', (chunk: Buffer) => {
        this.listeners.emitData(chunk);
      });
      port.on('close', (err: Error | null) => {
        if (this.current === entry) this.current = null;
        if (entry.closedByUs || lost) return;
        lost = true;
        const reason = err?.message ?? 'the port was closed';
        this.listeners.emitLost(new TransportError('LOST', `${this.portName}: the adapter went away (${reason})`));
      });
      // Errors also surface through 'close' or the callbacks; this handler keeps an 'error'
      // event from crashing the process.
      port.on('error', () => undefined);
      port.open((err) => {
        if (err) {
          reject(serialError(this.portName, err));
          return;
        }
        this.current = entry;
        resolve();
      });
    });
  }

  write(text: string): void {
    const port = this.current?.port;
    if (!port || !port.isOpen) throw new TransportError('NOT_OPEN', `${this.portName}: the port is not open`);
    port.write(Buffer.from(text, 'latin1'));
  }

  setBaudRate(baudrate: number): Promise<void> {
    const port = this.current?.port;
    this.baudRate = baudrate;
    if (!port || !port.isOpen) return Promise.resolve(); // used at the next open
    if (port.baudRate === baudrate) return Promise.resolve();
    return new Promise((resolve, reject) => {
      port.update({ baudRate: baudrate }, (err) => {
        if (err) reject(new TransportError('EINVAL', `${this.portName}: cannot set ${baudrate} baud (${err.message})`));
        else resolve();
      });
    });
  }

  close(): Promise<void> {
    const entry = this.current;
    this.current = null;
    if (!entry || !entry.port.isOpen) return Promise.resolve();
    entry.closedByUs = true; // so its 'close' event is not taken for a loss
    const { port } = entry;
    return new Promise((resolve) => {
      // A failed close leaves nothing to do for the caller: the port object is dropped either way.
      port.close(() => resolve());
    });
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.listeners.onData(listener);
  }

  onLost(listener: (error: Error) => void): void {
    this.listeners.onLost(listener);
  }
}

interface OpenPort {
  port: SerialPort;
  closedByUs: boolean;
}

/**
 * Maps a serialport error to a TransportError. The native binding reports strerror() text
 * ("Error: No such file or directory, cannot open /dev/ttyUSB9"), Windows its own wording.
 */
export function serialError(path: string, err: Error & { code?: unknown }): TransportError {
  const text = `${typeof err.code === 'string' ? err.code : ''} ${err.message}`.toLowerCase();
  const has = (...needles: string[]): boolean => needles.some((n) => text.includes(n.toLowerCase()));
  if (has('ENOENT', 'no such file or directory', 'file not found', 'cannot find the file')) {
    return new TransportError('ENOENT', `${path}: no such device (is the adapter plugged in, and is this the right port?)`);
  }
  if (has('EACCES', 'permission denied')) {
    return new TransportError('EACCES', `${path}: permission denied (add your user to the dialout group: sudo usermod -aG dialout $USER)`);
  }
  if (
    has('EBUSY', 'cannot lock port', 'resource temporarily unavailable', 'device or resource busy', 'access denied', 'access is denied')
  ) {
    return new TransportError('EBUSY', `${path}: port busy (another program has it open)`);
  }
  if (has('ENOTTY', 'inappropriate ioctl', 'not a typewriter')) {
    return new TransportError('ENOTTY', `${path}: not a serial port`);
  }
  if (has('ENXIO', 'ENODEV', 'no such device')) {
    return new TransportError('ENODEV', `${path}: the device is not there any more (unplugged?)`);
  }
  return new TransportError('EIO', `${path}: ${err.message}`);
}
