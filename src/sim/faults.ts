/**
 * Fault injection for reliability work: adapter think time, a slow serial link, lost replies,
 * line noise. Everything is off by default, and when off the simulator sets no timers at all,
 * so benchmarks measure the gateway rather than the simulator.
 */
import { TransportError } from '../transport/transport.js';

export interface FaultOptions {
  /** Adapter think time before each reply, in ms. */
  latencyMs?: number;
  /** Link speed: if set, each reply is delayed by its serialisation time (10 bits per character). */
  baudrate?: number;
  /** Drop every Nth reply entirely (no echo, no prompt): the host must time out. */
  dropEvery?: number;
  /** Probability (0–1) of random bytes (never ">") being sent before a reply. */
  garbage?: number;
  /** Seed of the random source used for garbage (deterministic runs). */
  seed?: number;
}

export function checkFaults(options: FaultOptions): Required<Omit<FaultOptions, 'baudrate'>> & { baudrate: number } {
  const check = (name: string, value: number | undefined, min: number, max = Infinity): number => {
    const v = value ?? 0;
    if (!Number.isFinite(v) || v < min || v > max) {
      throw new TransportError(
        'EINVAL',
        `simulator: ${name} must be a number from ${min}${max === Infinity ? '' : ` to ${max}`}, got ${String(value)}`,
      );
    }
    return v;
  };
  return {
    latencyMs: check('latencyMs', options.latencyMs, 0),
    baudrate: check('baudrate', options.baudrate, 0),
    dropEvery: Math.floor(check('dropEvery', options.dropEvery, 0)),
    garbage: check('garbage', options.garbage, 0, 1),
    seed: Math.floor(check('seed', options.seed ?? 1, 0)),
  };
}

/** A small deterministic PRNG (mulberry32): numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 1–8 random characters (latin1 code points), never the prompt character. */
export function garbageText(random: () => number): string {
  const length = 1 + Math.floor(random() * 8);
  let text = '';
  while (text.length < length) {
    const code = Math.floor(random() * 256);
    if (code !== 0x3e) text += String.fromCharCode(code);
  }
  return text;
}
