/**
 * `log:` — the drive log part. Values of the logged commands become rows (rows.ts); the rows go
 * to the current drive's CSV file (drive-files.ts, when `log.csv` is set) and to the recent
 * rows in memory (recent.ts, for GET /log/recent.csv); drive-tracker.ts says when drives start
 * and end. The latest value of each command is kept for the obdio_value gauges (log.prometheus).
 *
 * A part like the others: start(), apply(previous, next), stop(), stats(); the gateway also
 * hands it every adapter it creates (watchAdapter) and serves its recent rows.
 */
import type { Logger } from 'pino';
import type { LogSpec, Spec } from '../../config/spec.js';
import type { Part, PartMetric } from '../../config/part.js';
import type { OBDResponse } from '../../obd/command.js';
import { toDisplayUnits } from '../../obd/units.js';
import type { ObdService } from '../../api/obd-service.js';
import { csvHeader, csvRow, type Row } from './csv.js';
import { DriveFiles } from './drive-files.js';
import { DriveTracker, type CarLink } from './drive-tracker.js';
import { wallClock, type Clock } from '../../time/clock.js';
import { MAX_RECENT_ROWS, RecentRows } from './recent.js';
import { RowBuilder } from './rows.js';

export interface DriveLogDeps {
  service: ObdService;
  logger?: Logger;
  clock?: Clock;
}

/** What the adapter supervisor offers (AdapterManager has it). */
export interface CarLinkSource {
  snapshot(): CarLink;
  onChange(listener: (snapshot: CarLink) => void): () => void;
}

export interface DriveLogStats {
  driving: boolean;
  /** Drives started since the gateway started. */
  drives: number;
  /** The CSV file being written, or null. */
  file: string | null;
  files: number;
  /** Rows written to files, and dropped (slow or failing disk). */
  rows: number;
  dropped: number;
  recent_rows: number;
  /** The latest numeric value of each logged command, when log.prometheus is on; else null. */
  values: Array<{ command: string; unit: string; value: number }> | null;
}

export class DriveLog implements Part {
  readonly name = 'log';
  private spec: LogSpec;
  private units: Spec['units'];
  private rows: RowBuilder;
  private readonly files: DriveFiles;
  private readonly recent: RecentRows;
  private readonly tracker: DriveTracker;
  private readonly latest = new Map<string, { value: number; unit: string }>();
  private readonly clock: Clock;
  private stopResponses: (() => void) | null = null;
  private stopLink: (() => void) | null = null;

  constructor(
    spec: Spec,
    private readonly deps: DriveLogDeps,
  ) {
    this.spec = spec.log;
    this.units = spec.units;
    this.clock = deps.clock ?? wallClock;
    this.rows = this.rowBuilder(spec);
    this.files = new DriveFiles(filesOptions(spec.log), deps.logger, () => this.clock.now());
    this.recent = new RecentRows(recentCapacity(spec.log));
    this.tracker = new DriveTracker(
      spec.log.grace,
      {
        started: (t) => {
          this.files.startDrive(t);
          this.deps.logger?.info({ start: new Date(t).toISOString() }, 'drive started');
        },
        ended: (t) => {
          this.rows.flush();
          this.files.endDrive();
          this.deps.logger?.info({ end: new Date(t).toISOString() }, 'drive ended');
        },
      },
      this.clock,
    );
  }

  start(): void {
    this.stopResponses ??= this.deps.service.scheduler.onResponse((response) => this.take(response));
  }

  /** Follows an adapter supervisor (again after a config change replaced it). */
  watchAdapter(adapter: CarLinkSource): void {
    this.stopLink?.();
    this.tracker.link(adapter.snapshot());
    this.stopLink = adapter.onChange((snapshot) => this.tracker.link(snapshot));
  }

