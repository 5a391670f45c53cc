/**
 * The ELM327 start-up, step for step as python-OBD 0.7.3 does it: wake the chip (optional),
 * find the baud rate, reset (ATZ), echo off (ATE0), headers on (ATH1), linefeeds off (ATL0),
 * read the battery voltage (ATRV), then find the vehicle's protocol and learn its ECUs.
 * How far it gets is the connection status python-OBD reports.
 */
import type { Logger } from 'pino';
import { ElmError } from './errors.js';
import { classifyLine } from './lines.js';
import { PROTOCOL_TRY_ORDER, createProtocol, isProtocolId, protocolName, unknownProtocol, type Protocol } from './protocols/index.js';

export type ObdStatus = 'Not Connected' | 'ELM Connected' | 'OBD Connected' | 'Car Connected';

/** How long each start-up step may take (ms); the config's timeout applies when longer. */
export interface StartupTimeouts {
  /** One baud-rate probe. */
  probe: number;
  /** ATZ: a real ELM327 takes about a second to reset. */
  reset: number;
  /** Other AT commands. */
  command: number;
  /** The first 0100 while the adapter searches every protocol (ATSP0). */
  search: number;
  /** A 0100 on one protocol (slow K-line initialisations take seconds). */
  tryProtocol: number;
  /** The pause after the wake-up byte (python-OBD: 1 s). */
  wake: number;
}

export const DEFAULT_STARTUP_TIMEOUTS: StartupTimeouts = {
  probe: 100,
  reset: 5000,
  command: 3000,
  search: 20000,
  tryProtocol: 10000,
  wake: 1000,
};

/** python-OBD's order: the two power-on defaults first, then fastest to slowest. */
export const BAUD_RATES_TO_TRY: readonly number[] = [38400, 9600, 230400, 115200, 57600, 19200];

/** What the start-up needs from the driver: the queue and the raw link. */
export interface StartupLink {
  readonly portName: string;
  send(command: string, timeoutMs: number): Promise<string[]>;
  exchangeRaw(payload: string, timeoutMs: number): Promise<string>;
  /**
   * Writes `payload` (unless null), then collects raw bytes, bypassing the queue, until `done`
   * says the text is complete or `timeoutMs` passes; resolves with what came either way. For
   * exchanges without a prompt (the baud-rate handshake).
   */
  collectRaw(payload: string | null, done: (text: string) => boolean, timeoutMs: number): Promise<string>;
  write(text: string): void;
  setBaudRate(baudrate: number): Promise<void>;
  /** Forgets partial replies and pending late prompts (after a baud change). */
  resync(): void;
}

/**
 * Adapter settings from the config (`connection.adapter_timing`, `headers`, `upgrade_baudrate`).
 * With tuning given, the start-up also asks STI to tell an STN11xx (OBDLink) from an ELM327.
 */
export interface AdapterTuning {
  /** AT AT0/1/2; 1 (the chip's default after ATZ) sends nothing. */
  adaptiveTiming?: 0 | 1 | 2;
  /** AT ST in ms (4-1020); null: the adapter's default (about 200 ms). */
  responseTimeoutMs?: number | null;
  /** ATH1 (default). false: ATH0 once the protocol is known; on CAN only the engine is then asked. */
  headers?: boolean;
  /** After connecting on a serial link, switch to a faster rate: off (default), auto, or a rate. */
  upgradeBaudrate?: 'off' | 'auto' | number;
}

/** How to talk to the adapter: what the user configures, shared by the driver and its start-up. */
export interface AdapterSettings {
  baudrate: 'auto' | number;
  /** ATSP id: '1'..'9' | 'A', or 'auto'. */
  protocol: 'auto' | string;
  /** ms to wait for one reply. */
  timeout: number;
  checkVoltage: boolean;
  startLowPower: boolean;
  logger?: Logger;
  /** Adapter timing, headers, baud-rate upgrade; with it the start-up also detects STN11xx chips. */
  tuning?: AdapterTuning;
}

