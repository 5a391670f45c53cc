/**
 * `/healthz`: whether the gateway is delivering car data, as one HTTP status a load balancer or
 * an orchestrator can act on (200 yes, 503 no) and a JSON body a person can read. It is a
 * readiness check: a gateway waiting for a car that is switched off answers 503 while working
 * exactly as intended, so do not restart on it (the process answering at all is liveness).
 */

export type HealthStatus = 'ok' | 'idle' | 'paused' | 'adapter_down' | 'no_vehicle' | 'stale';

export interface HealthInput {
  /** AdapterManager's state ("connected", "retrying"...), or null when unknown. */
  adapterState: string | null;
  /** python-OBD's status string ("Car Connected", "ELM Connected", "Not Connected"...). */
  status: string;
  carConnected: boolean;
  /** Commands in the watch loop. */
  watching: number;
  /** The watch loop is started (clients' `start`/`stop`). */
  streaming: boolean;
  /** Polling is paused on purpose (low battery). */
  paused: boolean;
  /** ms since the last decoded value; null: none yet. */
  lastValueAgeMs: number | null;
  /** Older than this, values count as stale. */
  staleAfterMs: number;
  uptimeMs: number;
}

export interface HealthReport {
  httpStatus: 200 | 503;
  body: {
    status: HealthStatus;
    message: string;
    adapter: { state: string | null; status: string };
    last_value_age_s: number | null;
    watching: number;
    streaming: boolean;
    uptime_s: number;
  };
}

/** The verdict: 200 when the car answers and, if anything is watched, values are fresh. */
export function healthReport(input: HealthInput): HealthReport {
  const [status, message] = verdict(input);
  const round = (ms: number): number => Math.round(ms / 100) / 10;
  return {
    httpStatus: status === 'ok' || status === 'idle' || status === 'paused' ? 200 : 503,
    body: {
      status,
      message,
      adapter: { state: input.adapterState, status: input.status },
      last_value_age_s: input.lastValueAgeMs === null ? null : round(input.lastValueAgeMs),
      watching: input.watching,
      streaming: input.streaming,
      uptime_s: round(input.uptimeMs),
    },
  };
}

function verdict(input: HealthInput): [HealthStatus, string] {
  const adapterDown =
    input.adapterState !== null ? input.adapterState !== 'connected' && input.status === 'Not Connected' : input.status === 'Not Connected';
  if (adapterDown) return ['adapter_down', `the adapter is not connected (${input.adapterState ?? input.status})`];
  if (!input.carConnected) return ['no_vehicle', `the adapter answers but the vehicle does not (${input.status}); ignition off?`];
  if (input.watching === 0 || !input.streaming) return ['idle', 'the vehicle is connected; nothing is being watched'];
  if (input.paused) return ['paused', 'polling is paused while the battery is low (connection.low_voltage)'];
  if (input.lastValueAgeMs === null || input.lastValueAgeMs > input.staleAfterMs) {
    const age = input.lastValueAgeMs === null ? 'no value yet' : `the last value is ${Math.round(input.lastValueAgeMs / 1000)} s old`;
    return ['stale', `watched commands are not answering: ${age}`];
  }
  return ['ok', 'values are flowing'];
}
