import type { Logger } from 'pino';
import type { OBDCommand, OBDResponse } from '../obd/command.js';
import { failedQuery, type ObdConnection, type QueryResult } from '../obd/connection.js';
import { computeResponse, computedSources, isComputedCommand } from '../obd/computed.js';
import { ComputedWatches } from './computed-watches.js';
import { MAX_PIDS_PER_REQUEST, MultiPidBatcher, type BatchMode, type BatchResult, type MultiPidLink } from '../obd/multi-pid.js';

/** Most one-shot queries allowed to wait; past it a query is refused rather than queued without bound. */
const MAX_PENDING_QUERIES = 256;

/** What the loop needs of an OBD session; ObdConnection has all of it. */
export type SchedulerConnection = Pick<ObdConnection, 'isConnected' | 'query' | 'requestTimeoutMs'> & MultiPidLink;

/** Time and timers, injectable so tests can run the loop on a virtual clock. */
export interface SchedulerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: SchedulerClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** The loop's settings from the config (`watch.*`); omitted keys stay as they are. */
export interface SchedulerSettings {
  /** ms between passes for commands watched without a rate. */
  interval?: number;
  /** `auto`: ask up to 6 due service 01 PIDs per request when the adapter copes (CAN only). */
  batch?: BatchMode;
  /** Most requests per second the loop sends (queries included); null: as fast as the adapter answers. */
  maxRate?: number | null;
}

interface WatchEntry {
  cmd: OBDCommand;
  /** ms between polls, or null to poll on every loop pass (the reference's list form). */
  period: number | null;
  /** Among commands due together, higher goes first (and into the first batch). */
  priority: number;
  nextDue: number;
  /** Its last batch gave it no value: ask it alone next time. */
  single: boolean;
  /** When it was last answered, as a count of answers: breaks ties so due commands take turns. */
  lastPoll: number;
}

interface PendingQuery {
  cmd: OBDCommand;
  force: boolean;
  result: Promise<QueryResult>;
  resolve: (result: QueryResult) => void;
}

export type ResponseListener = (response: OBDResponse) => void;

/** What to do next: a one-shot query, watched commands that are due, or sleep until one is. */
type Step = { kind: 'query'; job: PendingQuery } | { kind: 'poll'; entries: WatchEntry[] } | { kind: 'wait'; ms: number };

/**
 * The one loop that talks to the adapter. It polls watched commands at their rates and slots
 * one-shot queries in between, so a query waits at most for the request already in flight and
 * watch/unwatch take effect on the next poll without stopping anybody (the reference stops its
 * loop for that). One request is in flight at a time, which is what an ELM327 can handle.
 *
 * Commands due at the same time go by priority, then by how overdue they are. On CAN, up to
 * six due service 01 commands share one multi-PID request (see obd/multi-pid.ts); commands
 * that are not due are never pulled forward, so every command keeps its own rate. An optional
 * cap spaces requests evenly (`watch.max_rate`), and no request holds the loop longer than the
 * adapter's timeout (twice it when a header switch goes first).
 *
 * Computed commands (obd/computed.ts) are watched through their sources: those are polled (see
 * computed-watches.ts) and each round of their readings produces the computed value.
 */
export class Scheduler {
  private connection: SchedulerConnection | null = null;
  private readonly entries = new Map<OBDCommand, WatchEntry>();
  private readonly latestResponses = new Map<OBDCommand, OBDResponse>();
  private readonly pending: PendingQuery[] = [];
  private readonly listeners = new Set<ResponseListener>();
  private streaming = false;
  private pumping = false;
  private wakeUp: (() => void) | null = null;
  private batchMode: BatchMode = 'auto';
  private batcher: MultiPidBatcher | null = null;
  /** ms between request starts under `maxRate`; 0: no cap. */
  private minSpacing = 0;
  private lastRequestAt = -Infinity;
  private answers = 0;
  /** Bus commands polled only because a watched computed command reads them. */
  private readonly held = new Set<OBDCommand>();
  private readonly computed = new ComputedWatches({
    holdSource: (cmd, rate) => this.holdSource(cmd, rate),
    releaseSource: (cmd) => {
      // A computed source keeps no poll entry, only its latest value; a bus command a client watched stays.
      if (!isComputedCommand(cmd) && !this.held.delete(cmd)) return;
      this.entries.delete(cmd);
      this.latestResponses.delete(cmd);
    },
    publish: (response, stream) => {
      this.latestResponses.set(response.command, response);
      if (stream) this.publish(response);
    },
  });