export interface StartupOptions extends AdapterSettings {
  timeouts: StartupTimeouts;
  /** Called each time the status moves on, so the driver can report it live. */
  onStatus(status: ObdStatus): void;
}

export interface StartupResult {
  status: ObdStatus;
  protocol: Protocol;
  version: string;
  /** The STN11xx firmware id ("STN1110 v4.2.0") when the chip is one; null for an ELM327 (or not asked). */
  stn: string | null;
  /** The serial rate in use at the end (after any upgrade); null when not a serial link. */
  baudrate: number | null;
  voltage: number | null;
}

/**
 * Runs the start-up. Rejects only when no ELM327 answers properly (baud detection fails, or
 * ATE0/ATH1/ATL0 are not acknowledged); otherwise resolves with how far it got.
 */
export async function runStartup(link: StartupLink, options: StartupOptions): Promise<StartupResult> {
  const { logger } = options;
  const t = (ms: number): number => Math.max(ms, options.timeout);
  const result: StartupResult = {
    status: 'Not Connected',
    protocol: unknownProtocol,
    version: '',
    stn: null,
    baudrate: null,
    voltage: null,
  };

  if (options.startLowPower) {
    // Any byte wakes a sleeping ELM327. A space alone: a bare CR would repeat the last command.
    logger?.info('waking the adapter from low power');
    link.write(' ');
    await sleep(options.timeouts.wake);
    link.resync();
  }

  result.baudrate = await chooseBaudRate(link, options);

  logger?.info('resetting the adapter (ATZ)');
  let resetLines: string[] = [];
  try {
    resetLines = await link.send('ATZ', t(options.timeouts.reset));
  } catch (err) {
    // python-OBD ignores what ATZ returns (often junk); ATE0 below tells whether we got through.
    if (!(err instanceof ElmError && err.code === 'TIMEOUT')) throw err;
    logger?.warn('no prompt after ATZ; trying to go on');
  }
  result.version = findVersion(resetLines);

  await expectOk(link, 'ATE0', t(options.timeouts.command), true);
  await expectOk(link, 'ATH1', t(options.timeouts.command), false);
  await expectOk(link, 'ATL0', t(options.timeouts.command), false);
  setStatus(result, options, 'ELM Connected');

  if (!result.version) {
    const lines = await link.send('ATI', t(options.timeouts.command)).catch(() => [] as string[]);
    result.version = findVersion(lines) || (lines[0] ?? '');
  }
  logger?.info({ version: result.version, baudrate: result.baudrate }, 'ELM327 adapter found');

  const tuning = options.tuning;
  if (tuning) {
    result.stn = await detectStn(link, result.version, t(options.timeouts.command));
    if (result.stn) logger?.info({ firmware: result.stn }, `STN11xx / OBDLink adapter: ${result.stn}`);
    const upgrade = tuning.upgradeBaudrate ?? 'off';
    if (upgrade !== 'off' && result.baudrate !== null && !link.portName.startsWith('tcp://')) {
      result.baudrate = await upgradeBaudRate(link, result, upgrade, options);
    }
    await applyTiming(link, tuning, t(options.timeouts.command), logger);
  }

  if (options.checkVoltage) {
    const voltage = await readVoltage(link, t(options.timeouts.command), logger);
    if (voltage === null) return result;
    result.voltage = voltage;
    if (voltage < 6) {
      logger?.error({ volts: voltage }, 'the OBD-II socket gives the adapter no power (under 6 V): is it plugged into the car?');
      return result;
    }
    setStatus(result, options, 'OBD Connected');
  }

  let protocol = await findProtocol(link, options, t);
  if (protocol && tuning?.headers === false) protocol = await headersOff(link, protocol, options, t);
  if (protocol) {
    result.protocol = protocol;
    setStatus(result, options, 'Car Connected');
    logger?.info({ protocol: protocol.name, id: protocol.id }, 'connected to the vehicle');
  } else if (result.status === 'OBD Connected') {
    logger?.error('the adapter is connected, but the ignition seems off (no answer from the vehicle)');
  } else {
    logger?.error('connected to the adapter, but not to the vehicle');
  }
  return result;
}

