/**
 * Taps on the adapter link: observers that see every byte written to and read from a
 * transport without changing it (recording, metrics). A TappedTransport forwards every call
 * to the transport it wraps; observers are created per wrapped transport, so each link (a
 * reconnect opens a new one) gets fresh per-link state, and a tap added while a link is open
 * starts seeing it at once.
 */
import type { Transport } from './transport.js';

/** What one tap sees of one link. Every method is optional; none may throw (errors are swallowed). */
export interface TransportObserver {
  onOpen?(): void;
  onWrite?(text: string): void;
  onData?(chunk: Buffer): void;
  /** The link closed (close()) or went away (lost); called once per open. */
  onClose?(reason: 'closed' | 'lost'): void;
}

/** Makes the observer for one link, named as the user configured it ("sim", "/dev/ttyUSB0"...). */
export interface TransportTap {
  attach(portName: string): TransportObserver;
}

/** The taps of one gateway; `wrap` every transport it opens. */
export class TransportTaps {
  private readonly taps = new Set<TransportTap>();

  /** Adds a tap; returns a function that removes it. */
  add(tap: TransportTap): () => void {
    this.taps.add(tap);
    return () => this.taps.delete(tap);
  }

  get size(): number {
    return this.taps.size;
  }

  wrap(transport: Transport): Transport {
    return new TappedTransport(transport, this.taps);
  }
}

/** A Transport that forwards everything to `inner` and reports it to the current taps. */
export class TappedTransport implements Transport {
  private readonly observers = new Map<TransportTap, TransportObserver>();
  private opened = false;

  constructor(
    private readonly inner: Transport,
    private readonly taps: ReadonlySet<TransportTap>,
  ) {
    inner.onData((chunk) => this.each((o) => o.onData?.(chunk)));
    inner.onLost(() => this.ended('lost'));
  }

  get portName(): string {
    return this.inner.portName;
  }

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  get clock(): (() => number) | undefined {
    return this.inner.clock;
  }

  async open(): Promise<void> {
    await this.inner.open();
    this.opened = true;
    this.each((o) => o.onOpen?.());
  }

  write(text: string): void {
    this.inner.write(text);
    // After the write: a write that throws (link closed) never reached the adapter.
    this.each((o) => o.onWrite?.(text));
  }

  setBaudRate(baudrate: number): Promise<void> {
    return this.inner.setBaudRate(baudrate);
  }

  async close(): Promise<void> {
    await this.inner.close();
    this.ended('closed');
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.inner.onData(listener);
  }

  onLost(listener: (error: Error) => void): void {
    this.inner.onLost(listener);
  }

  private ended(reason: 'closed' | 'lost'): void {
    if (!this.opened) return;
    this.opened = false;
    this.each((o) => o.onClose?.(reason));
    this.observers.clear();
  }

  private each(call: (observer: TransportObserver) => void): void {
    if (this.taps.size === 0 && this.observers.size === 0) return;
    for (const tap of this.taps) {
      let observer = this.observers.get(tap);
      if (observer === undefined) {
        observer = safeAttach(tap, this.inner.portName);
        this.observers.set(tap, observer);
      }
      try {
        call(observer);
      } catch {
        // A tap must never break the link it watches.
      }
    }
    // Taps removed since: forget their observers.
    if (this.observers.size > this.taps.size) {
      for (const tap of this.observers.keys()) if (!this.taps.has(tap)) this.observers.delete(tap);
    }
  }
}

function safeAttach(tap: TransportTap, portName: string): TransportObserver {
  try {
    return tap.attach(portName);
  } catch {
    return {};
  }
}
