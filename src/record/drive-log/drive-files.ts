/**
 * The CSV files of the drives in one folder: drive-<UTC start>.csv, opened with the drive's
 * first row, closed when it ends. A file that reaches `rotate` bytes is continued in
 * drive-<start>.part2.csv, ... (header repeated); past `keep` files the oldest are deleted.
 *
 * Writing never holds up the values: rows go to a write stream; when more than a few hundred
 * kB are waiting (the disk is slow) rows are dropped and counted. A write error (full disk,
 * folder gone) closes the file with one clear log line, rows are dropped meanwhile, and the
 * next row after RETRY_AFTER_MS opens a new part.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { deleteOldest, freeFileName } from '../rotation.js';

export interface DriveFilesOptions {
  /** Absolute folder. */
  dir: string;
  /** Most files kept; 0 = all. */
  keep: number;
  /** Bytes after which a new part starts; 0 = never. */
  rotate: number;
}

/** Opens a new file for writing (a file stream; tests hand in a disk that fills up). */
export type OpenFile = (file: string) => Writable;

const openNewFile: OpenFile = (file) => createWriteStream(file, { flags: 'wx' });

export interface DriveFilesStats {
  /** The file being written, or null. */
  file: string | null;
  files: number;
  rows: number;
  dropped: number;
}

const MAX_PENDING_BYTES = 512 * 1024;
const RETRY_AFTER_MS = 10_000;
/** drive-2026-12-08T07-30-00.000Z.csv and its parts drive-...Z.part2.csv: name order is time order. */
export const DRIVE_FILE = /^drive-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z(\.part\d+)?\.csv$/;

export function driveFileName(start: number, part: number): string {
  const stamp = new Date(start).toISOString().replace(/:/g, '-');
  return part <= 1 ? `drive-${stamp}.csv` : `drive-${stamp}.part${part}.csv`;
}

export class DriveFiles {
  private stream: Writable | null = null;
  private streamFile: string | null = null;
  private bytes = 0;
  private driveStart: number | null = null;
  private part = 0;
  private failedUntil = 0;
  private readonly counts = { files: 0, rows: 0, dropped: 0 };
  private readonly pending = new Set<Promise<void>>();
  private pruning: Promise<void> = Promise.resolve();

  constructor(
    private options: DriveFilesOptions,
    private readonly logger: Logger | undefined,
    private readonly now: () => number = Date.now,
    private readonly open: OpenFile = openNewFile,
  ) {}

  get stats(): DriveFilesStats {
    return { file: this.streamFile, ...this.counts };
  }

  /** New limits or folder; a new folder takes effect with the next file. */
  setOptions(options: DriveFilesOptions): void {
    if (options.dir !== this.options.dir) this.closeFile();
    this.options = options;
    this.failedUntil = 0;
  }

  startDrive(t: number): void {
    this.closeFile();
    this.driveStart = t;
    this.part = 0;
  }

  endDrive(): void {
    this.closeFile();
    this.driveStart = null;
  }

  /** The columns changed mid-drive: the rows go on in a new part with its own header. */
  newPart(): void {
    this.closeFile();
  }

  /** Appends a row to the drive's file (opened, with `header()`, on the first row). */
  write(line: string, header: () => string): void {
    if (this.driveStart === null) return;
    const stream = this.stream ?? this.openFile(header());
    if (stream === null || stream.writableLength > MAX_PENDING_BYTES) {
      this.counts.dropped++;
      return;
    }
    stream.write(line);
    this.bytes += Buffer.byteLength(line);
    this.counts.rows++;
    if (this.options.rotate > 0 && this.bytes >= this.options.rotate) this.closeFile();
  }

  /** Resolves when everything written is on disk and old files are deleted. */
  async stop(): Promise<void> {
    this.endDrive();
    await Promise.all(this.pending);
  }

  private openFile(header: string): Writable | null {
    if (this.now() < this.failedUntil || this.driveStart === null) return null;
    const { dir, keep } = this.options;
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      this.fail(error, dir);
      return null;
    }
    this.part++;
    const start = this.driveStart;
    const file = freeFileName(dir, 0, (n) => driveFileName(start + n, this.part));
    const stream = this.open(file);
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
    stream.write(header);
    this.bytes = Buffer.byteLength(header);
    this.logger?.info({ file }, `drive log: writing ${file}`);
    if (keep > 0) {
      const pruned = this.pruning.then(() => this.prune(dir, keep, file));
      this.pruning = pruned;
      this.track(pruned);
    }
    return stream;
  }

  private closeFile(): void {
    const stream = this.stream;
    if (stream === null) return;
    const file = this.streamFile;
    this.stream = null;
    this.streamFile = null;
    this.track(
      new Promise<void>((resolve) => {
        stream.once('close', () => resolve());
        stream.end(() => this.logger?.info({ file }, `drive log: closed ${file}`));
      }),
    );
  }

  private async prune(dir: string, keep: number, current: string): Promise<void> {
    try {
      await deleteOldest(dir, keep, DRIVE_FILE, current);
    } catch (error) {
      this.logger?.warn({ err: error, dir }, `drive log: cannot delete old drive files in ${dir}: ${(error as Error).message}`);
    }
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.then(() => this.pending.delete(work));
  }

  private fail(error: unknown, path: string): void {
    this.failedUntil = this.now() + RETRY_AFTER_MS;
    const code = (error as { code?: string }).code;
    const why = code === 'ENOSPC' ? 'the disk is full' : (error as Error).message;
    this.logger?.error(
      { err: error, path },
      `drive log: cannot write ${path}: ${why}; rows are dropped (counted in obdio_drive_log_dropped_total) and a new file is tried in ${RETRY_AFTER_MS / 1000} s`,
    );
  }
}