function setStatus(result: StartupResult, options: StartupOptions, status: ObdStatus): void {
  result.status = status;
  options.onStatus(status);
}

/** Serial devices need their baud rate found; pseudo-terminals and sockets do not (python-OBD skips /dev/pts). */
export function needsBaudDetection(portName: string): boolean {
  if (portName.startsWith('/dev/')) return !portName.startsWith('/dev/pts');
  return /^(\\\\\.\\)?COM\d+$/i.test(portName);
}

async function chooseBaudRate(link: StartupLink, options: StartupOptions): Promise<number | null> {
  const { logger } = options;
  if (options.baudrate !== 'auto') {
    await link.setBaudRate(options.baudrate);
    link.resync();
    return options.baudrate;
  }
  if (!needsBaudDetection(link.portName)) {
    logger?.debug({ port: link.portName }, 'not a serial device: skipping baud rate detection');
    return null;
  }
  const probeTimeout = Math.max(options.timeouts.probe, options.timeout);
  for (const baud of BAUD_RATES_TO_TRY) {
    logger?.info({ baud }, 'trying baud rate');
    await link.setBaudRate(baud);
    link.resync();
    try {
      // Two DELs: harmless nonsense (a lone CR would repeat a command); the first may be eaten.
      const reply = await link.exchangeRaw('\x7F\x7F\r', probeTimeout);
      if (isPlainText(reply)) {
        logger?.info({ baud }, 'adapter answered');
        return baud;
      }
      logger?.debug({ baud }, 'garbled answer');
    } catch (err) {
      if (!(err instanceof ElmError && err.code === 'TIMEOUT')) throw err;
    }
  }
  throw new ElmError(
    'NOT_CONNECTED',
    `no ELM327 answered on ${link.portName} at ${BAUD_RATES_TO_TRY.join(', ')} baud (is it the right port, and is the adapter powered?)`,
  );
}

/** A reply at the right baud rate is ASCII; at a wrong one it is mostly high or control bytes. */
function isPlainText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 || c === 10 || c === 0 || c === 0x7f) continue;
    if (c < 32 || c > 126) return false;
  }
  return true;
}

function findVersion(lines: readonly string[]): string {
  for (const line of lines) if (/ELM|STN|OBDLINK|\bv\d/i.test(line)) return line;
  return '';
}

async function expectOk(link: StartupLink, command: string, timeoutMs: number, echoMayRemain: boolean): Promise<void> {
  let lines: string[];
  try {
    lines = await link.send(command, timeoutMs);
  } catch (err) {
    if (err instanceof ElmError && err.code === 'TIMEOUT') {
      throw new ElmError(
        'NOT_CONNECTED',
        `no answer to ${command} from ${link.portName} within ${timeoutMs} ms: is an ELM327 on this port?`,
      );
    }
    throw err;
  }
  // ATE0 is answered with echo still on, so its own echo may precede the OK.
  const ok = echoMayRemain ? lines.some((l) => l.includes('OK')) : lines.length === 1 && lines[0] === 'OK';
  if (!ok) {
    throw new ElmError(
      'NOT_CONNECTED',
      `${command} was not acknowledged with OK (the adapter said ${JSON.stringify(lines)}): is this an ELM327?`,
    );
  }
}

async function readVoltage(link: StartupLink, timeoutMs: number, logger: Logger | undefined): Promise<number | null> {
  logger?.info('reading the voltage at the OBD-II socket (ATRV)');
  let lines: string[] = [];
  try {
    lines = await link.send('ATRV', timeoutMs);
  } catch (err) {
    if (!(err instanceof ElmError && err.code === 'TIMEOUT')) throw err;
  }
  const text = lines.length === 1 ? lines[0].toLowerCase().replace('v', '').trim() : '';
  const volts = text === '' ? NaN : Number(text);
  if (Number.isNaN(volts)) {
    logger?.error({ reply: lines }, "no valid answer to 'AT RV' (set check_voltage: false if this adapter cannot read the voltage)");
    return null;
  }
  logger?.info({ volts }, 'voltage at the OBD-II socket');
  return volts;
}

