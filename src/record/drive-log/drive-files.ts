/**
 * The CSV files of the drives in one folder: drive-<UTC start>.csv, opened with the drive's
 * first row, closed when it ends. A file that reaches `rotate` bytes is continued in
 * drive-<start>.part2.csv, ... (header repeated); past `keep` files the oldest are deleted.
 * Slow and full disks are handled by RotatingFile: rows are dropped and counted, never queued
 * without bound, with one clear log line.
 */
import type { Logger } from 'pino';
import { RotatingFile, type OpenFile, type RotatingFileOptions } from '../rotating-file.js';
import { freeFileName } from '../rotation.js';

export interface DriveFilesStats {
  /** The file being written, or null. */
  file: string | null;
  files: number;
  rows: number;
  dropped: number;
}

/** drive-2026-12-08T07-30-00.000Z.csv and its parts drive-...Z.part2.csv: name order is time order. */
export const DRIVE_FILE = /^drive-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z(\.part\d+)?\.csv$/;

export function driveFileName(start: number, part: number): string {
  const stamp = new Date(start).toISOString().replace(/:/g, '-');
  return part <= 1 ? `drive-${stamp}.csv` : `drive-${stamp}.part${part}.csv`;
}

/** Rows waiting for the disk past which new ones are dropped: minutes of rows. */
const MAX_PENDING_BYTES = 512 * 1024;

export class DriveFiles {
  private readonly files: RotatingFile;
  private driveStart: number | null = null;
  private part = 0;

  constructor(options: RotatingFileOptions, logger: Logger | undefined, now: () => number = Date.now, open?: OpenFile) {
    this.files = new RotatingFile(
      { pattern: DRIVE_FILE, label: 'drive log', lines: 'rows', maxPendingBytes: MAX_PENDING_BYTES },
      options,
      logger,
      now,
      open,
    );
  }

  get stats(): DriveFilesStats {
    const { files, lines, dropped } = this.files.counts;
    return { file: this.files.file, files, rows: lines, dropped };
  }

  /** New limits or folder; a new folder takes effect with the next row. */
  setOptions(options: RotatingFileOptions): void {
    this.files.setOptions(options);
  }

  startDrive(t: number): void {
    this.files.close();
    this.driveStart = t;
    this.part = 0;
  }

  endDrive(): void {
    this.files.close();
    this.driveStart = null;
  }

  /** The columns changed mid-drive: the rows go on in a new part with its own header. */
  newPart(): void {
    this.files.close();
  }

  /** Appends a row to the drive's file (opened, with `header()`, on the first row); no drive, no row. */
  write(line: string, header: () => string): void {
    const start = this.driveStart;
    if (start === null) return;
    this.files.write(line, (dir) => this.nextPart(dir, start), header);
  }

  async stop(): Promise<void> {
    this.endDrive();
    await this.files.stop();
  }

  private nextPart(dir: string, start: number): string {
    this.part++;
    return freeFileName(dir, start, (t) => driveFileName(t, this.part), DRIVE_FILE);
  }
}
