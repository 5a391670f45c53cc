import type { Logger } from 'pino';
import type { OBDCommand, OBDResponse } from '../obd/command.js';
import { nullResponse, type ObdConnection, type QueryResult } from '../obd/connection.js';

/** Most one-shot queries allowed to wait; past it a query is refused rather than queued without bound. */
const MAX_PENDING_QUERIES = 256;

interface WatchEntry {
  cmd: OBDCommand;
  /** ms between polls, or null to poll on every loop pass (the reference's list form). */
  period: number | null;
  nextDue: number;
}

interface PendingQuery {
  cmd: OBDCommand;
  force: boolean;
  result: Promise<QueryResult>;
  resolve: (result: QueryResult) => void;
}

export type ResponseListener = (response: OBDResponse) => void;

/**
 * The one loop that talks to the adapter. It polls watched commands at their rates and slots
 * one-shot queries in between, so a query waits at most for the request already in flight and
 * watch/unwatch take effect on the next poll without stopping anybody (the reference stops its
 * loop for that). One request is in flight at a time, which is what an ELM327 can handle.
 */
export class Scheduler {
  private connection: ObdConnection | null = null;
  private readonly entries = new Map<OBDCommand, WatchEntry>();
  private readonly latestResponses = new Map<OBDCommand, OBDResponse>();
  private readonly pending: PendingQuery[] = [];
  private readonly listeners = new Set<ResponseListener>();
  private streaming = false;
  private pumping = false;
  private wakeUp: (() => void) | null = null;

  constructor(
    private interval: number,
    private readonly logger?: Logger,
  ) {}

  get running(): boolean {
    return this.streaming;
  }

  /** Points the loop at a (new) adapter session; null while there is none. */
  setConnection(connection: ObdConnection | null): void {
    this.connection = connection;
    this.kick();
  }

  setInterval(ms: number): void {
    this.interval = ms;
    this.kick();
  }

  /** Starts streaming the watched commands (the reference's `start`). */
  start(): void {
    this.streaming = true;
    this.kick();
  }

  /** Stops streaming; one-shot queries still work (the reference's `stop`). */
  stop(): void {
    this.streaming = false;
    this.kick();
  }

  /** Watches a command: `rate` in Hz, or null to poll it on every pass. Re-watching changes the rate. */
  watch(cmd: OBDCommand, rate: number | null = null): void {
    const period = rate === null ? null : 1000 / rate;
    const entry = this.entries.get(cmd);
    if (entry) entry.period = period;
    else this.entries.set(cmd, { cmd, period, nextDue: 0 });
    this.kick();
  }

  unwatch(cmd: OBDCommand): void {
    this.entries.delete(cmd);
    this.latestResponses.delete(cmd);
  }

  unwatchAll(): void {
    this.entries.clear();
    this.latestResponses.clear();
  }

  isWatched(cmd: OBDCommand): boolean {
    return this.entries.has(cmd);
  }

  watched(): OBDCommand[] {
    return [...this.entries.keys()];
  }

  /** The watch list with each command's rate in Hz (null: every loop pass). */
  watchList(): Array<{ cmd: OBDCommand; rate: number | null }> {
    return [...this.entries.values()].map((e) => ({ cmd: e.cmd, rate: e.period === null ? null : 1000 / e.period }));
  }

  /** The latest response of a watched command (what the reference's Async.query returns). */
  latest(cmd: OBDCommand): OBDResponse | undefined {
    return this.latestResponses.get(cmd);
  }

  onResponse(listener: ResponseListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Queries a command once, ahead of the watch loop. Concurrent queries of the same command
   * share one bus request, so a hundred clients asking for RPM cost one request.
   */
  query(cmd: OBDCommand, force = false): Promise<QueryResult> {
    const waiting = this.pending.find((p) => p.cmd === cmd && p.force === force);
    if (waiting) return waiting.result;
    if (this.pending.length >= MAX_PENDING_QUERIES) {
      return Promise.resolve({
        response: nullResponse(cmd),
        failure: { code: 'ADAPTER_ERROR', message: 'too many queries waiting for the adapter; try again' },
      });
    }
    let resolve!: (result: QueryResult) => void;
    const result = new Promise<QueryResult>((r) => (resolve = r));
    this.pending.push({ cmd, force, result, resolve });
    this.kick();
    return result;
  }

  /** Ensures the loop runs; wakes it if it sleeps until the next due poll. */
  private kick(): void {
    if (this.wakeUp) {
      const wake = this.wakeUp;
      this.wakeUp = null;
      wake();
    }
    if (!this.pumping) void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      for (;;) {
        const job = this.pending[0];
        if (job) {
          const result = await this.send(job.cmd, job.force);
          this.pending.shift();
          job.resolve(result);
          continue;
        }
        const connection = this.connection;
        if (!this.streaming || this.entries.size === 0 || !connection?.isConnected) return;
        const entry = this.nextEntry();
        const wait = entry.nextDue - performance.now();
        if (wait > 0) {
          await this.sleep(wait);
          continue;
        }
        const { response } = await this.send(entry.cmd, true);
        if (this.entries.get(entry.cmd) !== entry) continue; // unwatched while in flight
        this.reschedule(entry);
        this.latestResponses.set(entry.cmd, response);
        this.publish(response);
      }
    } finally {
      this.pumping = false;
    }
  }

  private async send(cmd: OBDCommand, force: boolean): Promise<QueryResult> {
    const connection = this.connection;
    if (!connection) {
      return { response: nullResponse(cmd), failure: { code: 'NOT_CONNECTED', message: 'no adapter connected' } };
    }
    try {
      return await connection.query(cmd, force);
    } catch (error) {
      // ObdConnection does not throw by contract; if it ever does, keep the loop alive.
      this.logger?.error({ err: error, command: cmd.name }, 'query failed unexpectedly');
      return { response: nullResponse(cmd), failure: { code: 'ADAPTER_ERROR', message: String(error) } };
    }
  }

  private nextEntry(): WatchEntry {
    let best: WatchEntry | undefined;
    for (const entry of this.entries.values()) if (!best || entry.nextDue < best.nextDue) best = entry;
    return best!;
  }

  private reschedule(entry: WatchEntry): void {
    const now = performance.now();
    if (entry.period === null) {
      entry.nextDue = now + this.interval;
    } else {
      // Keep the cadence, but never try to catch up a backlog after a stall.
      entry.nextDue = Math.max(entry.nextDue + entry.period, now);
    }
  }

  private publish(response: OBDResponse): void {
    for (const listener of this.listeners) {
      try {
        listener(response);
      } catch (error) {
        this.logger?.error({ err: error, command: response.command.name }, 'watch listener failed');
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = null;
        resolve();
      }, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
