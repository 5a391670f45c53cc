/**
 * The ELM327 driver: runs the start-up on a transport, then serves requests one at a time
 * through the command queue, parsing answers with the protocol found at start-up.
 */
import type { Transport } from '../transport/transport.js';
import type { Message } from './message.js';
import { addressingKey, restoreCommands, setupCommands, type Addressing } from './addressing.js';
import { ElmError } from './errors.js';
import { hexDigitValue } from './hex.js';
import { classifyLine, describeCode, errorForLine } from './lines.js';
import { CommandQueue } from './queue.js';
import { unknownProtocol, type Protocol } from './protocols/index.js';
import {
  DEFAULT_STARTUP_TIMEOUTS,
  runStartup,
  type AdapterSettings,
  type ObdStatus,
  type StartupLink,
  type StartupTimeouts,
} from './startup.js';

export { ElmError, type ElmErrorCode } from './errors.js';
export type { AdapterTuning, ObdStatus, StartupTimeouts } from './startup.js';

export interface Elm327Options extends AdapterSettings {
  /** Longer waits for the start-up steps (ATZ, protocol search...); defaults suit real adapters. */
  startupTimeouts?: Partial<StartupTimeouts>;
  /** Requests that may wait behind the one in flight (default 64). */
  maxQueue?: number;
}

/**
 * python-OBD's ECU_HEADER.ENGINE. Like python-OBD, the driver takes it as the header in use
 * until it sends another one: requests for "7E0" then go out with the adapter's default header
 * (the functional broadcast on CAN), so every ECU still answers.
 */
const INITIAL_HEADER = '7E0';
/** The adapter refused or never confirmed a header: send the next one whatever it is. */
const UNKNOWN_HEADER = '?';
/** An addressing command was refused: the adapter's state is not known. */
const UNKNOWN_ADDRESSING = Symbol('unknown addressing');
/** An addressing that touches every setting, to put all of them back. */
const EVERYTHING: Addressing = {
  extendedAddress: '00',
  receiveFilter: '000',
  tester: 'F1',
  flowControl: { header: '000', data: '300000' },
  timeout: '32',
  priority: '18',
};

/** The first setup command the adapter did not answer OK, with its reply. */
async function firstRefusal(
  setup: Array<{ command: string; reply: Promise<string[]> }>,
): Promise<{ command: string; lines: string[] } | null> {
  let refused: { command: string; lines: string[] } | null = null;
  for (const { command, reply } of setup) {
    const lines = await reply.catch((error: Error) => [error.message]);
    if (!refused && !(lines.length === 1 && lines[0] === 'OK')) refused = { command, lines };
  }
  return refused;
}

/** A reply that grows past this without a prompt is given up (the ELM327's own buffer is 512 bytes). */
const MAX_REPLY_BYTES = 64 * 1024;

export class Elm327 {
  private readonly queue: CommandQueue;
  private readonly lostListeners: Array<(error: Error) => void> = [];
  private currentStatus: ObdStatus = 'Not Connected';
  private protocol: Protocol = unknownProtocol;
  private adapterVersion = '';
  private ready = false;
  private closing = false;
  /** Bytes the adapter has sent so far: how the start-up tells that the line has gone quiet. */
  private bytesReceived = 0;
  /** Takes the incoming bytes instead of the queue during a raw exchange (the baud-rate handshake). */
  private tap: ((chunk: Buffer) => void) | null = null;
  private stnFirmware: string | null = null;
  private baud: number | null = null;
  private header = INITIAL_HEADER;
  /** The addressing the adapter is set up for (null: plain, as after the start-up). */
  private addressing: Addressing | null | typeof UNKNOWN_ADDRESSING = null;

  constructor(
    private readonly transport: Transport,
    private readonly options: Elm327Options,
  ) {
    this.queue = new CommandQueue((text) => transport.write(text), {
      maxWaiting: options.maxQueue ?? 64,
      maxReplyBytes: MAX_REPLY_BYTES,
      logger: options.logger,
    });
    transport.onData((chunk) => {
      this.bytesReceived += chunk.length;
      if (this.tap) this.tap(chunk);
      else this.queue.push(chunk);
    });
    transport.onLost((error) => this.onTransportLost(error));
  }

  get status(): ObdStatus {
    return this.currentStatus;
  }

  get protocolName(): string {
    return this.protocol.name;
  }

  get protocolId(): string {
    return this.protocol.id;
  }

  get version(): string {
    return this.adapterVersion;
  }

  /** The STN11xx firmware id ("STN1110 v4.2.0") when the adapter has one (asked only with `tuning`). */
  get stn(): string | null {
    return this.stnFirmware;
  }

  /** The serial rate in use (after any upgrade); null when not a serial link or not chosen by us. */
  get baudRate(): number | null {
    return this.baud;
  }

  /** How long one request may wait for its reply (ms). */
  get timeoutMs(): number {
    return this.options.timeout;
  }

  get portName(): string {
    return this.transport.portName;
  }

