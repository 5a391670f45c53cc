/**
 * `record:` — writes every request to the adapter and its reply, with timestamps, to JSON-lines
 * files (format: src/transport/recording.ts), and optionally every decoded value. A file is
 * started on the first exchange, a new one when it reaches `rotate` bytes; past `keep` files the
 * oldest are deleted. `connection.port: replay:<file or folder>` plays them back.
 *
 * Nothing is recorded while the adapter is itself a replay.
 *
 * Recording never gets in the adapter's way (RotatingFile): when the disk cannot keep up (more
 * than a few MB waiting) lines are dropped and counted rather than held, and a write error stops
 * the file (logged) until the next one can be opened.
 */
import type { Logger } from 'pino';
import type { RecordSpec, Spec } from '../config/spec.js';
import type { ApplyResult, Part, PartMetric } from '../config/part.js';
import type { OBDResponse } from '../obd/command.js';
import { RECORDING_VERSION } from '../transport/recording.js';
import type { TransportTaps } from '../transport/tap.js';
import type { ObdService } from '../api/obd-service.js';
import { exchangeObserver, type Exchange } from '../transport/exchanges.js';
import { touches } from '../config/diff.js';
import { RotatingFile } from './rotating-file.js';
import { freeFileName } from './rotation.js';

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

const FILE_NAME = /^obdio-\d{8}-\d{6}-\d{3}\.jsonl$/;
/** Waiting bytes past which lines are dropped instead of queued in memory. */
const MAX_PENDING_BYTES = 8 * 1024 * 1024;

export class Recorder implements Part {
  readonly name = 'record';
  private spec: RecordSpec | null = null;
  private removeTap: (() => void) | null = null;
  private stopDecoded: (() => void) | null = null;
  /** Made with the first spec that records; kept (with its counts) when recording is turned off. */
  private files: RotatingFile | null = null;
  private port = '';
  private readonly now: () => number;

  constructor(private readonly deps: RecorderDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Starts recording when `spec.record` is set; otherwise the recorder waits for an apply() that sets it. */
  static async start(spec: Spec, deps: RecorderDeps): Promise<Recorder> {
    const recorder = new Recorder(deps);
    await recorder.start(spec);
    return recorder;
  }

  async start(spec: Spec): Promise<void> {
    await this.use(spec.record);
  }

  async apply(previous: Spec, next: Spec): Promise<ApplyResult> {
    if (touches(previous, next, 'record')) await this.use(next.record);
    return 'applied';
  }

  metrics(): PartMetric[] {
    return [
      { name: 'obdio_record_lines_total', help: 'Lines written to recordings', type: 'counter', value: this.stats.lines },
      {
        name: 'obdio_record_dropped_total',
        help: 'Recording lines dropped (disk too slow or not writable)',
        type: 'counter',
        value: this.stats.dropped,
      },
    ];
  }

  get stats(): RecorderStats {
    return { file: this.files?.file ?? null, ...(this.files?.counts ?? { files: 0, lines: 0, dropped: 0 }) };
  }

  /** Turns recording on or off, moves to a new folder, new limits. */
  private async use(spec: RecordSpec | null): Promise<void> {
    if (spec === null) return this.stop();
    this.spec = spec;
    const options = { dir: spec.dir, rotate: spec.rotate, keep: spec.keep };
    this.files ??= new RotatingFile(
      { pattern: FILE_NAME, label: 'recording', lines: 'lines', maxPendingBytes: MAX_PENDING_BYTES },
      options,
      this.deps.logger,
      this.now,
    );
    this.files.setOptions(options);
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
  }

  /** Stops recording; resolves when everything written so far is on disk. */
  async stop(): Promise<void> {
    this.spec = null;
    this.removeTap?.();
    this.removeTap = null;
    this.stopDecoded?.();
    this.stopDecoded = null;
    await this.files?.stop();
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
    if (this.spec === null || this.files === null) return;
    let text: string;
    try {
      text = JSON.stringify(value) + '\n';
    } catch {
      this.files.counts.dropped++;
      return;
    }
    this.files.write(
      text,
      (dir) => this.nextFileName(dir),
      () => JSON.stringify({ recording: 'obdio', version: RECORDING_VERSION, t: this.now(), port: this.port }) + '\n',
    );
  }

  /**
   * obdio-YYYYMMDD-HHMMSS-mmm.jsonl in UTC: fixed width, so name order is time order (a replay of
   * the folder plays them in it).
   */
  private nextFileName(dir: string): string {
    return freeFileName(
      dir,
      this.now(),
      (t) => {
        const stamp = new Date(t).toISOString().replace(/[-:]/g, '').replace('T', '-').replace('.', '-').slice(0, 19);
        return `obdio-${stamp}.jsonl`;
      },
      FILE_NAME,
    );
  }
}
