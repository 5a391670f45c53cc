/**
 * The recording format (JSON lines), shared by the recorder that writes it and the replay
 * transport that reads it. One object per line:
 *
 *   {"recording":"obdio","version":1,"t":1714550000000,"port":"sim"}          first line of a file
 *   {"t":1714550000123,"ms":4,"req":"010C1","res":"41 0C 0B B8 \r\r>"}      one request and its reply
 *   {"t":1714550000124,"value":{"command":"RPM","value":750,"unit":"revolutions_per_minute"}}
 *
 * `t` is ms since the epoch, `ms` the time to the adapter's prompt, `res` every byte the adapter
 * sent (latin1). `"req": null` marks bytes read with no request; `"prompt": false` a reply cut
 * short. `value` lines (record.decoded) are for people and tools; the replay ignores them.
 */
import { TransportError } from './transport.js';

export const RECORDING_VERSION = 1;

export interface RecordedExchange {
  t: number;
  ms: number;
  req: string;
  res: string;
}

/** A recording line that carries a request and its reply; anything else is skipped. */
function asExchange(value: unknown): RecordedExchange | null {
  if (typeof value !== 'object' || value === null) return null;
  const line = value as Record<string, unknown>;
  if (typeof line.req !== 'string' || typeof line.res !== 'string' || typeof line.t !== 'number') return null;
  return { t: line.t, ms: typeof line.ms === 'number' && line.ms >= 0 ? line.ms : 0, req: line.req, res: line.res };
}

/**
 * The exchanges of one recording file's text, in order. Throws a TransportError (EBADREC) naming
 * the file and line when a line is not JSON; a torn last line (the recorder was killed mid-write)
 * is skipped.
 */
export function parseRecording(text: string, file: string): RecordedExchange[] {
  const exchanges: RecordedExchange[] = [];
  const lines = text.split('\n');
  let sawHeader = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      const isLast = lines.slice(i + 1).every((rest) => rest.trim() === '');
      if (isLast && (sawHeader || exchanges.length > 0)) break;
      throw new TransportError('EBADREC', `${file}:${i + 1}: not a recording line (expected one JSON object per line, as record: writes)`);
    }
    if (typeof value === 'object' && value !== null && (value as Record<string, unknown>).recording === 'obdio') {
      sawHeader = true;
      continue;
    }
    const exchange = asExchange(value);
    if (exchange) exchanges.push(exchange);
  }
  return exchanges;
}