  /**
   * Opens the transport and runs the start-up. Rejects (TransportError / ElmError) only when
   * no ELM327 answers; otherwise resolves, and `status` tells how far it got.
   */
  async connect(): Promise<void> {
    if (this.transport.isOpen) await this.close();
    this.closing = false;
    this.ready = false;
    this.resetState();
    const { logger } = this.options;
    logger?.info({ port: this.transport.portName }, 'opening the adapter port');
    await this.transport.open();
    await this.discardStaleBytes();
    const link: StartupLink = {
      portName: this.transport.portName,
      send: (command, timeoutMs) => this.queue.send(command, timeoutMs),
      exchangeRaw: (payload, timeoutMs) => this.queue.exchangeRaw(payload, timeoutMs),
      write: (text) => this.transport.write(text),
      setBaudRate: (baud) => this.transport.setBaudRate(baud),
      collectRaw: (payload, done, timeoutMs) => this.collectRaw(payload, done, timeoutMs),
      resync: () => this.queue.open(),
    };
    try {
      const result = await runStartup(link, {
        ...this.options,
        timeouts: { ...DEFAULT_STARTUP_TIMEOUTS, ...this.options.startupTimeouts },
        onStatus: (status) => {
          if (!this.closing) this.currentStatus = status;
        },
      });
      if (this.closing) throw new ElmError('CLOSED', 'the connection was closed while connecting');
      this.protocol = result.protocol;
      this.adapterVersion = result.version;
      this.stnFirmware = result.stn;
      this.baud = result.baudrate;
      this.currentStatus = result.status;
      this.ready = true;
    } catch (err) {
      this.resetState();
      this.queue.fail(new ElmError('NOT_CONNECTED', describeCode('NOT_CONNECTED')));
      if (this.transport.isOpen) await this.transport.close().catch(() => undefined);
      throw err;
    }
  }

  /**
   * A port can hold the tail of an earlier session's reply (a request cut short when the other
   * program closed it); read as the answer to ATZ it would shift every later reply by one. So
   * wait until the line has been quiet for a moment and throw away what came.
   */
  private async discardStaleBytes(): Promise<void> {
    const quietMs = 30;
    const deadline = Date.now() + 500;
    let seen = -1;
    while (seen !== this.bytesReceived && Date.now() < deadline) {
      seen = this.bytesReceived;
      await new Promise((resolve) => setTimeout(resolve, quietMs));
    }
    this.queue.open();
  }

  /** See StartupLink.collectRaw. Only while the queue is idle (the start-up runs one step at a time). */
  private collectRaw(payload: string | null, done: (text: string) => boolean, timeoutMs: number): Promise<string> {
    return new Promise((resolve) => {
      let text = '';
      const finish = (): void => {
        clearTimeout(timer);
        this.tap = null;
        resolve(text);
      };
      const timer = setTimeout(finish, timeoutMs);
      this.tap = (chunk) => {
        text += chunk.toString('latin1');
        if (done(text)) finish();
      };
      if (payload === null) return;
      try {
        this.transport.write(payload);
      } catch {
        finish();
      }
    });
  }

  /** Sends one command as-is; resolves with the adapter's lines (prompt and echo removed). */
  send(command: string, timeoutMs?: number): Promise<string[]> {
    const refusal = this.refuse(command);
    if (refusal) return Promise.reject(refusal);
    return this.queue.send(command, timeoutMs ?? this.options.timeout);
  }

  /**
   * Sends an OBD request ("010C", "010C1", "03"), first switching the header with ATSH when
   * `header` differs from the one in use. Resolves with one Message per answering ECU, [] for
   * NO DATA; rejects with an ElmError for adapter errors.
   */
  async request(command: string, options?: { header?: string; addressing?: Addressing | null }): Promise<Message[]> {
    const refusal = this.refuse(command);
    if (refusal) throw refusal;
    const addressing = options?.addressing ?? null;
    const setup = this.switchAddressing(addressing);
    let headerReply: Promise<string[]> | null = null;
    let header: string | null = null;
    if (options?.header !== undefined) {
      header = normalizeHeader(options.header);
      if (header === null) throw new ElmError('UNKNOWN_COMMAND', `invalid header "${options.header}": use 3, 6 or 8 hex digits`);
      if (header !== this.header) {
        // Queued back to back, so no other request can slip between the header and its command.
        headerReply = this.queue.send('ATSH' + header, this.options.timeout);
        this.header = header;
      }
    }
    const reply = this.queue.send(command, this.options.timeout);
    if (setup.length > 0) {
      const failed = await firstRefusal(setup);
      if (failed) {
        this.addressing = UNKNOWN_ADDRESSING;
        reply.catch(() => undefined);
        headerReply?.catch(() => undefined);
        throw new ElmError(
          'UNKNOWN_COMMAND',
          `${failed.command}: the adapter did not accept it [adapter said ${JSON.stringify(failed.lines)}]`,
        );
      }
    }
    if (headerReply) {
      let lines: string[];
      try {
        lines = await headerReply;
      } catch (err) {
        this.header = UNKNOWN_HEADER;
        reply.catch(() => undefined);
        throw err;
      }
      if (!(lines.length === 1 && lines[0] === 'OK')) {
        this.header = UNKNOWN_HEADER;
        reply.catch(() => undefined);
        throw new ElmError(
          'UNKNOWN_COMMAND',
          `ATSH${header}: the adapter did not accept the header [adapter said ${JSON.stringify(lines)}]`,
        );
      }
    }
    return this.interpret(command, await reply, addressing?.extendedAddress != null);
  }

