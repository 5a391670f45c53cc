/**
 * Parsers for the human-friendly quantities of obdio.yaml: durations ("250ms", 0.1 seconds),
 * rates ("10hz") and sizes ("1mb"). Each returns null for input it does not understand, so
 * callers can attach their own position and message; the *_HINT strings are those messages.
 * The grammars match the patterns of schemas/obdio.schema.json (tested together).
 */

export const DURATION_HINT = 'a duration like 0.1, 250ms or 2s';
export const RATE_HINT = 'a rate like 10hz, 0.5hz or a number of Hz';
export const SIZE_HINT = 'a size like 512kb, 1mb or a number of bytes';

const NUMBER = String.raw`(\d+(?:\.\d*)?|\.\d+)`;
const DURATION_TEXT = new RegExp(String.raw`^\s*${NUMBER}\s*(ms|s|m|h)?\s*$`);
const RATE_TEXT = new RegExp(String.raw`^\s*${NUMBER}\s*hz\s*$`, 'i');
const SIZE_TEXT = new RegExp(String.raw`^\s*${NUMBER}\s*([kmg]i?)?b\s*$`, 'i');

const MS_PER_UNIT: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
/** kb/mb/gb are decimal, as engine.io's maxHttpBufferSize default (1e6) is "1 MB"; kib/mib/gib binary. */
const BYTES_PER_UNIT: Record<string, number> = {
  '': 1,
  k: 1e3,
  m: 1e6,
  g: 1e9,
  ki: 1024,
  mi: 1024 ** 2,
  gi: 1024 ** 3,
};

/** Drops binary floating-point noise (0.07 * 1000 = 70.00000000000001) without losing real fractions. */
function tidy(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** A duration in milliseconds: a number is seconds, a string may carry ms, s, m or h (none = seconds). */
export function parseDuration(input: unknown): number | null {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? tidy(input * 1000) : null;
  if (typeof input !== 'string') return null;
  const match = DURATION_TEXT.exec(input);
  if (!match) return null;
  return tidy(Number(match[1]) * MS_PER_UNIT[match[2] ?? 's']);
}

/** A rate in Hz (> 0): a number, or a string such as "10hz" / "0.5 Hz". */
export function parseRate(input: unknown): number | null {
  let hz: number;
  if (typeof input === 'number') hz = input;
  else if (typeof input === 'string') {
    const match = RATE_TEXT.exec(input);
    if (!match) return null;
    hz = Number(match[1]);
  } else return null;
  return Number.isFinite(hz) && hz > 0 ? hz : null;
}

/** A size in whole bytes: a number of bytes, or "512kb", "1mb", "1gb", "64kib", "1mib", "100b". */
export function parseSize(input: unknown): number | null {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? Math.round(input) : null;
  if (typeof input !== 'string') return null;
  const match = SIZE_TEXT.exec(input);
  if (!match) return null;
  return Math.round(Number(match[1]) * BYTES_PER_UNIT[(match[2] ?? '').toLowerCase()]);
}
