/**
 * A text-in, text-out model of an ELM327 v1.5 adapter plugged into the simulated car. Feed it
 * the bytes a host writes; it emits what the chip would send back: an echo of the command
 * (while echo is on), the answer lines, a blank line and the ">" prompt.
 *
 * Behaviour follows the ELM327 datasheet: commands are case-insensitive, spaces and control
 * characters are ignored, a lone CR repeats the last command, settings (ATE/H/L/S/CAF/SH/CRA,
 * ATSP/ATTP...) change how later answers look; with protocol 0 (automatic) the first OBD
 * request prints "SEARCHING..." before the answer. Quirks of the real chip are kept on
 * purpose, because drivers must cope with them: ATLP answers "OK" with no prompt and the next
 * byte wakes the chip with a warm start (settings back to defaults); ATMA prints what the bus
 * carries (nothing: the car is quiet) until any byte stops it with "STOPPED"; a byte arriving
 * while an OBD request is in progress (only possible with latency) interrupts it the same way
 * and is consumed.
 *
 * With every fault option off, answers are produced synchronously inside feed() and no timer
 * is ever set; the transport makes delivery asynchronous.
 */
import { ELM_VERSION, parseAt, type AtCommand, type Flag } from './at-commands.js';
import { createEcus, type SimEcu } from './ecu.js';
import { checkFaults, garbageText, seededRandom, type FaultOptions } from './faults.js';
import { formatCan, formatJ1939, formatLegacy, type EcuAnswer, type FormatSettings } from './frames.js';
import { J1939_ENGINE_ADDRESS, j1939Answer } from './j1939.js';
import { protocolInfo, SEARCH_ORDER, VEHICLE_PROTOCOLS, type ProtocolInfo } from './protocols.js';
import { TransportError } from '../transport.js';
import { Vehicle, type VehicleOptions } from './vehicle.js';

export interface SimulatorOptions extends VehicleOptions, FaultOptions {
  /** The protocol the car speaks: "1".."9" or "A" (default "6", CAN 11-bit 500 kbaud). */
  protocol?: string;
  /** Byte the ECUs pad CAN frames with (default 0xAA); null for short frames. */
  canPadding?: number | null;
  /** How long ATZ takes, in ms (default 0: instant, no timer). */
  resetMs?: number;
}

interface Settings {
  echo: boolean;
  headers: boolean;
  linefeeds: boolean;
  spaces: boolean;
  memory: boolean;
  responses: boolean;
  autoFormat: boolean;
  /** ATSH as hex digits; null = the protocol's default. */
  header: string | null;
  receiveFilter: string | null;
  canPriority: number;
}

const DEFAULT_SETTINGS: Readonly<Settings> = {
  echo: true,
  headers: false,
  linefeeds: false,
  spaces: true,
  memory: true,
  responses: true,
  autoFormat: true,
  header: null,
  receiveFilter: null,
  canPriority: 0x18,
};

/** Longest command line kept; longer lines are answered with "?". */
const MAX_LINE = 256;
/** Protocols that print "BUS INIT: ...OK" when opened by hand (slow or fast K-line init). */
const K_LINE_INIT = new Set(['3', '4', '5']);

interface Reply {
  readonly lines: readonly string[];
  /** false: no blank line and prompt after the lines (ATLP, ATMA). */
  readonly prompt?: boolean;
  /** OBD requests wait for the bus, and a byte from the host interrupts them. */
  readonly interruptible?: boolean;
  readonly extraDelayMs?: number;
}

interface ProtocolSetting {
  /** "0" for automatic, else the protocol number. */
  readonly id: string;
  /** Search all protocols if `id` does not answer. */
  readonly auto: boolean;
}

interface Link {
  readonly lines: string[];
  readonly error?: string;
}

export class SimulatedElm327 {
  readonly vehicle: Vehicle;
  /** The protocol the car speaks. */
  readonly vehicleProtocol: ProtocolInfo;
  readonly ecus: readonly SimEcu[];
  private faults: ReturnType<typeof checkFaults>;
  private random: () => number;
  private readonly padding: number | null;
  private readonly resetMs: number;

