/**
 * alerts.webhook: each alert change POSTed as JSON to the one configured URL, one at a time in
 * the order they happened. An attempt that gets no 2xx answer within `timeout` is retried
 * after 1 s, 2 s, 4 s ... (at most 30 s), `retries` times; then the change is logged as lost
 * and the next one goes. Redirects are not followed: the request never goes anywhere else.
 */
import type { Logger } from 'pino';
import type { WebhookSpec } from '../config/spec.js';

export interface WebhookStats {
  /** Changes the receiver accepted. */
  sent: number;
  /** Attempts that failed (each retry counts). */
  failures: number;
  /** Changes given up after the last retry. */
  lost: number;
}

const MAX_BACKOFF_MS = 30_000;

export class Webhook {
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly aborts = new Set<AbortController>();
  readonly stats: WebhookStats = { sent: 0, failures: 0, lost: 0 };

  constructor(
    private readonly spec: WebhookSpec,
    private readonly logger: Logger,
    /** First wait between attempts, doubled each time (tests shorten it). */
    private readonly backoffMs = 1000,
  ) {}

  /** Queues one POST of `body`; resolves when it was delivered or given up. */
  post(body: unknown): Promise<void> {
    const run = this.queue.then(() => this.deliver(JSON.stringify(body)));
    this.queue = run;
    return run;
  }

  /** Abandons what is queued and in flight. */
  stop(): void {
    this.stopped = true;
    for (const abort of this.aborts) abort.abort();
  }

  private async deliver(payload: string): Promise<void> {
    for (let attempt = 0; attempt <= this.spec.retries && !this.stopped; attempt++) {
      if (attempt > 0) await this.wait(Math.min(MAX_BACKOFF_MS, this.backoffMs * 2 ** (attempt - 1)));
      if (this.stopped) return;
      const problem = await this.attempt(payload);
      if (problem === null) {
        this.stats.sent++;
        return;
      }
      this.stats.failures++;
      const left = this.spec.retries - attempt;
      this.logger.warn(
        { url: redact(this.spec.url), attempt: attempt + 1 },
        `webhook ${redact(this.spec.url)}: ${problem}${left > 0 && !this.stopped ? `; ${left} retr${left === 1 ? 'y' : 'ies'} left` : ''}`,
      );
    }
    if (!this.stopped) {
      this.stats.lost++;
      this.logger.error(
        { url: redact(this.spec.url) },
        `webhook ${redact(this.spec.url)}: gave up after ${this.spec.retries + 1} attempts`,
      );
    }
  }

  /** One POST; null when the receiver accepted it, else why not. */
  private async attempt(payload: string): Promise<string | null> {
    const abort = new AbortController();
    this.aborts.add(abort);
    const timer = setTimeout(() => abort.abort(new Error(`no answer within ${this.spec.timeout} ms`)), this.spec.timeout);
    try {
      const response = await fetch(this.spec.url, {
        method: 'POST',
        headers: { ...this.spec.headers, 'content-type': 'application/json' },
        body: payload,
        redirect: 'manual',
        signal: abort.signal,
      });
      await response.body?.cancel();
      return response.ok ? null : `answered ${response.status}`;
    } catch (error) {
      const reason = abort.signal.aborted ? abort.signal.reason : error;
      const cause = (reason as { cause?: { message?: string } }).cause?.message;
      return cause ?? (reason as Error).message ?? String(reason);
    } finally {
      clearTimeout(timer);
      this.aborts.delete(abort);
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms).unref());
  }
}

/** The URL without its query string and credentials, for logs (tokens go there). */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(webhook url)';
  }
}
