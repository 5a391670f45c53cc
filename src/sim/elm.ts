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
import { ELM_VERSION, parseAt, parseSt, type AtCommand, type Flag, type StCommand } from './at-commands.js';
import { CAR_PROFILES, createEcus, type CarProfile, type SimEcu } from './ecu.js';
import { withCustomEcus, type Responder, type SimEcuData } from './custom-ecus.js';
import { checkFaults, garbageText, seededRandom, type FaultOptions } from './faults.js';
import { formatCan, formatJ1939, formatLegacy, type EcuAnswer, type FormatSettings } from './frames.js';
import { J1939_ENGINE_ADDRESS, j1939Answer } from './j1939.js';
import { protocolInfo, SEARCH_ORDER, VEHICLE_PROTOCOLS, type ProtocolInfo } from './protocols.js';
import { TransportError } from '../transport/transport.js';
import { Vehicle, type VehicleOptions } from './vehicle.js';

export interface SimulatorOptions extends VehicleOptions, FaultOptions {
  /** The protocol the car speaks: "1".."9" or "A" (default "6", CAN 11-bit 500 kbaud). */
  protocol?: string;
  /** Byte the ECUs pad CAN frames with (default 0xAA); null for short frames. */
  canPadding?: number | null;
  /** How long ATZ takes, in ms (default 0: instant, no timer). */
  resetMs?: number;
  /** Extra ECUs with manufacturer-specific answers (obdio.yaml's connection.sim.ecus). */
  ecus?: SimEcuData;
  /**
   * The car: the petrol V6 (default), or "full", a test bench whose engine ECU answers every
   * service 01 PID, service 06 MID and service 09 record the gateway has a command for.
   */
  car?: CarProfile;
  /**
   * The chip: a genuine ELM327 v1.5 (default), or an STN1110 as in OBDLink adapters, which
   * also answers ST commands (STI, STDI, STBR, STBRT) and reports "ELM327 v1.4b" to ATI.
   */
  chip?: 'elm327' | 'stn1110';
  /**
   * How a multi-PID request (CAN service 01 with several PIDs) fares: answered (default),
   * only its first PID answered, nobody answers (NO DATA), or refused with "?" as some clones do.
   */
  multiPid?: 'answer' | 'first' | 'silent' | 'refuse';
  /**
   * Fastest baud rate the adapter's serial link carries (default: any). Above it a baud switch
   * (AT BRD, STBR) garbles the handshake, so the host never confirms and the adapter falls back.
   */
  maxLinkBaud?: number;
}

