/**
 * Multi-PID requests. On CAN (ISO 15765-4), SAE J1979 lets a tester ask up to six service 01
 * PIDs in one request ("010C0D05"); each ECU answers once with PID/data pairs for the PIDs it
 * supports ("41 0C 1A F8 0D 32 05 5A"). One bus round trip then carries six values instead of
 * one, which is what matters on a slow serial link or a slow adapter.
 *
 * The answer has no separators, so splitting it needs each PID's data length: the command
 * table's length minus the service and PID bytes. Each piece is then decoded by that
 * command's own decoder, exactly as if the PID had been asked alone, so values and units are
 * the same as single requests.
 *
 * Not every adapter or car copes: old clones answer "?" to a 7-byte request, some ECUs answer
 * only the first PID. So the batcher starts undecided and keeps batching only when the first
 * batched request answers properly; otherwise the caller asks the PIDs one at a time.
 */
import type { Logger } from 'pino';
import type { Message } from '../elm327/message.js';
import type { OBDCommand, OBDResponse } from './command.js';
import { commandMode, commandPid, ENGINE_HEADER } from './commands/define.js';
import { decodeMessages } from './decode.js';

/** J1979's limit for one service 01 request. */
export const MAX_PIDS_PER_REQUEST = 6;

/** Whether the watch loop may batch: `auto` detects support per adapter session, `off` never batches. */
export type BatchMode = 'auto' | 'off';

/** undecided until the first batch; `on` once one answered properly; `off` when the adapter or car cannot. */
export type BatchState = 'unknown' | 'on' | 'off';

/** What the batcher needs of an OBD session (ObdConnection has it). */
export interface MultiPidLink {
  readonly isConnected: boolean;
  /** ELM327 protocol number: multi-PID requests exist on CAN only (6-9). */
  readonly protocolId: string;
  /** Whether to append the expected response count ("fast" mode). */
  readonly fast: boolean;
  supports(cmd: OBDCommand): boolean;
  /** Sends a raw request with a header; resolves with every ECU's message, rejects on adapter errors. */
  request(text: string, header: string): Promise<Message[]>;
  /** When the last answer arrived (a replay's recorded time); absent: now. */
  now?(): number;
}

export interface BatchResult {
  /** Responses for the commands the answer carried a value for. */
  answered: Map<OBDCommand, OBDResponse>;
  /** Commands without a value from this request: ask them alone. */
  missing: OBDCommand[];
}

const CAN_PROTOCOLS: ReadonlySet<string> = new Set(['6', '7', '8', '9']);
const SERVICE_01_ANSWER = 0x41;
/** Failed batches in a row after which a working adapter is left alone for a while. */
const FAILURES_BEFORE_PAUSE = 3;
/** How long batching rests after repeated failures before it is tried again (ms). */
const RETRY_AFTER_MS = 30_000;
/** Learned response counts kept at most (one per distinct set of PIDs). */
const MAX_LEARNED_COUNTS = 256;

/**
 * A command that can share a request: service 01, one fixed-length PID, sent with the default
 * header. "PIDs supported" bitmaps are left out: J1979 does not allow mixing them with data PIDs.
 */
export function isBatchable(cmd: OBDCommand): boolean {
  if (cmd.header !== ENGINE_HEADER || cmd.command.length !== 4 || commandMode(cmd) !== 1) return false;
  const pid = commandPid(cmd);
  return pid !== null && pid % 0x20 !== 0 && cmd.bytes > 2;
}

/** The request for several service 01 commands: "01" and each PID ("010C0D05"). */
export function batchRequestText(cmds: readonly OBDCommand[]): string {
  return '01' + cmds.map((cmd) => cmd.command.slice(2)).join('');
}

/**
 * Splits one ECU's answer into a message per PID, each shaped like the answer to that PID
 * alone (41 PID data...), frames kept. Null when the answer does not read as PID/data pairs
 * of the requested PIDs: an unknown or repeated PID, a cut-off pair, a negative answer.
 */
export function splitMessage(message: Message, byPid: ReadonlyMap<number, OBDCommand>): Map<OBDCommand, Message> | null {
  const data = message.data;
  if (data.length < 2 || data[0] !== SERVICE_01_ANSWER) return null;
  const parts = new Map<OBDCommand, Message>();
  let i = 1;
  while (i < data.length) {
    const cmd = byPid.get(data[i]);
    if (cmd === undefined || parts.has(cmd)) return null;
    const end = i + cmd.bytes - 1; // PID byte + data bytes
    if (end > data.length) return null;
    const piece = new Uint8Array(cmd.bytes);
    piece[0] = SERVICE_01_ANSWER;
    piece.set(data.subarray(i, end), 1);
    parts.set(cmd, { ...message, data: piece });
    i = end;
  }
  return parts;
}

/**
 * Splits a whole answer (every ECU's message) per command. Null when any ECU's data message is
 * not a proper multi-PID answer, since then no piece of it can be trusted. Adapter text lines
 * (no data bytes) are ignored.
 */
