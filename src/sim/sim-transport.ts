/**
 * The built-in simulator as a Transport: an in-process SimulatedElm327 behind the same
 * interface as a serial port or a TCP socket. Writes are handed to the simulated chip on a
 * later turn of the event loop (setImmediate), never inside write(), so the driver sees the
 * same ordering it would with real I/O — and answers come back at thousands per second.
 */
import { TransportError, type Transport } from '../transport/transport.js';
import { SimulatedElm327, type SimulatorOptions } from './elm.js';

export type SimTransportOptions = SimulatorOptions;

export class SimTransport implements Transport {
  readonly portName = 'sim';
  /** The simulated adapter, for tests and fault injection (elm.silent(), elm.setFaults(...)). */
  readonly elm: SimulatedElm327;
  private open_ = false;
  private readonly dataListeners: Array<(chunk: Buffer) => void> = [];
  private readonly lostListeners: Array<(error: Error) => void> = [];

  constructor(options: SimTransportOptions = {}) {
    this.elm = new SimulatedElm327(options);
    this.elm.onOutput((chunk) => {
      if (!this.open_) return;
      for (const listener of this.dataListeners) listener(chunk);
    });
  }

  get isOpen(): boolean {
    return this.open_;
  }

  async open(): Promise<void> {
    this.open_ = true;
  }

  write(text: string): void {
    if (!this.open_) throw new TransportError('ENOTOPEN', 'the simulator link is closed; open() it first');
    setImmediate(() => {
      if (this.open_) this.elm.feed(text);
    });
  }

  async setBaudRate(baudrate: number): Promise<void> {
    // No wire, but the simulated adapter models mismatched rates (after AT BRD / STBR).
    this.elm.setHostBaud(baudrate);
  }

  async close(): Promise<void> {
    this.open_ = false;
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.dataListeners.push(listener);
  }

  onLost(listener: (error: Error) => void): void {
    this.lostListeners.push(listener);
  }

  /** Simulates the adapter going away (unplugged): the link closes and onLost listeners hear `code`. */
  simulateLoss(code = 'ENODEV', message = 'the simulated adapter went away'): void {
    if (!this.open_) return;
    this.open_ = false;
    const error = new TransportError(code, message);
    for (const listener of this.lostListeners) listener(error);
  }
}
