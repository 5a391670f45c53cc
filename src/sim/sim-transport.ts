/**
 * The built-in simulator as a Transport: an in-process SimulatedElm327 behind the same
 * interface as a serial port or a TCP socket. Writes are handed to the simulated chip on a
 * later turn of the event loop (setImmediate), never inside write(), so the driver sees the
 * same ordering it would with real I/O — and answers come back at thousands per second.
 */
import { InMemoryTransport } from '../transport/in-memory.js';
import { TransportError } from '../transport/transport.js';
import { SimulatedElm327, type SimulatorOptions } from './elm.js';

export type SimTransportOptions = SimulatorOptions;

export class SimTransport extends InMemoryTransport {
  /** The simulated adapter, for tests and fault injection (elm.silent(), elm.setFaults(...)). */
  readonly elm: SimulatedElm327;

  constructor(options: SimTransportOptions = {}) {
    super('sim');
    this.elm = new SimulatedElm327(options);
    this.elm.onOutput((chunk) => this.deliver(chunk));
  }

  write(text: string): void {
    this.assertOpen('ENOTOPEN', 'the simulator link is closed; open() it first');
    setImmediate(() => {
      if (this.isOpen) this.elm.feed(text);
    });
  }

  override async setBaudRate(baudrate: number): Promise<void> {
    // No wire, but the simulated adapter models mismatched rates (after AT BRD / STBR).
    this.elm.setHostBaud(baudrate);
  }

  /** Simulates the adapter going away (unplugged): the link closes and onLost listeners hear `code`. */
  simulateLoss(code = 'ENODEV', message = 'the simulated adapter went away'): void {
    this.loseLink(new TransportError(code, message));
  }
}
