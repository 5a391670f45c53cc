/**
 * A byte pipe to an ELM327 adapter: a serial port, a TCP socket (WiFi adapters) or the
 * built-in simulator. Transports know nothing of OBD-II; the ELM327 driver sits on top.
 */
export interface Transport {
  /** The port as the user configured it: "/dev/ttyUSB0", "tcp://192.168.0.10:35000", "sim". */
  readonly portName: string;
  readonly isOpen: boolean;
  /** Opens the link; rejects with a TransportError whose code says why (ENOENT, EACCES, EBUSY, ECONNREFUSED...). */
  open(): Promise<void>;
  /** Writes ASCII text (an ELM327 command ending in "\r"). Throws when the link is closed. */
  write(text: string): void;
  /** Changes the link speed (serial only; others ignore it). */
  setBaudRate(baudrate: number): Promise<void>;
  /** Closes the link; resolves when it is closed. Safe to call twice. */
  close(): Promise<void>;
  /** Every chunk of bytes the adapter sends, in order. */
  onData(listener: (chunk: Buffer) => void): void;
  /**
   * When the bytes just read were sent, in ms since the epoch, for a transport that is not live:
   * a replay answers with its recorded time, so a drive replayed at full speed keeps its timeline
   * (trip figures integrate over it). Absent: now.
   */
  readonly clock?: () => number;
  /** Called once when the link goes away without close() (unplugged, socket reset, ...). */
  onLost(listener: (error: Error) => void): void;
}

/** A transport failure with a stable code a user (and the reconnect logic) can act on. */
export class TransportError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/** The onData and onLost listeners of one transport, kept and told in the order they came. */
export class TransportListeners {
  private readonly data: Array<(chunk: Buffer) => void> = [];
  private readonly lost: Array<(error: Error) => void> = [];

  onData(listener: (chunk: Buffer) => void): void {
    this.data.push(listener);
  }

  onLost(listener: (error: Error) => void): void {
    this.lost.push(listener);
  }

  emitData(chunk: Buffer): void {
    for (const listener of this.data) listener(chunk);
  }

  emitLost(error: Error): void {
    for (const listener of this.lost) listener(error);
  }
}