/** True when a 0100 reply shows the protocol cannot work (vs an answer, or NO DATA). */
function replyFails(lines: readonly string[]): boolean {
  for (const line of lines) {
    const kind = classifyLine(line);
    if (kind.kind !== 'error') continue;
    switch (kind.code) {
      case 'UNABLE_TO_CONNECT':
      case 'CAN_ERROR':
      case 'BUS_INIT_ERROR':
      case 'BUS_ERROR':
        return true;
      default:
        break;
    }
  }
  return false;
}

function hasUnableToConnect(lines: readonly string[]): boolean {
  return lines.some((l) => l.toUpperCase().includes('UNABLE TO CONNECT'));
}

/** The data lines of a 0100 reply, to learn the ECUs from. */
function dataLines(lines: readonly string[]): string[] {
  return lines.filter((l) => classifyLine(l).kind === 'data');
}

async function sendOrEmpty(link: StartupLink, command: string, timeoutMs: number): Promise<string[] | null> {
  try {
    return await link.send(command, timeoutMs);
  } catch (err) {
    if (err instanceof ElmError && err.code === 'TIMEOUT') return null;
    throw err;
  }
}

async function findProtocol(link: StartupLink, options: StartupOptions, t: (ms: number) => number): Promise<Protocol | null> {
  const { logger, timeouts } = options;
  if (options.protocol !== 'auto') {
    const id = options.protocol.toUpperCase();
    if (!isProtocolId(id)) {
      logger?.error({ protocol: options.protocol }, 'not a valid protocol: use 1 through 9, or A');
      return null;
    }
    return tryProtocol(link, id, options, t(timeouts.tryProtocol), t(timeouts.command));
  }

  logger?.info('searching for the vehicle protocol (ATSP0, 0100): this can take several seconds');
  await sendOrEmpty(link, 'ATSP0', t(timeouts.command));
  const reply = (await sendOrEmpty(link, '0100', t(timeouts.search))) ?? [];
  if (hasUnableToConnect(reply)) {
    logger?.error('the adapter found no protocol: unable to connect');
    return null;
  }
  const dpn = (await sendOrEmpty(link, 'ATDPN', t(timeouts.command))) ?? [];
  if (dpn.length !== 1) {
    logger?.error({ reply: dpn }, 'could not read the protocol number (ATDPN)');
    return null;
  }
  // "A6": automatic, found 6. A lone "A" is protocol A.
  let id = dpn[0].toUpperCase();
  if (id.length > 1 && id.startsWith('A')) id = id.slice(1);
  if (isProtocolId(id)) return createProtocol(id, dataLines(reply));

  logger?.info({ reply: dpn[0] }, 'the automatic search was not conclusive; trying each protocol');
  for (const candidate of PROTOCOL_TRY_ORDER) {
    const protocol = await tryProtocol(link, candidate, options, t(timeouts.tryProtocol), t(timeouts.command));
    if (protocol) return protocol;
  }
  logger?.error('no protocol answered');
  return null;
}

async function tryProtocol(
  link: StartupLink,
  id: string,
  options: StartupOptions,
  replyTimeout: number,
  commandTimeout: number,
): Promise<Protocol | null> {
  options.logger?.info({ protocol: protocolName(id), id }, 'trying protocol');
  await sendOrEmpty(link, 'ATTP' + id, commandTimeout);
  const reply = await sendOrEmpty(link, '0100', replyTimeout);
  // Like python-OBD, NO DATA still counts (the bus works, the car is quiet); unlike it, a CAN or
  // bus-init error does not, so the next protocol gets its turn.
  if (reply === null || replyFails(reply)) return null;
  return createProtocol(id, dataLines(reply));
}

