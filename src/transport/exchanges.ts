/**
 * Pairs what is written to an ELM327 with what it answers. The adapter handles one command at
 * a time and ends every answer with its ">" prompt, so an exchange is one write and the bytes
 * read until the prompt. Bytes that arrive with no write before them (an adapter that resets
 * itself, a late answer after a timeout) form an exchange with no request.
 */
import type { TransportObserver } from './tap.js';

export interface Exchange {
  /** ms since the epoch when the request was written (or the first unsolicited byte read). */
  t: number;
  /** The text written, without its final CR; null for bytes read with no request. */
  req: string | null;
  /** Every byte read for it, as latin1 text (echo, lines, prompt). */
  res: string;
  /** ms from the write to the prompt (or to the end of the exchange without one). */
  ms: number;
  /** Whether the prompt arrived; false when the next write, a close or a loss cut it short. */
  prompt: boolean;
}

/** Longest reply kept for one exchange; the driver itself gives up at this size. */
const MAX_REPLY = 64 * 1024;
const PROMPT = 0x3e; // '>'

/** A transport observer that calls `onExchange` for every finished exchange. */
export function exchangeObserver(onExchange: (exchange: Exchange) => void, now: () => number = Date.now): TransportObserver {
  let open: Exchange | null = null;
  let replyChars = 0;

  const finish = (prompt: boolean): void => {
    if (open === null) return;
    const done = open;
    open = null;
    done.prompt = prompt;
    done.ms = Math.max(0, now() - done.t);
    onExchange(done);
  };

  const append = (text: string): void => {
    if (open === null) open = { t: now(), req: null, res: '', ms: 0, prompt: false };
    if (replyChars >= MAX_REPLY) return;
    const room = MAX_REPLY - replyChars;
    const kept = text.length > room ? text.slice(0, room) : text;
    open.res += kept;
    replyChars += kept.length;
  };

  return {
    onWrite(text) {
      finish(false);
      open = { t: now(), req: text.endsWith('\r') ? text.slice(0, -1) : text, res: '', ms: 0, prompt: false };
      replyChars = 0;
    },
    onData(chunk) {
      let start = 0;
      for (let i = chunk.indexOf(PROMPT); i !== -1; i = chunk.indexOf(PROMPT, start)) {
        append(chunk.toString('latin1', start, i + 1));
        finish(true);
        replyChars = 0;
        start = i + 1;
      }
      if (start < chunk.length) append(chunk.toString('latin1', start));
    },
    onClose() {
      finish(false);
    },
  };
}