  async apply(previous: Spec, next: Spec): Promise<'applied' | 'restart'> {
    const columnsBefore = columnsOf(previous);
    const columns = columnsOf(next);
    if (columns.join() !== columnsBefore.join() || previous.units !== next.units || next.log.every !== previous.log.every) {
      // A file's header names its columns and units: other ones go on in a new part.
      this.rows.flush();
      this.rows = this.rowBuilder(next);
      this.files.newPart();
      for (const name of this.latest.keys()) if (!columns.includes(name)) this.latest.delete(name);
    }
    this.spec = next.log;
    this.units = next.units;
    this.files.setOptions(filesOptions(next.log));
    this.recent.setCapacity(recentCapacity(next.log));
    this.tracker.setGrace(next.log.grace);
    if (!next.log.prometheus) this.latest.clear();
    return 'applied';
  }

  /** Ends the current drive and waits until its file is on disk. */
  async stop(): Promise<void> {
    this.stopResponses?.();
    this.stopResponses = null;
    this.stopLink?.();
    this.stopLink = null;
    this.tracker.end();
    await this.files.stop();
  }

  metrics(): PartMetric[] {
    const stats = this.stats();
    const values: PartMetric[] = (stats.values ?? []).map(({ command, unit, value }) => ({
      name: 'obdio_value',
      help: 'Latest value of each logged command (log.prometheus)',
      type: 'gauge',
      value,
      labels: { command, unit },
    }));
    return [
      { name: 'obdio_drive_log_driving', help: '1 during a drive (the car answers)', type: 'gauge', value: stats.driving ? 1 : 0 },
      { name: 'obdio_drive_log_drives_total', help: 'Drives started (the car answered)', type: 'counter', value: stats.drives },
      { name: 'obdio_drive_log_rows_total', help: 'Rows written to drive CSV files', type: 'counter', value: stats.rows },
      {
        name: 'obdio_drive_log_dropped_total',
        help: 'Drive log rows dropped (disk too slow or not writable)',
        type: 'counter',
        value: stats.dropped,
      },
      // Off (log.prometheus: false): no samples at all, so Grafana users opt in.
      ...values,
    ];
  }

  stats(): DriveLogStats {
    const files = this.files.stats;
    return {
      driving: this.tracker.driving,
      drives: this.tracker.drives,
      file: files.file,
      files: files.files,
      rows: files.rows,
      dropped: files.dropped,
      recent_rows: this.recent.size,
      values: this.spec.prometheus ? [...this.latest].map(([command, { value, unit }]) => ({ command, unit, value })) : null,
    };
  }

  /** The rows of the last `minutes` (all that is kept when null) as CSV, under the current columns. */
  recentCsv(minutes: number | null): string {
    const since = minutes === null ? 0 : this.clock.now() - minutes * 60_000;
    return this.recent.csv(since, this.rows.columns, this.rows.units);
  }

  private take(raw: OBDResponse): void {
    const name = raw.command.name;
    if (!this.rows.has(name)) return;
    const response = toDisplayUnits(raw, this.units);
    this.rows.push(name, response.value, response.unit, response.time);
    // The adapter's own readings (ELM_VOLTAGE) answer with the ignition off: they say nothing of the car.
    if (!name.startsWith('ELM_')) this.tracker.value(response.value !== null);
    if (!this.spec.prometheus) return;
    if (typeof response.value === 'number' && Number.isFinite(response.value))
      this.latest.set(name, { value: response.value, unit: response.unit ?? '' });
    else this.latest.delete(name);
  }

  private rowBuilder(spec: Spec): RowBuilder {
    const builder: RowBuilder = new RowBuilder(columnsOf(spec), spec.log.every, (row: Row) => {
      this.recent.add(row, builder.columns);
      if (this.spec.csv !== null) this.files.write(csvRow(row), () => csvHeader(builder.columns, builder.units));
    });
    return builder;
  }
}

/** The logged commands: log.commands, else the config's watch list. */
export function columnsOf(spec: Spec): string[] {
  return spec.log.commands ?? Object.keys(spec.watch.commands);
}

function filesOptions(log: LogSpec): { dir: string; keep: number; rotate: number } {
  return { dir: log.csv ?? '', keep: log.keep, rotate: log.rotate };
}

function recentCapacity(log: LogSpec): number {
  return Math.min(MAX_RECENT_ROWS, Math.ceil(log.recent / log.every));
}