  /**
   * Queues the AT commands that take the adapter from the addressing in use to `next`
   * (undoing the old one first), back to back with the request that follows.
   */
  private switchAddressing(next: Addressing | null): Array<{ command: string; reply: Promise<string[]> }> {
    const current = this.addressing;
    if (current !== UNKNOWN_ADDRESSING && addressingKey(current) === addressingKey(next)) return [];
    const commands: string[] = [];
    if (current === UNKNOWN_ADDRESSING) {
      // After a refusal the adapter's state is not known: put back everything addressing can change.
      commands.push(...restoreCommands(EVERYTHING, this.timeoutSetting()));
    } else if (current !== null) {
      commands.push(...restoreCommands(current, this.timeoutSetting()));
    }
    if (next !== null) commands.push(...setupCommands(next));
    this.addressing = next;
    return commands.map((command) => ({ command, reply: this.queue.send(command, this.options.timeout) }));
  }

  /** The ATST value the start-up left, as two hex digits; null: the chip's default. */
  private timeoutSetting(): string | null {
    const ms = this.options.tuning?.responseTimeoutMs;
    if (ms === undefined || ms === null) return null;
    return Math.min(0xff, Math.max(1, Math.round(ms / 4)))
      .toString(16)
      .toUpperCase()
      .padStart(2, '0');
  }

  /** Stops: pending requests reject with CLOSED, the transport closes. */
  async close(): Promise<void> {
    this.closing = true;
    this.ready = false;
    this.queue.fail(new ElmError('CLOSED', `${describeCode('CLOSED')} (${this.transport.portName})`));
    this.resetState();
    if (this.transport.isOpen) await this.transport.close();
  }

  /** Called when the adapter goes away without close() (unplugged, socket reset...). */
  onLost(listener: (error: Error) => void): void {
    this.lostListeners.push(listener);
  }

  private refuse(command: string): ElmError | null {
    if (!this.ready || this.currentStatus === 'Not Connected') {
      return new ElmError('NOT_CONNECTED', `${command}: ${describeCode('NOT_CONNECTED')} (${this.transport.portName})`);
    }
    return checkCommand(command);
  }

  private interpret(command: string, lines: string[], extendedAddress = false): Message[] {
    let kept: string[] | null = null;
    for (let i = 0; i < lines.length; i++) {
      const kind = classifyLine(lines[i]);
      if (kind.kind === 'data' || kind.kind === 'text') {
        if (kept) kept.push(lines[i]);
        continue;
      }
      // The first line to leave out: from here on, copy what stays.
      kept ??= lines.slice(0, i);
      if (kind.kind === 'error' && kind.code !== 'NO_DATA') throw errorForLine(kind.code, lines[i], command);
    }
    return this.protocol.parse(kept ?? lines, extendedAddress ? { extendedAddress } : undefined);
  }

  private resetState(): void {
    this.currentStatus = 'Not Connected';
    this.protocol = unknownProtocol;
    this.header = INITIAL_HEADER;
    this.addressing = null;
  }

  private onTransportLost(error: Error): void {
    if (this.closing) return;
    const wasReady = this.ready;
    this.ready = false;
    this.resetState();
    this.queue.fail(new ElmError('LOST', `${describeCode('LOST')} (${this.transport.portName}): ${error.message}`));
    if (!wasReady) return; // connect() reports it
    this.options.logger?.warn({ port: this.transport.portName, err: error.message }, 'adapter connection lost');
    for (const listener of this.lostListeners) {
      try {
        listener(error);
      } catch (err) {
        this.options.logger?.error({ err }, 'onLost listener failed');
      }
    }
  }
}

/** "7e0", "7E0", "18 DA 10 F1" → upper-case digits without spaces; null unless 3, 6 or 8 hex digits. */
function normalizeHeader(header: string): string | null {
  const digits = header.replace(/ /g, '');
  for (let i = 0; i < digits.length; i++) if (hexDigitValue(digits.charCodeAt(i)) < 0) return null;
  return digits.length === 3 || digits.length === 6 || digits.length === 8 ? digits.toUpperCase() : null;
}

/** Only printable ASCII on one line: a CR inside would smuggle a second command to the adapter. */
function checkCommand(command: string): ElmError | null {
  if (command.length === 0) {
    return new ElmError('UNKNOWN_COMMAND', 'empty command: the adapter would repeat the previous one');
  }
  if (command.length > 64) return new ElmError('UNKNOWN_COMMAND', `command too long (${command.length} characters)`);
  for (let i = 0; i < command.length; i++) {
    const c = command.charCodeAt(i);
    if (c < 32 || c > 126)
      return new ElmError('UNKNOWN_COMMAND', `command ${JSON.stringify(command)} holds a control or non-ASCII character`);
  }
  return null;
}
