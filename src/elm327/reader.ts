/**
 * Turns the adapter's byte stream into replies. An ELM327 ends every reply with the ">"
 * prompt; everything before it is the reply (lines split by CR and/or LF, possibly an echo
 * of the command, NUL padding some clones send, and junk after a reset or at a wrong baud).
 */

const PROMPT = 0x3e; // '>'

export interface ReaderOptions {
  /** Bytes a reply may hold before its prompt; beyond it the reader gives up on the reply. */
  maxBytes: number;
  /** A complete reply: the text before the prompt (latin1, not yet split). */
  onReply(text: string): void;
  /** More than maxBytes arrived without a prompt; the bytes so far were dropped. */
  onOverflow(byteCount: number): void;
}

export class ResponseReader {
  private buffer: Buffer;
  private length = 0;
  private discarding = false;

  constructor(private readonly options: ReaderOptions) {
    this.buffer = Buffer.allocUnsafe(Math.min(1024, options.maxBytes));
  }

  /** Bytes waiting for a prompt. */
  get pending(): number {
    return this.length;
  }

  /** Forgets any partial reply (stale bytes before a new command, as python-OBD flushes input). */
  reset(): void {
    this.length = 0;
    this.discarding = false;
  }

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const prompt = chunk.indexOf(PROMPT, start);
      const end = prompt < 0 ? chunk.length : prompt;
      if (this.discarding) {
        // After an overflow, skip to the next prompt; report it as an empty reply so the
        // caller knows the adapter is ready again.
        if (prompt < 0) return;
        this.discarding = false;
        this.options.onReply('');
      } else if (prompt >= 0 && this.length === 0) {
        // Common case: the whole reply is in this chunk; decode it without copying.
        this.options.onReply(chunk.toString('latin1', start, end));
      } else {
        this.append(chunk, start, end);
        if (prompt >= 0 && !this.discarding) {
          const text = this.buffer.toString('latin1', 0, this.length);
          this.length = 0;
          this.options.onReply(text);
        } else if (prompt >= 0) {
          this.discarding = false;
          this.options.onReply('');
        }
      }
      if (prompt < 0) return;
      start = prompt + 1;
    }
  }

  private append(chunk: Buffer, start: number, end: number): void {
    const size = end - start;
    if (size === 0) return;
    const needed = this.length + size;
    if (needed > this.options.maxBytes) {
      this.length = 0;
      this.discarding = true;
      this.options.onOverflow(needed);
      return;
    }
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.options.maxBytes, Math.max(needed, this.buffer.length * 2)));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    chunk.copy(this.buffer, this.length, start, end);
    this.length = needed;
  }
}

/**
 * Splits a reply into its lines: CR/LF separated, trimmed, empty lines and NUL bytes dropped,
 * and the echo of `command` dropped when the adapter still echoes (before ATE0).
 */
export function splitReply(text: string, command: string | null): string[] {
  if (text.indexOf('\0') >= 0) text = text.split('\0').join('');
  const lines: string[] = [];
  let lineStart = 0;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 13;
    if (code !== 13 && code !== 10) continue;
    if (i > lineStart) {
      const line = trimSpaces(text, lineStart, i);
      if (line.length > 0) lines.push(line);
    }
    lineStart = i + 1;
  }
  if (command !== null && lines.length > 0 && isEcho(lines[0], command)) lines.shift();
  return lines;
}

function trimSpaces(text: string, start: number, end: number): string {
  while (start < end && isBlank(text.charCodeAt(start))) start++;
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

function isBlank(code: number): boolean {
  return code === 32 || code === 9;
}

/** The echo is the command as sent; compare without spaces or case (some clones change both). */
function isEcho(line: string, command: string): boolean {
  if (line === command) return true;
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < line.length && line.charCodeAt(i) === 32) i++;
    while (j < command.length && command.charCodeAt(j) === 32) j++;
    if (i === line.length || j === command.length) return i === line.length && j === command.length && j > 0;
    // ASCII letters compare case-insensitively (bit 5 set = lower case).
    const a = line.charCodeAt(i);
    const b = command.charCodeAt(j);
    if (a !== b && !((a | 32) === (b | 32) && (a | 32) >= 97 && (a | 32) <= 122)) return false;
    i++;
    j++;
  }
}
