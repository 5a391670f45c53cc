/**
 * An adapter can hang without the link going away: a Bluetooth ELM327 whose chip locked up
 * keeps its serial port open and simply stops answering. The transport cannot tell, so the
 * driver's requests are watched instead: several timeouts in a row, with no answer of any
 * kind in between, mean the adapter is gone as surely as an unplugged cable.
 */
import { Elm327, ElmError, type Elm327Options } from '../elm327/driver.js';
import type { Message } from '../elm327/message.js';
import type { Transport } from '../transport/transport.js';

/** Codes that say nothing about the adapter's health: the request never reached it. */
const NOT_A_REPLY = new Set(['NOT_CONNECTED', 'CLOSED', 'LOST', 'QUEUE_FULL']);

export class HangDetectingElm327 extends Elm327 {
  private consecutiveTimeouts = 0;
  private readonly hungListeners: Array<(timeouts: number) => void> = [];

  constructor(
    transport: Transport,
    options: Elm327Options,
    /** Timeouts in a row that count as a hung adapter. */
    private readonly hungAfter: number,
  ) {
    super(transport, options);
  }

  /** Called once each time the count of timeouts in a row reaches the limit. */
  onHung(listener: (timeouts: number) => void): void {
    this.hungListeners.push(listener);
  }

  override async request(command: string, options?: { header?: string }): Promise<Message[]> {
    try {
      const messages = await super.request(command, options);
      this.consecutiveTimeouts = 0;
      return messages;
    } catch (error) {
      this.count(error);
      throw error;
    }
  }

  private count(error: unknown): void {
    if (!(error instanceof ElmError)) return;
    if (error.code !== 'TIMEOUT') {
      // NO DATA, CAN ERROR, "?"...: the adapter answered, so it is alive.
      if (!NOT_A_REPLY.has(error.code)) this.consecutiveTimeouts = 0;
      return;
    }
    this.consecutiveTimeouts++;
    if (this.consecutiveTimeouts !== this.hungAfter) return;
    for (const listener of this.hungListeners) listener(this.consecutiveTimeouts);
  }
}