/** What an STN1110 answers to STI and STDI, and to ATI / ATZ (its ELM327 emulation level). */
export const STN_FIRMWARE_ID = 'STN1110 v4.2.0';
export const STN_DEVICE_ID = 'OBDLink SX r4.2';
export const STN_ELM_ID = 'ELM327 v1.4b';
/** The chip's baud rate generator: AT BRD hh selects 4000 kbaud / hh. */
const BRD_CLOCK = 4_000_000;
/** A UART tolerates about 3 % between the two ends' rates. */
const BAUD_TOLERANCE = 0.03;
/** AT BRT's default: 75 ms to switch, and 75 ms for the host's confirming CR. */
const DEFAULT_BAUD_SWITCH_MS = 75;

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
  /** false: no blank line and prompt after the lines (ATLP, ATMA, AT BRD). */
  readonly prompt?: boolean;
  /** Runs once the reply is out (a baud switch starts after its "OK"). */
  readonly then?: () => void;
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
  /** What answers on the bus: the J1979 ECUs, with the configured custom answers added. */
  private readonly responders: readonly Responder[];
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
  private readonly chip: 'elm327' | 'stn1110';
  private readonly multiPid: 'answer' | 'first' | 'silent' | 'refuse';
  private readonly maxLinkBaud: number;
  /** The UART's rate once a host switched it (AT BRD / STBR); null: whatever the host uses. */
  private uartBaud: number | null = null;
  /** The host's rate, when its transport says (in-process); null: unknown, taken as matching. */
  private hostBaud: number | null = null;
  private baudSwitchMs = DEFAULT_BAUD_SWITCH_MS;
  /** A baud switch in progress: the rate to fall back to, and the timer of its current phase. */
  private baudSwitch: { previous: number | null; baud: number; timer: NodeJS.Timeout; confirming: boolean } | null = null;
  private readonly baudListeners = new Set<(baud: number | null) => void>();

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
    const car = options.car ?? 'petrol';
    if (!CAR_PROFILES.includes(car)) {
      throw new TransportError('EINVAL', `simulator: car must be ${CAR_PROFILES.join(' or ')}, got ${String(options.car)}`);
    }
    this.ecus = createEcus(this.vehicle, car);
    this.responders = withCustomEcus(this.ecus, options.ecus, options.now ?? Date.now);
    this.chip = options.chip ?? 'elm327';
    this.multiPid = options.multiPid ?? 'answer';
    this.maxLinkBaud = options.maxLinkBaud ?? Infinity;
    if (this.chip !== 'elm327' && this.chip !== 'stn1110') {
      throw new TransportError('EINVAL', `simulator: chip must be elm327 or stn1110, got ${String(options.chip)}`);
    }
    if (!['answer', 'first', 'silent', 'refuse'].includes(this.multiPid)) {
      throw new TransportError('EINVAL', `simulator: multiPid must be answer, first, silent or refuse, got ${String(options.multiPid)}`);
    }
    if (!(this.maxLinkBaud > 0))
      throw new TransportError('EINVAL', `simulator: maxLinkBaud must be a positive rate, got ${String(options.maxLinkBaud)}`);
  }

  /** The UART's rate after a host's baud switch; null while it is the power-on rate. */
  get baudRate(): number | null {
    return this.uartBaud;
  }

  /** Tells the adapter the host's serial rate (the in-process transport knows it). */
  setHostBaud(baud: number): void {
    this.hostBaud = baud;
  }

  /** Called when the adapter's UART changes rate (a serial server follows it); null: power-on rate. */
  onBaudChange(listener: (baud: number | null) => void): () => void {
    this.baudListeners.add(listener);
    return () => this.baudListeners.delete(listener);
  }

  /** Registers a listener for the bytes the adapter sends; returns a function that removes it. */
  onOutput(listener: (chunk: Buffer) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Bytes from the host. */
  feed(chunk: string | Uint8Array): void {
    if (this.mode === 'silent') return;
    // At mismatched rates the UART sees framing errors, never the characters that were sent.
    if (!this.linkWorks()) return;
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1');
    if (this.baudSwitch) {
      this.baudSwitchInput(text);
      return;
    }
    this.inbox += text;
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
    if (this.baudSwitch) clearTimeout(this.baudSwitch.timer);
    this.baudSwitch = null;
    this.listeners.clear();
    this.baudListeners.clear();
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
        this.deliver('', { lines: ['', '', this.elmId()] });
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
    const uploaded = raw.length + 1;
    // Spaces and control characters do not count; DEL (0x7F) does, which is why hosts send it
    // to get a harmless "?" rather than an empty line that would repeat the last command.
    // eslint-disable-next-line no-control-regex -- control characters are what this strips
    const command = raw.replace(/[\x00-\x20]/g, '').toUpperCase();
    let reply: Reply;
    if (overflow) reply = { lines: ['?'] };
    else if (command === '') reply = this.lastCommand === null ? { lines: [] } : this.execute(this.lastCommand);
    else {
      this.lastCommand = command;
      reply = this.execute(command);
    }
    this.deliver(echo, reply, uploaded);
  }

  private execute(command: string): Reply {
    if (command.startsWith('AT')) {
      const at = parseAt(command.slice(2));
      return at ? this.runAt(at) : { lines: ['?'] };
    }
    // An ELM327 reads "ST..." as a (bad) OBD request and answers "?"; an STN knows them.
    if (command.startsWith('ST') && this.chip === 'stn1110') {
      const st = parseSt(command.slice(2));
      return st ? this.runSt(st) : { lines: ['?'] };
    }
    return this.obdRequest(command);
  }

  private runSt(st: StCommand): Reply {
    switch (st.kind) {
      case 'text':
        return { lines: [st.which === 'firmware' ? STN_FIRMWARE_ID : STN_DEVICE_ID] };
      case 'baudTimeout':
        this.baudSwitchMs = st.ms;
        return { lines: ['OK'] };
      case 'baud':
        return this.switchBaud(st.baud, STN_FIRMWARE_ID);
    }
  }

  /** ATI and ATZ print the chip's ELM327 identity. */
  private elmId(): string {
    return this.chip === 'stn1110' ? STN_ELM_ID : ELM_VERSION;
  }

  private runAt(at: AtCommand): Reply {
    switch (at.kind) {
      case 'reset':
        this.reset();
        // A full reset also brings the UART back to its power-on rate.
        this.setUartBaud(null);
        return { lines: ['', '', this.elmId()], extraDelayMs: this.resetMs };
      case 'warmStart':
        this.reset();
        return { lines: ['', '', this.elmId()] };
      case 'defaults':
        this.reset();
        return { lines: ['OK'] };
      case 'flag':
        this.setFlag(at.flag, at.on);
        return { lines: ['OK'] };
      case 'text':
        return { lines: [at.text === ELM_VERSION ? this.elmId() : at.text] };
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
      case 'baudTimeout':
        this.baudSwitchMs = at.ms;
        return { lines: ['OK'] };
      case 'baudDivisor':
        return this.switchBaud(Math.round(BRD_CLOCK / at.divisor), this.elmId());
      case 'ok':
        return { lines: ['OK'] };
    }
  }

  /**
   * AT BRD / STBR, as the datasheets describe the handshake: "OK" at the old rate (no prompt),
   * then the UART switches; after the switch time the chip sends its ID string at the new rate
   * and waits as long again for the host's CR. A CR keeps the new rate ("OK" and a prompt);
   * without one the chip goes back to the old rate and prompts there.
   */
  private switchBaud(baud: number, id: string): Reply {
    return {
      lines: ['OK'],
      prompt: false,
      then: () => {
        const previous = this.uartBaud;
        this.setUartBaud(baud);
        const timer = setTimeout(() => {
          this.emit(id + this.eol());
          if (!this.baudSwitch) return;
          this.baudSwitch.confirming = true;
          this.baudSwitch.timer = setTimeout(() => this.endBaudSwitch(false), this.baudSwitchMs);
        }, this.baudSwitchMs);
        this.baudSwitch = { previous, baud, timer, confirming: false };
      },
    };
  }

  /** Host bytes during a baud switch: only a CR in the confirmation window counts. */
  private baudSwitchInput(text: string): void {
    if (this.baudSwitch?.confirming && text.includes('\r')) this.endBaudSwitch(true);
  }

  private endBaudSwitch(confirmed: boolean): void {
    const change = this.baudSwitch;
    if (!change) return;
    clearTimeout(change.timer);
    this.baudSwitch = null;
    if (confirmed) {
      // A faster link answers sooner: the link timing model follows the new rate.
      if (this.faults.baudrate > 0) this.faults = { ...this.faults, baudrate: change.baud };
      this.emit(`OK${this.eol()}${this.eol()}>`);
    } else {
      this.setUartBaud(change.previous);
      this.emit(`${this.eol()}>`);
    }
  }

  private setUartBaud(baud: number | null): void {
    if (baud === this.uartBaud) return;
    this.uartBaud = baud;
    for (const listener of this.baudListeners) listener(baud);
  }

  /** Whether bytes cross the serial link intact at the two ends' current rates. */
  private linkWorks(): boolean {
    const rate = this.uartBaud;
    if (rate === null) return true;
    if (rate > this.maxLinkBaud) return false;
    return this.hostBaud === null || Math.abs(this.hostBaud - rate) / rate <= BAUD_TOLERANCE;
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
    const current = this.connected ?? (this.selected.id === '0' ? null : (protocolInfo(this.selected.id) ?? null));
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
        if (payload[0] === 0x01 && payload.length > 2 && this.multiPid !== 'answer') {
          // Adapters and ECUs that cannot do multi-PID requests, as found in the wild.
          if (this.multiPid === 'refuse') return null;
          if (this.multiPid === 'silent') return [];
          payload = payload.slice(0, 2);
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

  private ask(targets: readonly Responder[], payload: readonly number[], legacy: boolean): EcuAnswer[] {
    if (!this.ignitionOn) return [];
    const answers: EcuAnswer[] = [];
    for (const ecu of targets) {
      const messages = ecu.respond(payload, legacy);
      if (messages) answers.push({ addresses: ecu.addresses, messages });
    }
    return answers;
  }

  /** ECUs a CAN request reaches: all for the functional id (7DF, 18 DB 33 F1), else the addressed one. */
  private canTargets(protocol: ProtocolInfo): Responder[] {
    const header = this.settings.header ?? protocol.defaultHeader;
    const value = parseInt(header, 16);
    if (protocol.kind === 'can11') {
      const id = header.length === 3 ? value : value & 0x7ff;
      return id === 0x7df ? [...this.responders] : this.responders.filter((ecu) => ecu.addresses.canId - 8 === id);
    }
    // 29-bit: priority byte (ATCP) + the three ATSH bytes (a 3-digit ATSH gives 00 0x yz).
    if (this.settings.canPriority !== 0x18) return [];
    const format = (value >> 16) & 0xff;
    const target = (value >> 8) & 0xff;
    if (format === 0xdb && target === 0x33) return [...this.responders];
    return format === 0xda ? this.responders.filter((ecu) => ecu.addresses.address === target) : [];
  }

  /** ECUs a legacy request reaches: functional target (6A, 33) or an ECU's own address. */
  private legacyTargets(): Responder[] {
    const target = this.legacyHeaderBytes()[1];
    if (target === 0x6a || target === 0x33) return [...this.responders];
    return this.responders.filter((ecu) => ecu.addresses.address === target);
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
  private deliver(echo: string, reply: Reply, uploaded = 0): void {
    const eol = this.eol();
    let text = echo + reply.lines.map((line) => line + eol).join('') + (reply.prompt === false ? '' : `${eol}>`);
    this.replies += 1;
    const { dropEvery, garbage, latencyMs, baudrate } = this.faults;
    if (dropEvery > 0 && this.replies % dropEvery === 0) return;
    if (garbage > 0 && this.random() < garbage) text = garbageText(this.random) + text;
    // Serial time: the reply, plus the request itself unless the echo overlaps its upload.
    const characters = text.length + (echo === '' ? uploaded : 0);
    const delay = latencyMs + (reply.extraDelayMs ?? 0) + (baudrate > 0 ? (characters * 10 * 1000) / baudrate : 0);
    if (delay <= 0) {
      this.emit(text);
      reply.then?.();
      return;
    }
    const timer = setTimeout(() => {
      this.pending = null;
      this.emit(text);
      reply.then?.();
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
    // At mismatched rates the host's UART reads noise: high bytes, never a prompt.
    if (!this.linkWorks()) text = Array.from(text, (c) => String.fromCharCode(0x80 | ((c.charCodeAt(0) * 37) % 0x80))).join('');
    const chunk = Buffer.from(text, 'latin1');
    for (const listener of this.listeners) listener(chunk);
  }
}