export function splitBatchAnswer(cmds: readonly OBDCommand[], messages: readonly Message[]): Map<OBDCommand, Message[]> | null {
  const byPid = new Map<number, OBDCommand>();
  for (const cmd of cmds) byPid.set(commandPid(cmd)!, cmd);
  const out = new Map<OBDCommand, Message[]>();
  for (const message of messages) {
    if (message.data.length === 0) continue;
    const parts = splitMessage(message, byPid);
    if (parts === null) return null;
    for (const [cmd, part] of parts) {
      const list = out.get(cmd);
      if (list) list.push(part);
      else out.set(cmd, [part]);
    }
  }
  return out;
}

/**
 * Sends batched requests for one adapter session and decides whether batching works there.
 * It never throws: a failed batch reports every command as missing.
 */
export class MultiPidBatcher {
  private current: BatchState = 'unknown';
  private failures = 0;
  private retryAt = 0;
  /** Frames each distinct request was answered with: its "fast" response count. */
  private readonly frameCounts = new Map<string, number>();

  constructor(
    private readonly link: MultiPidLink,
    private readonly logger?: Logger,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get state(): BatchState {
    return this.current;
  }

  /** Whether a batch may be sent now: a CAN protocol, and batching not found broken. */
  get enabled(): boolean {
    if (!CAN_PROTOCOLS.has(this.link.protocolId)) return false;
    if (this.current !== 'off') return true;
    // Paused after failures on an adapter where batching used to work: try again later.
    return this.retryAt > 0 && this.now() >= this.retryAt;
  }

  /** Whether `cmd` may go into a batch now. */
  accepts(cmd: OBDCommand): boolean {
    return this.enabled && isBatchable(cmd) && this.link.supports(cmd);
  }

  /** Asks 2-6 batchable commands in one request. */
  async query(cmds: readonly OBDCommand[]): Promise<BatchResult> {
    const unique = [...new Set(cmds)].slice(0, MAX_PIDS_PER_REQUEST);
    const text = batchRequestText(unique);
    const count = this.frameCounts.get(text);
    const request = this.link.fast && count !== undefined ? text + String(count) : text;
    let messages: Message[];
    try {
      messages = await this.link.request(request, ENGINE_HEADER);
    } catch (error) {
      return this.failed(unique, `the adapter refused ${text}: ${(error as Error).message}`);
    }
    const split = splitBatchAnswer(unique, messages);
    if (split === null) return this.failed(unique, `the answer to ${text} is not a multi-PID answer`);

    const time = this.link.now?.() ?? Date.now();
    const answered = new Map<OBDCommand, OBDResponse>();
    const missing: OBDCommand[] = [];
    for (const cmd of unique) {
      const pieces = split.get(cmd) ?? [];
      const decoded = pieces.length > 0 ? decodeMessages(cmd, pieces) : null;
      if (decoded) answered.set(cmd, { command: cmd, messages: pieces, value: decoded.value, unit: decoded.unit, time });
      else missing.push(cmd);
    }
    // Several values from one request is what proves the feature; one alone is what an ECU
    // that reads only the first PID sends.
    if (answered.size < Math.min(2, unique.length)) {
      return this.failed(
        unique,
        messages.length === 0 ? `no data for ${text}` : `only ${answered.size} of ${unique.length} PIDs answered ${text}`,
      );
    }
    this.succeeded(text, messages, answered.size === unique.length);
    return { answered, missing };
  }

  private succeeded(text: string, messages: readonly Message[], complete: boolean): void {
    if (this.current !== 'on') {
      this.logger?.info({ state: 'on' }, 'multi-PID requests work: the watch loop asks up to 6 PIDs per request');
    }
    this.current = 'on';
    this.failures = 0;
    this.retryAt = 0;
    if (complete && this.link.fast && !this.frameCounts.has(text)) {
      const frames = messages.reduce((n, m) => n + (m.data.length > 0 ? m.frames.length : 0), 0);
      // The ELM327 takes one hex digit; more frames than that cannot be announced.
      if (frames >= 1 && frames <= 9) {
        if (this.frameCounts.size >= MAX_LEARNED_COUNTS) this.frameCounts.clear();
        this.frameCounts.set(text, frames);
      }
    }
  }

  private failed(cmds: OBDCommand[], reason: string): BatchResult {
    if (this.current === 'unknown') {
      // Never worked on this adapter session: ask one PID at a time from now on.
      this.current = 'off';
      this.logger?.info({ reason }, `multi-PID requests not available (${reason}); asking one PID per request`);
    } else {
      this.failures += 1;
      if (this.failures >= FAILURES_BEFORE_PAUSE && this.current === 'on') {
        this.current = 'off';
        this.logger?.warn({ reason }, `multi-PID requests failing (${reason}); one PID per request for ${RETRY_AFTER_MS / 1000} s`);
      }
      if (this.current === 'off') this.retryAt = this.now() + RETRY_AFTER_MS;
    }
    return { answered: new Map(), missing: cmds };
  }
}
