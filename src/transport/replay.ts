/**
 * A recording played back as an adapter (`connection.port: replay:<file>`): each request is
 * answered with the reply recorded for the same request text, in recorded order, so the driver
 * and everything above it run exactly as they did in the car.
 *
 * Speed (`connection.replay_speed`): 0 answers at once, so a drive runs through as fast as the
 * gateway asks; 1 keeps the recorded timing (no reply comes before its time in the drive);
 * 10 plays ten times faster. At speed > 0 a request asked less often than in the recording
 * gets the latest reply recorded up to the replay clock, like fast-forwarding a video; at
 * speed 0 every recorded reply is used in turn.
 *
 * Requests the recording never saw (a config asking for more) are answered NO DATA (OBD) or
 * OK (AT commands). The recording ends when an OBD request has no recorded reply left: the
 * transport then reports the link lost (code EOF), so the gateway reconnects and plays it again.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InMemoryTransport } from './in-memory.js';
import { parseRecording, type RecordedExchange } from './recording.js';
import { TransportError } from './transport.js';

export interface ReplayOptions {
  /** 1 = recorded timing, 0 = as fast as asked, 2 = twice as fast... */
  speed: number;
  /** Clock in ms (Date.now by default); tests pass a fake one. */
  now?: () => number;
}

interface Track {
  readonly entries: RecordedExchange[];
  next: number;
}

const HEX = /^[0-9A-F]+$/;

/**
 * The key a request is matched by: case and spaces do not matter, and python-OBD's "fast"
 * response-count digit ("010C1") is dropped, so a recording made with or without it replays
 * under either setting.
 */
export function requestKey(text: string): string {
  const bare = (text.endsWith('\r') ? text.slice(0, -1) : text).replace(/ /g, '').toUpperCase();
  return HEX.test(bare) && bare.length >= 3 && bare.length % 2 === 1 ? bare.slice(0, -1) : bare;
}

function isObdRequest(key: string): boolean {
  return key.length >= 2 && HEX.test(key);
}

export class ReplayTransport extends InMemoryTransport {
  private readonly speed: number;
  private readonly now: () => number;
  private readonly timers = new Set<NodeJS.Timeout | NodeJS.Immediate>();
  private tracks = new Map<string, Track>();
  /** Recording time of its first exchange, and wall time of the first request in this replay. */
  private recordedStart = 0;
  private replayStart: number | null = null;
  /** Recorded time of the last reply delivered (its prompt), null before the first. */
  private replyTime: number | null = null;
  readonly clock = (): number => this.replyTime ?? this.now();

  constructor(
    /** A recording file, or a folder whose *.jsonl files play in name order (a rotated recording). */
    readonly file: string,
    options: ReplayOptions,
  ) {
    super(`replay:${file}`);
    this.speed = Number.isFinite(options.speed) && options.speed > 0 ? options.speed : 0;
    this.now = options.now ?? Date.now;
  }

  override async open(): Promise<void> {
    const exchanges = await loadRecording(this.file);
    if (exchanges.length === 0) {
      throw new TransportError('EBADREC', `${this.file}: the recording holds no requests (record one with the record: section)`);
    }
    this.tracks = new Map();
    for (const exchange of exchanges) {
      const key = requestKey(exchange.req);
      let track = this.tracks.get(key);
      if (!track) this.tracks.set(key, (track = { entries: [], next: 0 }));
      track.entries.push(exchange);
    }
    this.recordedStart = exchanges[0]!.t;
    this.replayStart = null;
    this.replyTime = null;
    await super.open();
  }

  write(text: string): void {
    this.assertOpen('ENOTOPEN', `${this.portName}: the replay is not open`);
    this.replayStart ??= this.now();
    const key = requestKey(text);
    const track = this.tracks.get(key);
    if (!track) return this.send(isObdRequest(key) ? 'NO DATA\r\r>' : key === '' ? '?\r\r>' : 'OK\r\r>', 0);
    if (track.next >= track.entries.length) {
      if (isObdRequest(key)) return this.end();
      return this.send(track.entries[track.entries.length - 1]!.res, 0);
    }
    if (this.speed === 0) {
      const entry = track.entries[track.next++]!;
      return this.send(entry.res, 0, entry.t + entry.ms);
    }
    const clock = this.recordedStart + (this.now() - this.replayStart) * this.speed;
    let i = track.next;
    while (i + 1 < track.entries.length && track.entries[i + 1]!.t <= clock) i++;
    const entry = track.entries[i]!;
    track.next = i + 1;
    this.send(entry.res, Math.max(0, (entry.t + entry.ms - clock) / this.speed), entry.t + entry.ms);
  }

  override async close(): Promise<void> {
    await super.close();
    this.cancelTimers();
  }

  /** Delivers a reply on a later turn of the event loop, as real I/O would. */
  private send(text: string, delayMs: number, recordedAt?: number): void {
    const deliver = (): void => {
      this.timers.delete(handle);
      if (!this.isOpen) return;
      if (recordedAt !== undefined) this.replyTime = recordedAt;
      this.deliver(text);
    };
    const handle: NodeJS.Timeout | NodeJS.Immediate = delayMs > 0 ? setTimeout(deliver, delayMs) : setImmediate(deliver);
    this.timers.add(handle);
  }

  /** Closes now (no write gets through any more), tells the lost listeners on a later turn. */
  private end(): void {
    void super.close();
    this.cancelTimers();
    const error = new TransportError('EOF', `end of the recording ${this.file}`);
    setImmediate(() => this.listeners.emitLost(error));
  }

  private cancelTimers(): void {
    for (const handle of this.timers) {
      clearTimeout(handle as NodeJS.Timeout);
      clearImmediate(handle as NodeJS.Immediate);
    }
    this.timers.clear();
  }
}

/** The exchanges of a recording file, or of every *.jsonl file of a folder in name order. */
export async function loadRecording(path: string): Promise<RecordedExchange[]> {
  let files: string[];
  try {
    const info = await stat(path);
    files = info.isDirectory()
      ? (await readdir(path))
          .filter((name) => name.endsWith('.jsonl'))
          .sort()
          .map((name) => join(path, name))
      : [path];
  } catch (error) {
    throw fileError(error, path);
  }
  const exchanges: RecordedExchange[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw fileError(error, file);
    }
    for (const exchange of parseRecording(text, file)) exchanges.push(exchange);
  }
  return exchanges;
}

function fileError(error: unknown, file: string): TransportError {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return new TransportError('ENOENT', `${file}: no such recording (check connection.port: replay:<file>)`);
  if (code === 'EACCES') return new TransportError('EACCES', `${file}: permission denied reading the recording`);
  return new TransportError(typeof code === 'string' ? code : 'EBADREC', `${file}: ${(error as Error).message}`);
}