  constructor(
    private interval: number,
    private readonly logger?: Logger,
    private readonly clock: SchedulerClock = realClock,
  ) {}

  get running(): boolean {
    return this.streaming;
  }

  /** Whether multi-PID batching is in use on this session: unknown until tried, then on or off. */
  get batchState(): 'unknown' | 'on' | 'off' | 'disabled' {
    return this.batcher?.state ?? 'disabled';
  }

  /** Points the loop at a (new) adapter session; null while there is none. */
  setConnection(connection: SchedulerConnection | null): void {
    this.connection = connection;
    this.batcher = this.newBatcher();
    this.kick();
  }

  setInterval(ms: number): void {
    this.interval = ms;
    this.kick();
  }

  /** Applies `watch.*` settings; takes effect on the next request. */
  configure(settings: SchedulerSettings): void {
    if (settings.interval !== undefined) this.interval = settings.interval;
    if (settings.maxRate !== undefined) this.minSpacing = settings.maxRate && settings.maxRate > 0 ? 1000 / settings.maxRate : 0;
    if (settings.batch !== undefined && settings.batch !== this.batchMode) {
      this.batchMode = settings.batch;
      this.batcher = this.newBatcher();
    }
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

  /**
   * Watches a command: `rate` in Hz, or null to poll it on every pass. Re-watching changes the
   * rate (and the priority, when given).
   */
  watch(cmd: OBDCommand, rate: number | null = null, priority?: number): void {
    if (isComputedCommand(cmd)) {
      // Computed commands are never polled: their sources are (see computed-watches.ts).
      this.computed.watch(cmd, rate);
      this.kick();
      return;
    }
    this.held.delete(cmd);
    const period = rate === null ? null : 1000 / rate;
    const entry = this.entries.get(cmd);
    if (entry) {
      entry.period = period;
      if (priority !== undefined) entry.priority = priority;
    } else {
      // Due at once; its cadence counts from now.
      this.entries.set(cmd, { cmd, period, priority: priority ?? 0, nextDue: this.clock.now(), single: false, lastPoll: 0 });
    }
    this.kick();
  }

  unwatch(cmd: OBDCommand): void {
    if (!isComputedCommand(cmd) && this.computed.needs(cmd) && this.entries.has(cmd)) {
      // A watched computed command still reads it: it stays polled, now on the computed one's behalf.
      this.held.add(cmd);
      return;
    }
    if (isComputedCommand(cmd)) this.computed.unwatch(cmd);
    else this.entries.delete(cmd);
    this.latestResponses.delete(cmd);
  }

  /** Polls a source of a computed command at least at `rate`, without making it client-watched. */
  private holdSource(cmd: OBDCommand, rate: number | null): void {
    const period = rate === null ? null : 1000 / rate;
    const entry = this.entries.get(cmd);
    if (!entry) {
      this.held.add(cmd);
      this.entries.set(cmd, { cmd, period, priority: 0, nextDue: this.clock.now(), single: false, lastPoll: 0 });
    } else if (entry.period !== null && (period === null || period < entry.period)) {
      entry.period = period;
    }
    this.kick();
  }

  unwatchAll(): void {
    this.computed.clear();
    this.held.clear();
    this.entries.clear();
    this.latestResponses.clear();
  }

  /** Whether a client or the config watched it (a source polled for a computed command is not). */
  isWatched(cmd: OBDCommand): boolean {
    return isComputedCommand(cmd) ? this.computed.isWatched(cmd) : this.entries.has(cmd) && !this.held.has(cmd);
  }

  watched(): OBDCommand[] {
    return this.watchList().map((w) => w.cmd);
  }

  /** The watch list (as clients and the config asked) with each command's rate in Hz (null: every loop pass). */
  watchList(): Array<{ cmd: OBDCommand; rate: number | null }> {
    const polled = [...this.entries.values()].filter((e) => !this.held.has(e.cmd));
    return [...polled.map((e) => ({ cmd: e.cmd, rate: e.period === null ? null : 1000 / e.period })), ...this.computed.watchList()];
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
    if (isComputedCommand(cmd)) return this.queryComputed(cmd, force);
    const waiting = this.pending.find((p) => p.cmd === cmd && p.force === force);
    if (waiting) return waiting.result;
    if (this.pending.length >= MAX_PENDING_QUERIES) {
      return Promise.resolve(failedQuery(cmd, 'ADAPTER_ERROR', 'too many queries waiting for the adapter; try again'));
    }
    let resolve!: (result: QueryResult) => void;
    const result = new Promise<QueryResult>((r) => (resolve = r));
    this.pending.push({ cmd, force, result, resolve });
    this.kick();
    return result;
  }

  /** Queries a computed command's sources (their fresh watched value when there is one) and computes it once. */
  private async queryComputed(cmd: OBDCommand, force: boolean): Promise<QueryResult> {
    const fresh = this.streaming && !this.lowVoltagePause && this.connection?.isConnected;
    const results = await Promise.all(
      computedSources(cmd).map((source) => {
        const latest = this.latestResponses.get(source);
        return latest && fresh ? ({ response: latest } as QueryResult) : this.query(source, force);
      }),
    );
    const response = computeResponse(
      cmd,
      results.map((r) => r.response),
      false,
    );
    const failure = results.find((r) => r.failure)?.failure;
    if (response.value !== null) return { response };
    return {
      response,
      failure: failure ?? { code: 'NO_DATA', message: `${cmd.name}: no value yet (a trip figure counts while it is watched)` },
    };
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
        const step = this.nextStep();
        if (step === null) return;
        if (step.kind === 'wait') {
          await this.sleep(step.ms);
          continue;
        }
        // The bus-rate cap: re-decide after the pause, so a query that came meanwhile goes first.
        const gap = this.lastRequestAt + this.minSpacing - this.clock.now();
        if (gap > 0) {
          await this.sleep(gap);
          continue;
        }
        this.lastRequestAt = this.clock.now();
        if (step.kind === 'query') {
          const result = await this.send(step.job.cmd, step.job.force);
          this.pending.splice(this.pending.indexOf(step.job), 1);
          step.job.resolve(result);
        } else if (step.entries.length === 1) {
          await this.pollOne(step.entries[0]);
        } else {
          await this.pollBatch(step.entries);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private nextStep(): Step | null {
    const job = this.pending[0];
    if (job) return { kind: 'query', job };
    if (!this.streaming || this.lowVoltagePause || this.entries.size === 0 || !this.connection?.isConnected) return null;
    const now = this.clock.now();
    const due: WatchEntry[] = [];
    let soonest = Infinity;
    for (const entry of this.entries.values()) {
      if (entry.nextDue <= now) due.push(entry);
      else soonest = Math.min(soonest, entry.nextDue);
    }
    if (due.length === 0) return { kind: 'wait', ms: soonest - now };
    due.sort((a, b) => b.priority - a.priority || a.nextDue - b.nextDue || a.lastPoll - b.lastPoll);
    this.groupByHeader(due);
    const head = due[0];
    const batcher = this.batcher;
    if (!batcher || head.single || !batcher.accepts(head.cmd)) return { kind: 'poll', entries: [head] };
    const batch = [head];
    for (let i = 1; i < due.length && batch.length < MAX_PIDS_PER_REQUEST; i++) {
      if (!due[i].single && batcher.accepts(due[i].cmd)) batch.push(due[i]);
    }
    return { kind: 'poll', entries: batch };
  }

  private async pollOne(entry: WatchEntry): Promise<void> {
    const { response } = await this.send(entry.cmd, true);
    if (this.entries.get(entry.cmd) !== entry) return; // unwatched while in flight
    entry.single = false;
    this.deliver(entry, response);
  }

  private async pollBatch(entries: WatchEntry[]): Promise<void> {
    const result = await this.sendBatch(entries.map((e) => e.cmd));
    for (const entry of entries) {
      if (this.entries.get(entry.cmd) !== entry) continue;
      const response = result.answered.get(entry.cmd);
      // No value in the batch: it stays due and goes alone, so it gets the single request's answer.
      if (response) this.deliver(entry, response);
      else entry.single = true;
    }
  }

  private deliver(entry: WatchEntry, response: OBDResponse): void {
    entry.lastPoll = ++this.answers;
    this.reschedule(entry);
    this.latestResponses.set(entry.cmd, response);
    // A source polled only for a computed command feeds it without streaming.
    if (!this.held.has(entry.cmd)) this.publish(response);
    this.computed.feed(response);
  }

  private async send(cmd: OBDCommand, force: boolean): Promise<QueryResult> {
    const connection = this.connection;
    if (!connection) {
      return failedQuery(cmd, 'NOT_CONNECTED', 'no adapter connected');
    }
    const timedOut = (ms: number): QueryResult =>
      failedQuery(cmd, 'ADAPTER_ERROR', `${cmd.name}: no answer from the adapter within ${ms} ms`);
    try {
      return await this.withDeadline(connection, connection.query(cmd, force), timedOut);
    } catch (error) {
      // ObdConnection does not throw by contract; if it ever does, keep the loop alive.
      this.logger?.error({ err: error, command: cmd.name }, 'query failed unexpectedly');
      return failedQuery(cmd, 'ADAPTER_ERROR', String(error));
    }
  }

  private async sendBatch(cmds: OBDCommand[]): Promise<BatchResult> {
    const connection = this.connection;
    const batcher = this.batcher;
    const none: BatchResult = { answered: new Map(), missing: cmds };
    if (!connection || !batcher) return none;
    try {
      return await this.withDeadline(connection, batcher.query(cmds), () => none);
    } catch (error) {
      this.logger?.error({ err: error }, 'multi-PID query failed unexpectedly');
      return none;
    }
  }

  /**
   * The driver already times out each request; this is the loop's own guarantee that a request
   * never holds it longer than that (twice the timeout: a header switch may go first).
   */
  private withDeadline<T>(connection: SchedulerConnection, work: Promise<T>, onTimeout: (ms: number) => T): Promise<T> {
    const ms = 2 * connection.requestTimeoutMs;
    if (!(ms > 0 && Number.isFinite(ms))) return work;
    return new Promise<T>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.logger?.warn({ ms }, 'a request outlived its timeout; the loop moves on');
        resolve(onTimeout(ms));
      }, ms);
      work.then(
        (value) => {
          this.clock.clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          this.clock.clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  private newBatcher(): MultiPidBatcher | null {
    if (!this.connection || this.batchMode === 'off') return null;
    return new MultiPidBatcher(this.connection, this.logger, () => this.clock.now());
  }

  private reschedule(entry: WatchEntry): void {
    const now = this.clock.now();
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
      const timer = this.clock.setTimeout(() => {
        this.wakeUp = null;
        resolve();
      }, ms);
      this.wakeUp = () => {
        this.clock.clearTimeout(timer);
        resolve();
      };
    });
  }

  // ---- header grouping: requests to one ECU header go out together, because every header
  // change costs an extra ATSH round trip; then the loop moves on to the next header. Without
  // it, commands of two ECUs watched side by side alternate and each request pays for an ATSH.

  /** false: plain due order (to measure what grouping saves). */
  groupHeaders = true;
  /**
   * The entries still to send in the current group (due, with its header, when it began), each
   * with the nextDue it had then: one polled since (in a batch, say) has moved on and is out.
   */
  private headerGroup = new Map<WatchEntry, number>();

  /**
   * Reorders `due` (sorted) so that a member of the group in progress goes first; when none is
   * left, the head of `due` begins a new group with every due entry of the same header and
   * priority. An entry due again after its group began waits for its header's next turn, so no
   * header starves another and no rate is pulled forward.
   */
  private groupByHeader(due: WatchEntry[]): void {
    if (!this.groupHeaders || due.length === 0) return;
    const top = due[0].priority;
    const index = due.findIndex((e) => e.priority === top && this.headerGroup.get(e) === e.nextDue);
    if (index >= 0) {
      const [next] = due.splice(index, 1);
      due.unshift(next);
      this.headerGroup.delete(next);
      return;
    }
    const header = due[0].cmd.header;
    this.headerGroup = new Map(
      due
        .slice(1)
        .filter((e) => e.priority === top && e.cmd.header === header)
        .map((e) => [e, e.nextDue]),
    );
  }

  // ---- low-voltage pause (set by AdapterManager; start/stop stay the clients').
  private lowVoltagePause = false;

  /** Pauses (or resumes) streaming while the car's battery is low; one-shot queries still run. */
  setPaused(paused: boolean): void {
    this.lowVoltagePause = paused;
    this.kick();
  }

  get paused(): boolean {
    return this.lowVoltagePause;
  }
}
