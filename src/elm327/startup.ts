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
  write(text: string): void;
  setBaudRate(baudrate: number): Promise<void>;
  /** Forgets partial replies and pending late prompts (after a baud change). */
  resync(): void;
}

export interface StartupOptions {
  baudrate: 'auto' | number;
  protocol: 'auto' | string;
  timeout: number;
  checkVoltage: boolean;
  startLowPower: boolean;
  logger?: Logger;
  timeouts: StartupTimeouts;
  /** Called each time the status moves on, so the driver can report it live. */
  onStatus(status: ObdStatus): void;
}

export interface StartupResult {
  status: ObdStatus;
  protocol: Protocol;
  version: string;
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
  const result: StartupResult = { status: 'Not Connected', protocol: unknownProtocol, version: '', baudrate: null, voltage: null };

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

  const protocol = await findProtocol(link, options, t);
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
      throw new ElmError('NOT_CONNECTED', `no answer to ${command} from ${link.portName} within ${timeoutMs} ms: is an ELM327 on this port?`);
    }
    throw err;
  }
  // ATE0 is answered with echo still on, so its own echo may precede the OK.
  const ok = echoMayRemain ? lines.some((l) => l.includes('OK')) : lines.length === 1 && lines[0] === 'OK';
  if (!ok) {
    throw new ElmError('NOT_CONNECTED', `${command} was not acknowledged with OK (the adapter said ${JSON.stringify(lines)}): is this an ELM327?`);
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