/** Whether the chip is an STN11xx: its STI names it ("STN1110 v4.2.0"); an ELM327 says "?". */
async function detectStn(link: StartupLink, version: string, timeoutMs: number): Promise<string | null> {
  const lines = (await sendOrEmpty(link, 'STI', timeoutMs)) ?? [];
  const id = lines.find((l) => /^STN\d/i.test(l));
  if (id) return id;
  // Some OBDLink firmware names itself in ATI as well.
  return /STN|OBDLINK/i.test(version) ? version : null;
}

/** AT AT and AT ST; settings the chip already has after ATZ are not sent. */
async function applyTiming(link: StartupLink, tuning: AdapterTuning, timeoutMs: number, logger: Logger | undefined): Promise<void> {
  const commands: string[] = [];
  if (tuning.adaptiveTiming !== undefined && tuning.adaptiveTiming !== 1) commands.push(`ATAT${tuning.adaptiveTiming}`);
  if (tuning.responseTimeoutMs !== undefined && tuning.responseTimeoutMs !== null) {
    // 4 ms steps; 00 would not mean zero (the chip reads it as its default), so at least 01.
    const steps = Math.min(0xff, Math.max(1, Math.round(tuning.responseTimeoutMs / 4)));
    commands.push(`ATST${steps.toString(16).toUpperCase().padStart(2, '0')}`);
  }
  for (const command of commands) {
    const lines = (await sendOrEmpty(link, command, timeoutMs)) ?? [];
    if (lines.length === 1 && lines[0] === 'OK') logger?.info({ command }, `adapter timing: ${command}`);
    else logger?.warn({ command, reply: lines }, `the adapter did not accept ${command}; keeping its default timing`);
  }
}

/** Rates tried by `upgrade_baudrate: auto`, fastest first: what ELM327 / STN11xx UARTs reach. */
export const UPGRADE_RATES = { elm327: [500000, 230400, 115200], stn: [2000000, 1000000, 500000, 230400, 115200] } as const;
/** The ELM327's AT BRD divides 4 MHz; the rate it makes must be within 3 % of the host's. */
const BRD_CLOCK = 4_000_000;
/** How long the chip waits before sending its ID at the new rate, and for our CR (AT BRT default). */
const BAUD_SWITCH_WINDOW_MS = 75;

/** The AT BRD divisor for `baud`, or null when no divisor comes within 3 %. */
export function brdDivisor(baud: number): number | null {
  const divisor = Math.round(BRD_CLOCK / baud);
  if (divisor < 1 || divisor > 0xff) return null;
  return Math.abs(BRD_CLOCK / divisor - baud) / baud <= 0.03 ? divisor : null;
}

async function upgradeBaudRate(
  link: StartupLink,
  result: StartupResult,
  upgrade: 'auto' | number,
  options: StartupOptions,
): Promise<number> {
  const current = result.baudrate!;
  const candidates = upgrade === 'auto' ? (result.stn ? UPGRADE_RATES.stn : UPGRADE_RATES.elm327) : [upgrade];
  for (const baud of candidates) {
    if (baud <= current) continue;
    const outcome = await switchBaudRate(link, current, baud, result, options);
    if (outcome === 'switched') return baud;
    if (outcome === 'unsupported') break; // the chip has no such command: no other rate will do
  }
  return current;
}

/**
 * The AT BRD / STBR handshake: "OK" at the old rate (no prompt), the chip switches and sends its
 * ID at the new rate, we answer CR, it says "OK" and prompts. Anything else and both ends go
 * back to the old rate (the chip by itself, when no CR comes in time).
 */