  private settings: Settings = { ...DEFAULT_SETTINGS };
  private stored: ProtocolSetting = { id: '0', auto: true };
  private selected: ProtocolSetting = { id: '0', auto: true };
  private connected: ProtocolInfo | null = null;
  private lastFound: string | null = null;
  private ignitionOn = true;
  private mode: 'ready' | 'lowPower' | 'monitoring' | 'silent' = 'ready';
  private inbox = '';
  private line = '';
  private overflow = false;
  private lastCommand: string | null = null;
  private pending: { timer: NodeJS.Timeout; echo: string; interruptible: boolean } | null = null;
  private replies = 0;
  private readonly listeners = new Set<(chunk: Buffer) => void>();

  constructor(options: SimulatorOptions = {}) {
    const protocolId = (options.protocol ?? '6').toUpperCase();
    const protocol = protocolInfo(protocolId);
    if (!protocol || !VEHICLE_PROTOCOLS.includes(protocolId)) {
      throw new TransportError('EINVAL', `simulator: protocol "${options.protocol}" is not one a car can speak; use 1-9 or A`);
    }
    const padding = options.canPadding === undefined ? 0xaa : options.canPadding;
    if (padding !== null && !(Number.isInteger(padding) && padding >= 0 && padding <= 0xff)) {
      throw new TransportError('EINVAL', `simulator: canPadding must be a byte (0-255) or null, got ${String(options.canPadding)}`);
    }
    this.vehicleProtocol = protocol;
    this.padding = padding;
    this.resetMs = checkFaults({ latencyMs: options.resetMs }).latencyMs;
    this.faults = checkFaults(options);
    this.random = seededRandom(this.faults.seed);
    this.vehicle = new Vehicle(options);
    this.ecus = createEcus(this.vehicle);
  }

