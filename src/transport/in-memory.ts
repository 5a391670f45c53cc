/**
 * A base for transports that live in this process: the simulator, a replayed recording, the
 * test adapters. Written once here so each of those says only how it answers.
 */
import { TransportError, TransportListeners, type Transport } from './transport.js';

/**
 * A transport with no wire: open() and close() flip a flag, and a subclass answers writes by
 * calling `deliver`. Bytes are only delivered while open, as a closed port delivers nothing.
 */
export abstract class InMemoryTransport implements Transport {
  protected readonly listeners = new TransportListeners();
  private open_ = false;

  constructor(readonly portName: string) {}

  get isOpen(): boolean {
    return this.open_;
  }

  async open(): Promise<void> {
    this.open_ = true;
  }

  abstract write(text: string): void;

  /** No wire, no speed; a subclass that models one overrides this. */
  async setBaudRate(_baudrate: number): Promise<void> {}

  async close(): Promise<void> {
    this.open_ = false;
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.listeners.onData(listener);
  }

  onLost(listener: (error: Error) => void): void {
    this.listeners.onLost(listener);
  }

  /** Throws the error a write on a closed link gets. */
  protected assertOpen(code: string, message: string): void {
    if (!this.open_) throw new TransportError(code, message);
  }

  /** Hands bytes (latin1 text or a Buffer) to the data listeners, if the link is still open. */
  protected deliver(bytes: Buffer | string): void {
    if (!this.open_) return;
    this.listeners.emitData(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** The link goes away by itself: closed, and the lost listeners hear `error` (once; not after close()). */
  protected loseLink(error: Error): void {
    if (!this.open_) return;
    this.open_ = false;
    this.listeners.emitLost(error);
  }
}
