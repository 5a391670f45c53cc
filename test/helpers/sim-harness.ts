/**
 * Talks to a SimulatedElm327 synchronously (with faults off it answers inside feed()), and
 * splits answers into lines the way a host would.
 */
import { SimulatedElm327, type SimulatorOptions } from '../../src/sim/elm.js';

export interface SimHarness {
  readonly elm: SimulatedElm327;
  /** Sends `line` + CR; returns everything the adapter sent back, as text. */
  raw(line: string): string;
  /** Sends `line` + CR; returns the answer lines, without echo, blank lines and prompt. */
  send(line: string): string[];
  /** Sets the fake clock, in seconds since the simulator started. */
  at(seconds: number): void;
}

export function simHarness(options: SimulatorOptions = {}, setup: readonly string[] = ['ATZ', 'ATE0', 'ATSP6']): SimHarness {
  let nowMs = 1_700_000_000_000;
  const start = nowMs;
  const elm = new SimulatedElm327({ now: () => nowMs, ...options });
  let output = '';
  elm.onOutput((chunk) => {
    output += chunk.toString('latin1');
  });
  const raw = (line: string): string => {
    output = '';
    elm.feed(`${line}\r`);
    return output;
  };
  const harness: SimHarness = {
    elm,
    raw,
    send: (line) => {
      const text = raw(line);
      const body = text.endsWith('>') ? text.slice(0, -1) : text;
      return body
        .split(/\r\n?|\n/)
        .map((l) => l.trimEnd())
        .filter((l) => l.length > 0);
    },
    at: (seconds) => {
      nowMs = start + seconds * 1000;
    },
  };
  for (const command of setup) raw(command);
  return harness;
}

/** "7E8 06 41 00 BE 3F" → [0x7E8 as text, bytes]; spaces required. */
export function hexBytes(line: string): number[] {
  return line
    .trim()
    .split(/\s+/)
    .map((pair) => parseInt(pair, 16));
}