  /** Registers a listener for the bytes the adapter sends; returns a function that removes it. */
  onOutput(listener: (chunk: Buffer) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Bytes from the host. */
  feed(chunk: string | Uint8Array): void {
    if (this.mode === 'silent') return;
    this.inbox += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1');
    this.pump();
  }

  /** Stops answering anything (a hung adapter) until wake(). */
  silent(): void {
    this.cancelPending();
    this.mode = 'silent';
    this.inbox = '';
    this.line = '';
  }

  /** Ends silent(): the adapter answers again, with its settings unchanged. */
  wake(): void {
    if (this.mode === 'silent') this.mode = 'ready';
  }

  /** Ignition off: the ECUs stop answering (NO DATA, UNABLE TO CONNECT); ATRV drops to 12.4 V. */
  setIgnition(on: boolean): void {
    this.ignitionOn = on;
  }

  /** Changes fault injection at run time (e.g. raise latency in the middle of a test). */
  setFaults(faults: FaultOptions): void {
    const merged = checkFaults({ ...this.faults, ...faults });
    if (faults.seed !== undefined) this.random = seededRandom(merged.seed);
    this.faults = merged;
  }

  /** Cancels a reply in flight and forgets listeners. */
  dispose(): void {
    this.cancelPending();
    this.listeners.clear();
  }

  private pump(): void {
    while (this.inbox.length > 0 && this.mode !== 'silent') {
      if (this.pending) {
        if (!this.pending.interruptible) return;
        this.interrupt();
        continue;
      }
      if (this.mode === 'lowPower') {
        // Activity on the serial input wakes the chip; what arrives meanwhile is lost.
        this.inbox = '';
        this.line = '';
        this.reset();
        this.deliver('', { lines: ['', '', ELM_VERSION] });
        continue;
      }
      if (this.mode === 'monitoring') {
        this.inbox = this.inbox.slice(1);
        this.mode = 'ready';
        this.deliver('', { lines: ['STOPPED'] });
        continue;
      }
      const cr = this.inbox.indexOf('\r');
      this.appendToLine(cr < 0 ? this.inbox : this.inbox.slice(0, cr));
      this.inbox = cr < 0 ? '' : this.inbox.slice(cr + 1);
      if (cr >= 0) this.endOfLine();
    }
  }

  private appendToLine(text: string): void {
    const clean = text.replace(/\n/g, '');
    if (this.line.length + clean.length > MAX_LINE) {
      this.overflow = true;
      this.line = (this.line + clean).slice(0, MAX_LINE);
    } else this.line += clean;
  }

  private endOfLine(): void {
    const raw = this.line;
    const overflow = this.overflow;
    this.line = '';
    this.overflow = false;
    const echo = this.settings.echo ? raw + this.eol() : '';
    // Spaces and control characters do not count; DEL (0x7F) does, which is why hosts send it
    // to get a harmless "?" rather than an empty line that would repeat the last command.
    const command = raw.replace(/[\x00-\x20]/g, '').toUpperCase();
    let reply: Reply;
    if (overflow) reply = { lines: ['?'] };
    else if (command === '') reply = this.lastCommand === null ? { lines: [] } : this.execute(this.lastCommand);
    else {
      this.lastCommand = command;
      reply = this.execute(command);
    }
    this.deliver(echo, reply);
  }

  private execute(command: string): Reply {
    if (command.startsWith('AT')) {
      const at = parseAt(command.slice(2));
      return at ? this.runAt(at) : { lines: ['?'] };
    }
    return this.obdRequest(command);
  }

  private runAt(at: AtCommand): Reply {
    switch (at.kind) {
      case 'reset':
        this.reset();
        return { lines: ['', '', ELM_VERSION], extraDelayMs: this.resetMs };
      case 'warmStart':
        this.reset();
        return { lines: ['', '', ELM_VERSION] };
      case 'defaults':
        this.reset();
        return { lines: ['OK'] };
      case 'flag':
        this.setFlag(at.flag, at.on);
        return { lines: ['OK'] };
      case 'text':
        return { lines: [at.text] };
      case 'voltage': {
        const volts = this.ignitionOn ? this.vehicle.state().batteryVoltage : 12.4;
        return { lines: [`${volts.toFixed(1)}V`] };
      }
      case 'ignition':
        return { lines: [this.ignitionOn ? 'ON' : 'OFF'] };
      case 'describeProtocol':
        return { lines: [this.describeProtocol(at.numeric)] };
      case 'protocol':
        this.selected = { id: at.id, auto: at.auto };
        if (at.store) this.stored = this.selected;
        this.connected = null;
        this.lastFound = null;
        return { lines: ['OK'] };
      case 'header':
        this.settings.header = at.hex;
        return { lines: ['OK'] };
      case 'receiveFilter':
        this.settings.receiveFilter = at.pattern;
        return { lines: ['OK'] };
      case 'canPriority':
        this.settings.canPriority = at.value;
        return { lines: ['OK'] };
      case 'protocolClose':
        this.connected = null;
        return { lines: ['OK'] };
      case 'lowPower':
        this.mode = 'lowPower';
        return { lines: ['OK'], prompt: false };
      case 'monitorAll':
        this.mode = 'monitoring';
        return { lines: [], prompt: false };
      case 'ok':
        return { lines: ['OK'] };
    }
  }

  private setFlag(flag: Flag, on: boolean): void {
    this.settings[flag] = on;
  }

  /** ATZ, ATWS, ATD and waking from low power: settings back to defaults, bus closed. */
  private reset(): void {
    this.settings = { ...DEFAULT_SETTINGS };
    this.selected = this.stored;
    this.connected = null;
    this.lastFound = null;
    this.lastCommand = null;
    this.mode = 'ready';
  }

  private describeProtocol(numeric: boolean): string {
    const current = this.connected ?? (this.selected.id === '0' ? null : protocolInfo(this.selected.id) ?? null);
    if (numeric) return `${this.selected.auto ? 'A' : ''}${current?.id ?? '0'}`;
    if (!current) return 'AUTO';
    return this.selected.auto ? `AUTO, ${current.name}` : current.name;
  }

  private obdRequest(command: string): Reply {
    if (!/^[0-9A-F]+$/.test(command)) return { lines: ['?'] };
    let hex = command;
    let limit = Infinity;
    if (hex.length % 2 === 1) {
      // A trailing single digit is how many responses to wait for (1-F).
      limit = parseInt(hex.slice(-1), 16);
      hex = hex.slice(0, -1);
      if (limit === 0) return { lines: ['?'] };
    }
    const bytes = (hex.match(/../g) ?? []).map((pair) => parseInt(pair, 16));
    if (bytes.length === 0 || bytes.length > 8) return { lines: ['?'] };

    const link = this.connect();
    if (link.error) return { lines: [...link.lines, link.error], interruptible: true };
    const protocol = this.connected as ProtocolInfo;
    const answer = this.answer(protocol, bytes, limit);
    if (answer === null) return { lines: ['?'] };
    const shown = this.settings.responses ? (answer.length > 0 ? answer : ['NO DATA']) : [];
    return { lines: [...link.lines, ...shown], interruptible: true };
  }

  /** Opens the bus if needed: the selected protocol, else a search when automatic. */
  private connect(): Link {
    if (this.connected) return { lines: [] };
    const car = this.vehicleProtocol;
    const { id, auto } = this.selected;
    if (this.ignitionOn && (id === car.id || (auto && this.lastFound === car.id))) {
      this.connected = car;
      return { lines: !auto && K_LINE_INIT.has(car.id) ? ['BUS INIT: ...OK'] : [] };
    }
    if (auto) {
      if (this.ignitionOn && SEARCH_ORDER.includes(car.id)) {
        this.connected = car;
        this.lastFound = car.id;
        return { lines: ['SEARCHING...'] };
      }
      return { lines: ['SEARCHING...'], error: 'UNABLE TO CONNECT' };
    }
    return { lines: [], error: this.failureOn(protocolInfo(id) as ProtocolInfo) };
  }

  /** What the adapter reports when the chosen protocol is not the car's (or the car is off). */
  private failureOn(protocol: ProtocolInfo): string {
    if (protocol.kind === 'legacy') return K_LINE_INIT.has(protocol.id) ? 'BUS INIT: ...ERROR' : 'NO DATA';
    const car = this.vehicleProtocol;
    if (!this.ignitionOn) return 'NO DATA';
    // Nobody acknowledges frames at this bit rate: the CAN controller reports errors.
    if (car.kind === 'legacy' || car.canKbps !== protocol.canKbps) return 'CAN ERROR';
    return 'NO DATA';
  }

  /** Answer lines for a request on the open bus, [] when nobody answers, null for "?". */
  private answer(protocol: ProtocolInfo, bytes: number[], limit: number): string[] | null {
    const format = this.formatSettings();
    switch (protocol.kind) {
      case 'can11':
      case 'can29': {
        let payload = bytes;
        if (this.settings.autoFormat) {
          if (bytes.length > 7) return null;
        } else {
          // Without auto formatting the host supplies the PCI byte; ECUs ignore malformed frames.
          const pci = bytes[0];
          if (pci < 1 || pci > 7 || bytes.length < pci + 1) return [];
          payload = bytes.slice(1, 1 + pci);
        }
        return formatCan(protocol, this.ask(this.canTargets(protocol), payload, false), format, limit);
      }
      case 'legacy':
        if (bytes.length > 7) return null;
        return formatLegacy(protocol, this.ask(this.legacyTargets(), bytes, true), format, limit);
      case 'j1939': {
        if (bytes.length < 2 || bytes.length > 3 || !this.ignitionOn) return [];
        const pgn = bytes.reduce((value, b) => (value << 8) | b, 0);
        const data = j1939Answer(pgn, this.vehicle.state());
        return data ? [formatJ1939(pgn, J1939_ENGINE_ADDRESS, data, format)] : [];
      }
    }
  }

  private ask(targets: readonly SimEcu[], payload: readonly number[], legacy: boolean): EcuAnswer[] {
    if (!this.ignitionOn) return [];
    const answers: EcuAnswer[] = [];
    for (const ecu of targets) {
      const messages = ecu.respond(payload, legacy);
      if (messages) answers.push({ addresses: ecu.addresses, messages });
    }
    return answers;
  }

  /** ECUs a CAN request reaches: all for the functional id (7DF, 18 DB 33 F1), else the addressed one. */
  private canTargets(protocol: ProtocolInfo): SimEcu[] {
    const header = this.settings.header ?? protocol.defaultHeader;
    const value = parseInt(header, 16);
    if (protocol.kind === 'can11') {
      const id = header.length === 3 ? value : value & 0x7ff;
      return id === 0x7df ? [...this.ecus] : this.ecus.filter((ecu) => ecu.addresses.canId - 8 === id);
    }
    // 29-bit: priority byte (ATCP) + the three ATSH bytes (a 3-digit ATSH gives 00 0x yz).
    if (this.settings.canPriority !== 0x18) return [];
    const format = (value >> 16) & 0xff;
    const target = (value >> 8) & 0xff;
    if (format === 0xdb && target === 0x33) return [...this.ecus];
    return format === 0xda ? this.ecus.filter((ecu) => ecu.addresses.address === target) : [];
  }

  /** ECUs a legacy request reaches: functional target (6A, 33) or an ECU's own address. */
  private legacyTargets(): SimEcu[] {
    const target = this.legacyHeaderBytes()[1];
    if (target === 0x6a || target === 0x33) return [...this.ecus];
    return this.ecus.filter((ecu) => ecu.addresses.address === target);
  }

  private legacyHeaderBytes(): number[] {
    const header = (this.settings.header ?? this.vehicleProtocolHeader()).padStart(6, '0');
    return [0, 2, 4].map((i) => parseInt(header.slice(i, i + 2), 16));
  }

  private vehicleProtocolHeader(): string {
    return (this.connected ?? this.vehicleProtocol).defaultHeader;
  }

  private formatSettings(): FormatSettings {
    return {
      headers: this.settings.headers,
      spaces: this.settings.spaces,
      autoFormat: this.settings.autoFormat,
      padding: this.padding,
      receiveFilter: this.settings.receiveFilter,
      testerAddress: this.legacyHeaderBytes()[2],
    };
  }

  private eol(): string {
    return this.settings.linefeeds ? '\r\n' : '\r';
  }

  /** Sends a reply through the fault stage: drop, garbage, delay. */
  private deliver(echo: string, reply: Reply): void {
    const eol = this.eol();
    let text = echo + reply.lines.map((line) => line + eol).join('') + (reply.prompt === false ? '' : `${eol}>`);
    this.replies += 1;
    const { dropEvery, garbage, latencyMs, baudrate } = this.faults;
    if (dropEvery > 0 && this.replies % dropEvery === 0) return;
    if (garbage > 0 && this.random() < garbage) text = garbageText(this.random) + text;
    const delay = latencyMs + (reply.extraDelayMs ?? 0) + (baudrate > 0 ? (text.length * 10 * 1000) / baudrate : 0);
    if (delay <= 0) {
      this.emit(text);
      return;
    }
    const timer = setTimeout(() => {
      this.pending = null;
      this.emit(text);
      this.pump();
    }, delay);
    this.pending = { timer, echo, interruptible: reply.interruptible === true };
  }

  /** A byte from the host stops a request in progress; the byte is consumed. */
  private interrupt(): void {
    const pending = this.pending;
    if (!pending) return;
    this.cancelPending();
    this.inbox = this.inbox.slice(1);
    const eol = this.eol();
    this.emit(`${pending.echo}STOPPED${eol}${eol}>`);
  }

  private cancelPending(): void {
    if (this.pending) clearTimeout(this.pending.timer);
    this.pending = null;
  }

  private emit(text: string): void {
    const chunk = Buffer.from(text, 'latin1');
    for (const listener of this.listeners) listener(chunk);
  }
}
