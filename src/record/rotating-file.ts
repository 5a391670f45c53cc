/**
 * One kind of file written line by line in a folder, as the recorder and the drive logs do: a
 * file opens (header first) with the first line, a new one starts past `rotate` bytes, and past
 * `keep` files the oldest are deleted.
 *
 * Writing never holds up the caller: lines go to a write stream; when more than maxPendingBytes
 * wait (the disk is slow) lines are dropped and counted. A write error (full disk, folder gone)
 * ends the file with one log line; lines are dropped meanwhile, and the first line after
 * RETRY_AFTER_MS opens a new file.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { deleteOldest } from './rotation.js';

export interface RotatingFileOptions {
  /** Absolute folder. */
  dir: string;
  /** Bytes after which the next line starts a new file; 0 = never. */
  rotate: number;
  /** Most files of this kind kept in dir; 0 = all. */
  keep: number;
}

/** Opens a new file for writing (a file stream by default; tests hand in a disk that fills up). */
export type OpenFile = (file: string) => Writable;

export interface RotatingFileKind {
  /** Names of this kind of file in the folder; sorted, oldest first. */
  pattern: RegExp;
  /** Starts the log lines: "recording", "drive log". */
  label: string;
  /** What the dropped lines are called in the log line: "lines", "rows". */
  lines: string;
  /** Bytes waiting for the disk past which lines are dropped instead of queued in memory. */
  maxPendingBytes: number;
}

export interface RotatingFileCounts {
  files: number;
  /** Lines handed to a file. */
  lines: number;
  /** Lines dropped because the disk did not keep up or the file could not be written. */
  dropped: number;
}

/** After a write error, wait this long before opening another file. */
export const RETRY_AFTER_MS = 10_000;

const openNewFile: OpenFile = (file) => createWriteStream(file, { flags: 'wx' });

export class RotatingFile {
  private stream: Writable | null = null;
  private streamFile: string | null = null;
  private bytes = 0;
  private failedUntil = 0;
  readonly counts: RotatingFileCounts = { files: 0, lines: 0, dropped: 0 };
  /** File closes and clean-ups still running; stop() waits for them. */
  private readonly pending = new Set<Promise<void>>();
  private pruning: Promise<void> = Promise.resolve();

  constructor(
    private readonly kind: RotatingFileKind,
    private options: RotatingFileOptions,
    private readonly logger: Logger | undefined,
    private readonly now: () => number = Date.now,
    private readonly open: OpenFile = openNewFile,
  ) {}

  /** The file being written, or null between files. */
  get file(): string | null {
    return this.streamFile;
  }

  /** New limits; another folder starts with the next line. A failed file may be retried at once. */
  setOptions(options: RotatingFileOptions): void {
    if (options.dir !== this.options.dir) this.close();
    this.options = options;
    this.failedUntil = 0;
  }

  /**
   * Appends `text` (whole lines). Without an open file one is opened first: `nameIn(dir)` gives
   * its path, `header()` its first line(s).
   */
  write(text: string, nameIn: (dir: string) => string, header: () => string): void {
    const stream = this.stream ?? this.openFile(nameIn, header);
    if (stream === null || stream.writableLength > this.kind.maxPendingBytes) {
      this.counts.dropped++;
      return;
    }
    stream.write(text);
    this.bytes += Buffer.byteLength(text);
    this.counts.lines++;
    if (this.options.rotate > 0 && this.bytes >= this.options.rotate) this.close();
  }

  /** Ends the current file; the next line opens another. */
  close(): void {
    const stream = this.stream;
    if (stream === null) return;
    const file = this.streamFile;
    this.stream = null;
    this.streamFile = null;
    this.track(
      new Promise<void>((resolve) => {
        stream.once('close', () => resolve());
        stream.end(() => this.logger?.info({ file }, `${this.kind.label}: closed ${file}`));
      }),
    );
  }

  /** Closes the file; resolves when everything written is on disk and old files are deleted. */
  async stop(): Promise<void> {
    this.close();
    await Promise.all(this.pending);
  }

  private openFile(nameIn: (dir: string) => string, header: () => string): Writable | null {
    if (this.now() < this.failedUntil) return null;
    const { dir, keep } = this.options;
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      this.fail(error, dir);
      return null;
    }
    const file = nameIn(dir);
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
    const first = header();
    stream.write(first);
    this.bytes = Buffer.byteLength(first);
    this.logger?.info({ file }, `${this.kind.label}: writing ${file}`);
    if (keep > 0) {
      // One clean-up at a time, in order; stop() waits for the last.
      const pruned = this.pruning.then(() => this.prune(dir, keep, file));
      this.pruning = pruned;
      this.track(pruned);
    }
    return stream;
  }

  private async prune(dir: string, keep: number, current: string): Promise<void> {
    try {
      await deleteOldest(dir, keep, this.kind.pattern, current);
    } catch (error) {
      this.logger?.warn({ err: error, dir }, `${this.kind.label}: cannot delete old files in ${dir}: ${(error as Error).message}`);
    }
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.then(() => this.pending.delete(work));
  }

  private fail(error: unknown, path: string): void {
    this.failedUntil = this.now() + RETRY_AFTER_MS;
    const why = (error as { code?: string }).code === 'ENOSPC' ? 'the disk is full' : (error as Error).message;
    this.logger?.error(
      { err: error, path },
      `${this.kind.label}: cannot write ${path}: ${why}; ${this.kind.lines} are dropped (and counted) until a new file is tried in ${RETRY_AFTER_MS / 1000} s`,
    );
  }
}