async function switchBaudRate(
  link: StartupLink,
  current: number,
  baud: number,
  result: StartupResult,
  options: StartupOptions,
): Promise<'switched' | 'failed' | 'unsupported'> {
  const { logger } = options;
  const commandTimeout = Math.max(options.timeouts.command, options.timeout);
  let command: string;
  if (result.stn) {
    command = `STBR${baud}`;
  } else {
    const divisor = brdDivisor(baud);
    if (divisor === null) {
      logger?.warn({ baud }, `an ELM327 cannot make ${baud} baud (4 MHz / divisor); not switching`);
      return 'failed';
    }
    command = `ATBRD${divisor.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  logger?.info({ baud, command }, `trying ${baud} baud (${command})`);
  const first = await link.collectRaw(command + '\r', (text) => /(OK|\?)\s*[\r\n]/.test(text) || text.includes('>'), commandTimeout);
  if (!/OK/.test(first)) {
    // "?" (and its prompt): an old ELM327 or a clone without the command.
    link.resync();
    logger?.info({ reply: first.trim() }, `the adapter does not switch baud rates (${command})`);
    return 'unsupported';
  }
  await link.setBaudRate(baud);
  link.resync();
  const window = 4 * BAUD_SWITCH_WINDOW_MS + 200;
  let seen = await link.collectRaw(null, (text) => /[\r\n]/.test(text.trimStart()) && text.trim().length > 0, window);
  if (isPlainText(seen) && /ELM|STN|OBDLINK/i.test(seen)) {
    const confirm = await link.collectRaw('\r', (text) => text.includes('>'), window);
    if (isPlainText(confirm) && confirm.includes('OK')) {
      link.resync();
      logger?.info({ baud }, `adapter switched to ${baud} baud`);
      return 'switched';
    }
    seen += confirm;
  }
  // Back to the old rate; the chip returns there by itself once its confirmation window passes
  // (and prompts), unless that already happened while we listened.
  logger?.warn({ baud, reply: JSON.stringify(seen) }, `no clean answer at ${baud} baud; staying at ${current}`);
  await link.setBaudRate(current);
  link.resync();
  if (!seen.includes('>')) await link.collectRaw(null, (text) => text.includes('>'), window);
  link.resync();
  const check = (await sendOrEmpty(link, 'ATI', commandTimeout)) ?? [];
  if (!check.some((l) => /ELM|STN|OBDLINK/i.test(l))) {
    throw new ElmError(
      'NOT_CONNECTED',
      `the adapter stopped answering after a failed switch to ${baud} baud (it said ${JSON.stringify(check)})`,
    );
  }
  return 'failed';
}

/** The engine's physical request id per CAN protocol: with headers off only the engine is asked. */
const ENGINE_REQUEST_HEADER: Readonly<Record<string, string>> = { '6': '7E0', '8': '7E0', '7': 'DA10F1', '9': 'DA10F1' };

/**
 * `headers: false`: ATH0 once the protocol is known. Without headers the answering ECUs cannot
 * be told apart, so the requests go to the engine alone (its physical CAN id) and every answer
 * is read as the engine's; the ECU map is learned again from a headerless 0100. The older
 * buses have no engine-only addressing that every car honours, so there headers stay on.
 */
async function headersOff(link: StartupLink, protocol: Protocol, options: StartupOptions, t: (ms: number) => number): Promise<Protocol> {
  const commandTimeout = t(options.timeouts.command);
  const engineHeader = ENGINE_REQUEST_HEADER[protocol.id];
  if (!engineHeader) {
    options.logger?.warn(
      { protocol: protocol.name },
      `headers: false works on CAN only; on ${protocol.name} several ECUs' answers could not be told apart, so headers stay on`,
    );
    return protocol;
  }
  for (const command of ['ATH0', `ATSH${engineHeader}`]) {
    const lines = (await sendOrEmpty(link, command, commandTimeout)) ?? [];
    if (!(lines.length === 1 && lines[0] === 'OK')) {
      options.logger?.warn({ command, reply: lines }, `the adapter did not accept ${command}; keeping headers on`);
      await sendOrEmpty(link, 'ATH1', commandTimeout);
      return protocol;
    }
  }
  const reply = (await sendOrEmpty(link, '0100', t(options.timeouts.tryProtocol))) ?? [];
  options.logger?.info("headers off: answers are read as the engine's");
  // One answer teaches the map "no header = engine" (more, headerless, could not be told apart).
  return createProtocol(protocol.id, dataLines(reply).slice(0, 1));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
