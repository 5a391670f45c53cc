/**
 * `record:` — writes every request to the adapter and its reply, with timestamps, to JSON-lines
 * files (format: src/transport/recording.ts), and optionally every decoded value. A file is
 * started on the first exchange, a new one when it reaches `rotate` bytes; past `keep` files the
 * oldest are deleted. `connection.port: replay:<file or folder>` plays them back.
 *
 * Nothing is recorded while the adapter is itself a replay.
 *
 * Recording never gets in the adapter's way: lines are appended to a stream; when the disk
 * cannot keep up (more than a few MB waiting) lines are dropped and counted rather than held,
 * and a write error stops the file (logged) until the next one can be opened.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import type { Logger } from 'pino';
import type { RecordSpec, Spec } from '../config/spec.js';
import type { OBDResponse } from '../obd/command.js';
import { RECORDING_VERSION } from '../transport/recording.js';
import type { TransportTaps } from '../transport/tap.js';
import type { ObdService } from '../api/obd-service.js';
import { exchangeObserver, type Exchange } from './exchanges.js';
import { deleteOldest, freeFileName } from './rotation.js';

export interface RecorderDeps {
  /** The gateway's transport taps (every adapter link it opens is wrapped by them). */
  taps: TransportTaps;
  /** Where decoded values come from (record.decoded). */
  service?: ObdService;
  logger?: Logger;
  /** Clock in ms since the epoch (Date.now by default). */
  now?: () => number;
}

export interface RecorderStats {
  /** The file being written, or null between files. */
  file: string | null;
  files: number;
  lines: number;
  /** Lines dropped because the disk did not keep up or the file could not be written. */
  dropped: number;
}

/** Waiting bytes past which lines are dropped instead of queued in memory. */
const MAX_PENDING_BYTES = 8 * 1024 * 1024;
/** After a write error, wait this long before opening another file. */
const RETRY_AFTER_MS = 10_000;
const FILE_NAME = /^obdio-\d{8}-\d{6}-\d{3}\.jsonl$/;

export class Recorder {
  private spec: RecordSpec | null = null;
  private removeTap: (() => void) | null = null;
  private stopDecoded: (() => void) | null = null;
  private stream: WriteStream | null = null;
  private streamFile: string | null = null;
  private bytes = 0;
  private failedUntil = 0;
  private port = '';
  private readonly counts = { files: 0, lines: 0, dropped: 0 };
  private readonly now: () => number;
  /** File closes and clean-ups still running; stop() waits for them. */
  private readonly closing = new Set<Promise<void>>();
  private pruning: Promise<void> = Promise.resolve();

