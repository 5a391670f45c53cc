/**
 * The contract every running part of the gateway implements (the adapter link, the scheduler,
 * the HTTP server, MQTT, the recorder, Redis, metrics, ...), in the spirit of zigbee2mqtt's
 * extensions. Hot reload used to be three mechanisms that drifted apart; now it is one rule,
 * in reconfigure() below: a key marked x-restart for the part changed → stop + start; otherwise
 * the part applies the change itself and may still answer 'restart'. It lives in config/ (the
 * lowest layer) so every layer that has a part can implement it.
 */
import { restartMarkers } from './schema.js';
import type { Spec } from './spec.js';
import { deepEqual } from './diff.js';

export type ApplyResult = 'applied' | 'restart';

/**
 * One Prometheus sample of a part; null reads as "no value" (NaN). A labelled metric is one
 * sample per label set, all with the same name and label names.
 */
export interface PartMetric {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  value: number | null;
  labels?: Record<string, string>;
}

export interface Part {
  /** Names the part in the schema's x-restart markers ("connection", "server", "mqtt") and in logs. */
  readonly name: string;
  /** Starts from a spec; after stop() it may be started again (that is a restart). */
  start(spec: Spec): Promise<void> | void;
  /** Applies what changed between two specs (often nothing of its own); 'restart' asks for stop + start. */
  apply(previous: Spec, next: Spec): Promise<ApplyResult> | ApplyResult;
  stop(): Promise<void> | void;
  /** What /metrics reads of the part (the same names on every call); a part's typed `stats` stay its own. */
  metrics?(): PartMetric[];
}

/** Whether a key the schema marks x-restart for this part differs between the specs. */
export function needsRestart(part: string, previous: Spec, next: Spec): boolean {
  return restartMarkers().some((m) => m.part === part && !deepEqual(valueAt(previous, m.path), valueAt(next, m.path)));
}

/** Brings a running part from `previous` to `next`: the one place that decides apply or restart. */
export async function reconfigure(part: Part, previous: Spec, next: Spec): Promise<'applied' | 'restarted'> {
  if (!needsRestart(part.name, previous, next) && (await part.apply(previous, next)) === 'applied') return 'applied';
  await part.stop();
  await part.start(next);
  return 'restarted';
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
