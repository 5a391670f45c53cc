import type { Logger } from 'pino';
import type { Elm327, ObdStatus } from '../elm327/driver.js';
import type { Message } from '../elm327/message.js';
import type { OBDCommand, OBDResponse } from './command.js';
import { baseCommands, pidBitmapCommands, supportedFromBitmap } from './commands/index.js';
import { GET_PERMANENT_DTC } from './commands/mode0a.js';
import { decodeMessages } from './decode.js';
import { drop } from './decoders.js';

/** Why a query produced no value; null value responses carry one so clients can be told. */
export type QueryFailure = 'NOT_CONNECTED' | 'UNSUPPORTED' | 'NO_DATA' | 'ADAPTER_ERROR' | 'FORBIDDEN';

export interface QueryResult {
  response: OBDResponse;
  failure?: { code: QueryFailure; message: string };
}

export interface ObdConnectionOptions {
  /** python-OBD's "fast" mode: append the expected response count so the adapter answers early. */
  fast: boolean;
  /** Mode 04 erases the car's trouble codes and freeze frame: refused unless the config allows it. */
  allowClearDtc: boolean;
  logger?: Logger;
  /** When an answer arrived, ms since the epoch (a replay's recorded time); Date.now by default. */
  clock?: () => number;
}

const CAN_PROTOCOLS = new Set(['6', '7', '8', '9']);

/**
 * An OBD-II session on top of an ELM327, like python-OBD's OBD class: knows which commands the
 * car supports (from the PID bitmaps), sends queries and decodes the answers. It never throws for
 * car or adapter trouble: a failed query is a response with a null value and a failure reason.
 */
export class ObdConnection {
  /**
   * python-OBD's base commands, and mode 0A (permanent codes), which has no PID bitmap to
   * declare it: like mode 03 and 07 it is always asked, and a car without it answers NO DATA.
   */
  private readonly supported = new Set<OBDCommand>([...baseCommands, GET_PERMANENT_DTC]);
  /** Frames each command answered with last time: python-OBD's "fast" response-count suffix. */
  private readonly frameCounts = new Map<OBDCommand, number>();
  private closed = false;

  constructor(
    readonly elm: Elm327,
    private readonly options: ObdConnectionOptions,
  ) {}

  get status(): ObdStatus {
    return this.closed ? 'Not Connected' : this.elm.status;
  }
  get isConnected(): boolean {
    return this.status === 'Car Connected';
  }
  get protocolName(): string {
    return this.closed ? '' : this.elm.protocolName;
  }
  get protocolId(): string {
    return this.closed ? '' : this.elm.protocolId;
  }
  get supportedCommands(): ReadonlySet<OBDCommand> {
    return this.supported;
  }
  /** Whether the "fast" response-count suffix is on (multi-PID requests learn their own counts). */
  get fast(): boolean {
    return this.options.fast;
  }
  /** The longest one adapter request may take (the driver's timeout); a header switch adds a second request. */
  get requestTimeoutMs(): number {
    return this.elm.timeoutMs;
  }

  /** Asks the car which PIDs it supports, through every bitmap command it declares (python-OBD's __load_commands). */
  async loadSupportedCommands(): Promise<void> {
    if (!this.isConnected) return;
    // Bitmap commands are themselves declared by earlier bitmaps (PIDS_B by bit 0x20 of PIDS_A),
    // so walk them in table order and skip those not (yet) known to be supported.
    for (const bitmap of pidBitmapCommands) {
      if (!this.isQueryable(bitmap)) continue;
      const { response } = await this.query(bitmap);
      if (!Array.isArray(response.value)) continue;
      for (const cmd of supportedFromBitmap(bitmap, response.value as boolean[])) this.supported.add(cmd);
    }
    this.options.logger?.info({ count: this.supported.size }, 'supported commands loaded');
  }

  supports(cmd: OBDCommand): boolean {
    return this.supported.has(cmd);
  }