  private constructor(private readonly deps: RecorderDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Starts recording when `spec.record` is set; otherwise the recorder waits for an apply() that sets it. */
  static async start(spec: Spec, deps: RecorderDeps): Promise<Recorder> {
    const recorder = new Recorder(deps);
    await recorder.apply(spec);
    return recorder;
  }

  get stats(): RecorderStats {
    return { file: this.streamFile, ...this.counts };
  }

  /** Applies a (reloaded) spec: turns recording on or off, moves to a new folder, new limits. */
  async apply(next: Spec): Promise<void> {
    const spec = next.record;
    if (spec === null) return this.stop();
    const movedDir = this.spec !== null && this.spec.dir !== spec.dir;
    this.spec = spec;
    this.removeTap ??= this.deps.taps.add({
      attach: (port) => {
        // A replay is a recording already; recording it again would only fill (and rotate away) the folder.
        if (port.startsWith('replay:')) {
          this.deps.logger?.info(`not recording while playing ${port}`);
          return {};
        }
        this.port = port;
        return exchangeObserver((exchange) => this.writeExchange(exchange), this.now);
      },
    });
    if (spec.decoded && !this.stopDecoded && this.deps.service) {
      this.stopDecoded = this.deps.service.scheduler.onResponse((response) => this.writeValue(response));
    } else if (!spec.decoded && this.stopDecoded) {
      this.stopDecoded();
      this.stopDecoded = null;
    }
    if (movedDir) this.closeFile();
    this.failedUntil = 0;
  }

  /** Stops recording; resolves when everything written so far is on disk. */
  async stop(): Promise<void> {
    this.spec = null;
    this.removeTap?.();
    this.removeTap = null;
    this.stopDecoded?.();
    this.stopDecoded = null;
    this.closeFile();
    await Promise.all(this.closing);
  }

  private writeExchange(exchange: Exchange): void {
    const line: Record<string, unknown> = { t: exchange.t, ms: exchange.ms, req: exchange.req, res: exchange.res };
    if (!exchange.prompt) line.prompt = false;
    this.write(line);
  }

  private writeValue(response: OBDResponse): void {
    if (this.deps.service?.portName.startsWith('replay:')) return;
    this.write({ t: response.time, value: { command: response.command.name, value: response.value, unit: response.unit } });
  }

  private write(value: Record<string, unknown>): void {
    const spec = this.spec;
    if (spec === null) return;
    let text: string;
    try {
      text = JSON.stringify(value) + '\n';
    } catch {
      this.counts.dropped++;
      return;
    }
    const stream = this.stream ?? this.openFile(spec);
    if (stream === null || stream.writableLength > MAX_PENDING_BYTES) {
      this.counts.dropped++;
      return;
    }
    stream.write(text);
    this.bytes += Buffer.byteLength(text);
    this.counts.lines++;
    if (spec.rotate > 0 && this.bytes >= spec.rotate) this.closeFile();
  }

  private openFile(spec: RecordSpec): WriteStream | null {
    if (this.now() < this.failedUntil) return null;
    const file = this.nextFileName(spec.dir);
    try {
      mkdirSync(spec.dir, { recursive: true });
    } catch (error) {
      this.fail(error, spec.dir);
      return null;
    }
    const stream = createWriteStream(file, { flags: 'wx' });
    stream.on('error', (error) => {
      if (this.stream === stream) {
        this.stream = null;
        this.streamFile = null;
      }
      this.fail(error, file);
    });
    this.stream = stream;
    this.streamFile = file;
    this.counts.files++;
    const header = JSON.stringify({ recording: 'obdio', version: RECORDING_VERSION, t: this.now(), port: this.port }) + '\n';
    stream.write(header);
    this.bytes = Buffer.byteLength(header);
    this.deps.logger?.info({ file }, `recording the adapter to ${file}`);
    if (spec.keep > 0) {
      // One clean-up at a time, in order; stop() waits for the last.
      const pruned = this.pruning.then(() => this.prune(spec.dir, spec.keep, file));
      this.pruning = pruned;
      this.track(pruned);
    }
    return stream;
  }

  private closeFile(): void {
    const stream = this.stream;
    if (stream === null) return;
    this.stream = null;
    this.streamFile = null;
    const closed = new Promise<void>((resolve) => {
      stream.once('close', () => resolve());
      stream.end();
    });
    this.track(closed);
  }

  private track(work: Promise<void>): void {
    this.closing.add(work);
    void work.then(() => this.closing.delete(work));
  }

  /**
   * obdio-YYYYMMDD-HHMMSS-mmm.jsonl in UTC: fixed width, so name order is time order (a replay of
   * the folder plays them in it).
   */
  private nextFileName(dir: string): string {
    return freeFileName(dir, this.now(), (t) => {
      const stamp = new Date(t).toISOString().replace(/[-:]/g, '').replace('T', '-').replace('.', '-').slice(0, 19);
      return `obdio-${stamp}.jsonl`;
    });
  }

  /** Deletes the oldest recordings past `keep` (the current one always stays). */
  private async prune(dir: string, keep: number, current: string): Promise<void> {
    try {
      await deleteOldest(dir, keep, FILE_NAME, current);
    } catch (error) {
      this.deps.logger?.warn({ err: error, dir }, `cannot clean up old recordings in ${dir}`);
    }
  }

  private fail(error: unknown, path: string): void {
    this.failedUntil = this.now() + RETRY_AFTER_MS;
    this.deps.logger?.error({ err: error, path }, `cannot write ${path}: ${(error as Error).message}; trying again in ${RETRY_AFTER_MS / 1000} s`);
  }
}
