/**
 * The command queue: an ELM327 handles one command at a time, so exactly one request is on
 * the wire; the others wait in order. Each request has a deadline. When one passes, the late
 * reply may still come: the queue waits for its prompt (up to the next request's timeout)
 * before writing again, so a late reply is never taken for the answer to the next command.
 */
import type { Logger } from 'pino';
import { ElmError } from './errors.js';
import { ResponseReader, splitReply } from './reader.js';

export interface QueueOptions {
  /** Requests that may wait behind the one in flight. */
  maxWaiting: number;
  /** Bytes one reply may have before it is given up (BUFFER_FULL). */
  maxReplyBytes: number;
  logger?: Logger;
}

interface Job {
  /** Exactly what goes on the wire. */
  payload: string;
  /** The command as the adapter would echo it; null for raw exchanges. */
  echo: string | null;
  timeoutMs: number;
  /** Resolve with the unsplit text (baud probing looks at every byte). */
  raw: boolean;
  resolve(value: string[] | string): void;
  reject(error: Error): void;
}

export class CommandQueue {
  private readonly waiting: Job[] = [];
  private readonly reader: ResponseReader;
  private inFlight: Job | null = null;
  /** One timer at a time: the in-flight deadline, or the wait for a late reply's prompt. */
  private timer: NodeJS.Timeout | null = null;
  /** A request timed out; its reply (and prompt) may still arrive. */
  private draining = false;
  private refusal: ElmError | null = null;

  constructor(
    private readonly write: (text: string) => void,
    private readonly options: QueueOptions,
  ) {
    this.reader = new ResponseReader({
      maxBytes: options.maxReplyBytes,
      onReply: (text) => this.onReply(text),
      onOverflow: (bytes) => this.onOverflow(bytes),
    });
  }

  /** Bytes from the transport. */
  push(chunk: Buffer): void {
    this.reader.push(chunk);
  }

  /** Sends `command` + CR; resolves with the reply's lines (echo and prompt removed). */
  send(command: string, timeoutMs: number): Promise<string[]> {
    return this.enqueue(command + '\r', command, timeoutMs, false) as Promise<string[]>;
  }

  /** Writes `payload` as-is; resolves with the raw text before the prompt. */
  exchangeRaw(payload: string, timeoutMs: number): Promise<string> {
    return this.enqueue(payload, null, timeoutMs, true) as Promise<string>;
  }

  /** Accepts requests again after fail(), with a clean reader. */
  open(): void {
    this.refusal = null;
    this.draining = false;
    this.reader.reset();
  }

  /** Rejects the request in flight and every waiting one; refuses new ones until open(). */
  fail(error: ElmError): void {
    this.refusal = error;
    this.clearTimer();
    this.draining = false;
    const inFlight = this.inFlight;
    this.inFlight = null;
    const waiting = this.waiting.splice(0);
    if (inFlight) inFlight.reject(error);
    for (const job of waiting) job.reject(error);
  }

  get size(): number {
    return this.waiting.length + (this.inFlight ? 1 : 0);
  }

  private enqueue(payload: string, echo: string | null, timeoutMs: number, raw: boolean): Promise<string[] | string> {
    return new Promise((resolve, reject) => {
      if (this.refusal) return reject(this.refusal);
      if (this.waiting.length >= this.options.maxWaiting) {
        return reject(
          new ElmError('QUEUE_FULL', `${echo ?? 'request'}: ${this.options.maxWaiting} requests are already waiting for the adapter`),
        );
      }
      this.waiting.push({ payload, echo, timeoutMs, raw, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.inFlight || this.waiting.length === 0) return;
    if (this.draining) {
      // Give the late reply a chance to finish; never write over an adapter that is busy
      // (it would answer STOPPED and drop our command).
      if (!this.timer) this.timer = setTimeout(() => this.onDrainTimeout(), this.waiting[0].timeoutMs);
      return;
    }
    const job = this.waiting.shift()!;
    this.inFlight = job;
    this.reader.reset(); // anything buffered now is stale
    try {
      this.write(job.payload);
    } catch (err) {
      this.inFlight = null;
      job.reject(new ElmError('NOT_CONNECTED', `${job.echo ?? 'request'}: cannot write to the adapter: ${(err as Error).message}`));
      this.pump();
      return;
    }
    this.timer = setTimeout(() => this.onTimeout(job), job.timeoutMs);
  }

  private onReply(text: string): void {
    const job = this.inFlight;
    if (!job) {
      // A reply nobody waits for: the tail of a timed-out request. Its prompt means the
      // adapter is ready again.
      if (this.draining) {
        this.draining = false;
        this.clearTimer();
        this.pump();
      }
      return;
    }
    this.clearTimer();
    this.inFlight = null;
    job.resolve(job.raw ? text : splitReply(text, job.echo));
    this.pump();
  }

  private onTimeout(job: Job): void {
    this.timer = null;
    if (this.inFlight !== job) return;
    this.inFlight = null;
    this.draining = true;
    job.reject(new ElmError('TIMEOUT', `${job.echo ?? 'request'}: no reply from the adapter within ${job.timeoutMs} ms`));
    this.pump();
  }

  private onDrainTimeout(): void {
    this.timer = null;
    if (!this.draining) return;
    this.options.logger?.debug('no prompt after a timed-out request; sending the next one anyway');
    this.draining = false;
    this.reader.reset();
    this.pump();
  }

  private onOverflow(bytes: number): void {
    const job = this.inFlight;
    if (!job) return; // stale bytes; the reader skips to the next prompt by itself
    this.clearTimer();
    this.inFlight = null;
    this.draining = true; // the reader reports the prompt that ends this reply
    job.reject(
      new ElmError(
        'BUFFER_FULL',
        `${job.echo ?? 'request'}: the reply exceeded ${this.options.maxReplyBytes} bytes (${bytes} so far) without a prompt`,
      ),
    );
    this.pump();
  }

  private clearTimer(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }
}