  /** python-OBD's test_cmd: supported, and mode 06 only on CAN. */
  isQueryable(cmd: OBDCommand): boolean {
    if (!this.supported.has(cmd)) return false;
    if (cmd.command.startsWith('06') && !CAN_PROTOCOLS.has(this.protocolId)) return false;
    return true;
  }

  /** Sends one command and decodes the answer; `force` skips the supported check like python-OBD. */
  async query(cmd: OBDCommand, force = false): Promise<QueryResult> {
    if (!this.isConnected && !(force && this.status !== 'Not Connected')) {
      return failedQuery(cmd, 'NOT_CONNECTED', 'no connection to the car');
    }
    if (isClearDtc(cmd) && !this.options.allowClearDtc) {
      return failedQuery(cmd, 'FORBIDDEN', 'clearing trouble codes is disabled: set connection.allow_clear_dtc: true to allow it');
    }
    if (!force && !this.isQueryable(cmd)) {
      return failedQuery(cmd, 'UNSUPPORTED', `${cmd.name} is not supported by this vehicle`);
    }
    let messages: Message[];
    try {
      messages = await this.elm.request(this.requestText(cmd), { header: cmd.header, addressing: cmd.addressing ?? null });
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'ERROR';
      return failedQuery(cmd, 'ADAPTER_ERROR', `${cmd.name}: adapter error ${code}: ${(error as Error).message}`);
    }
    if (this.options.fast && cmd.fast && !this.frameCounts.has(cmd)) {
      this.frameCounts.set(
        cmd,
        messages.reduce((n, m) => n + m.frames.length, 0),
      );
    }
    const decoded = messages.length > 0 ? decodeMessages(cmd, messages) : null;
    if (decoded === null) {
      // A command that carries no value (CLEAR_DTC: python-OBD's `drop`) succeeded if an ECU answered.
      if (cmd.decoder === drop && messages.some((m) => (cmd.ecu & m.ecu) > 0)) return { response: nullResponse(cmd, messages) };
      return failedQuery(cmd, 'NO_DATA', `${cmd.name}: no data from the vehicle`, messages);
    }
    return { response: { command: cmd, messages, value: decoded.value, unit: decoded.unit, time: this.now() } };
  }

  /** The time an answer arriving now is stamped with: a replay's recorded time, else the wall clock. */
  now(): number {
    return this.options.clock?.() ?? Date.now();
  }

  /**
   * Sends a raw OBD request (e.g. a multi-PID "010C0D") and returns the adapter's messages
   * unfiltered; rejects with the driver's ElmError. For callers that decode answers themselves.
   */
  request(text: string, header: string): Promise<Message[]> {
    return this.elm.request(text, { header });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.supported.clear();
    await this.elm.close();
  }

  private requestText(cmd: OBDCommand): string {
    const frames = this.frameCounts.get(cmd);
    // The ELM327 takes one hex digit of expected responses; more frames than that gain nothing.
    if (this.options.fast && cmd.fast && frames !== undefined && frames >= 1 && frames <= 9) {
      return cmd.command + String(frames);
    }
    return cmd.command;
  }
}

/**
 * Requests that erase trouble codes: SAE J1979's service 04, and ClearDiagnosticInformation
 * (service 14) of UDS (ISO 14229) and KWP2000 (ISO 14230), which a vehicle-specific command
 * (commands:, a signal set, a Torque or ABRP file) could send to any ECU.
 */
function isClearDtc(cmd: OBDCommand): boolean {
  return cmd.command.startsWith('04') || cmd.command.startsWith('14');
}

/** A response with no value, as python-OBD returns for every kind of failure. */
export function nullResponse(cmd: OBDCommand, messages: readonly Message[] = []): OBDResponse {
  return { command: cmd, messages, value: null, unit: null, time: Date.now() };
}

/** A query that produced no value, with the reason: what every failure path answers. */
export function failedQuery(cmd: OBDCommand, code: QueryFailure, message: string, messages: readonly Message[] = []): QueryResult {
  return { response: nullResponse(cmd, messages), failure: { code, message } };
}
