/**
 * A scripted stand-in for an ELM327, for unit tests of the driver: it answers each command
 * from a table, echoes until ATE0 like the real chip, and only answers at its own baud rate.
 * `ElmScript` is the answering logic alone (usable behind a pty or a socket);
 * `ScriptedAdapter` wraps it as an in-memory Transport.
 */
import { InMemoryTransport } from '../../src/transport/in-memory.js';
import { TransportError } from '../../src/transport/transport.js';

/** A reply: lines (joined with CR), a function of the command, or null for silence. */
export type ScriptedReply = string | string[] | null | ((command: string) => string | string[] | null);

/** A typical CAN car behind an ELM327 v1.5. */
export const DEFAULT_REPLIES: Record<string, ScriptedReply> = {
  ATZ: ['', 'ELM327 v1.5'],
  ATE0: 'OK',
  ATE1: 'OK',
  ATH1: 'OK',
  ATL0: 'OK',
  ATI: 'ELM327 v1.5',
  ATRV: '12.6V',
  ATSP0: 'OK',
  ATDPN: 'A6',
  '0100': ['SEARCHING...', '7E8 06 41 00 BE 3F A8 13'],
  '\x7F\x7F': '?',
};

export class ElmScript {
  /** Every command received, in order (without the CR). */
  readonly commands: string[] = [];
  echo = true;
  private pending = '';
  private readonly replies: Record<string, ScriptedReply>;

  /** `otherwise` answers the commands `replies` does not list (default: "?"). */
  constructor(
    replies: Record<string, ScriptedReply> = {},
    private readonly otherwise: (command: string) => string | string[] | null = () => '?',
  ) {
    this.replies = { ...DEFAULT_REPLIES, ...replies };
  }

  /** Feeds written text; returns what the adapter sends back (possibly nothing). */
  handle(text: string): string {
    this.pending += text;
    let out = '';
    let cr: number;
    while ((cr = this.pending.indexOf('\r')) >= 0) {
      const command = this.pending.slice(0, cr);
      this.pending = this.pending.slice(cr + 1);
      this.commands.push(command);
      out += this.answer(command);
    }
    return out;
  }

  private answer(command: string): string {
    const key = command.replace(/ /g, '').toUpperCase();
    let reply = key in this.replies ? this.replies[key] : this.replies[command];
    if (reply === undefined) reply = this.otherwise(key);
    if (typeof reply === 'function') reply = reply(command);
    if (reply === null) return ''; // silence: the driver has to time out
    const echo = this.echo ? command + '\r' : '';
    if (key === 'ATE0') this.echo = false;
    if (key === 'ATE1' || key === 'ATZ') this.echo = true;
    const lines = Array.isArray(reply) ? reply : [reply];
    return echo + lines.join('\r') + '\r\r>';
  }
}

export interface ScriptedAdapterOptions {
  portName?: string;
  /** The adapter's baud rate; at any other rate it answers with `wrongBaudReply`. */
  baud?: number;
  /** What a probe at a wrong baud rate gets back (default: nothing). */
  wrongBaudReply?: string;
  /** Split each answer into chunks of this many bytes (default: one chunk). */
  chunkSize?: number;
  replies?: Record<string, ScriptedReply>;
}

export class ScriptedAdapter extends InMemoryTransport {
  readonly script: ElmScript;
  /** Everything written, as written. */
  readonly writes: string[] = [];
  /** Every baud rate the driver set. */
  readonly baudRates: number[] = [];
  private baud = 38400;

  constructor(private readonly options: ScriptedAdapterOptions = {}) {
    super(options.portName ?? '/dev/pts/9');
    this.script = new ElmScript(options.replies);
  }

  /** Commands the adapter received (without the CR). */
  get commands(): string[] {
    return this.script.commands;
  }

  write(text: string): void {
    this.assertOpen('NOT_OPEN', 'not open');
    this.writes.push(text);
    const atRightBaud = this.options.baud === undefined || this.options.baud === this.baud;
    const out = atRightBaud ? this.script.handle(text) : (this.options.wrongBaudReply ?? '');
    if (out) setImmediate(() => this.emit(out));
  }

  override async setBaudRate(baudrate: number): Promise<void> {
    this.baudRates.push(baudrate);
    this.baud = baudrate;
  }

  /** Sends bytes as if the adapter had sent them unasked. */
  emit(text: string): void {
    const bytes = Buffer.from(text, 'latin1');
    const size = this.options.chunkSize ?? bytes.length;
    for (let i = 0; i < bytes.length; i += size) this.deliver(bytes.subarray(i, i + size));
  }

  /** Simulates the device going away. */
  lose(message = 'unplugged'): void {
    this.loseLink(new TransportError('LOST', message));
  }
}
