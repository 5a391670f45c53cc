/**
 * Which running parts a new configuration touches: a pure function of two Specs, so hot reload
 * can stop and start only what changed (node-red's deploy diff). Keys marked with the schema's
 * x-restart keyword decide what needs a restart; the other keys of a section are applied live.
 */
import { restartMarkers } from './schema.js';
import type { Spec } from './spec.js';

export type SectionName = Exclude<keyof Spec, 'file'>;

export interface SpecChanges {
  /** Top-level sections that differ, in Spec order. */
  changed: SectionName[];
  /** A connection key marked x-restart changed (port, baudrate, protocol, ...): reopen the adapter. */
  restartConnection: boolean;
  /** Connection keys applied live changed (fast, timeout, allow_clear_dtc, reconnect). */
  connectionOptions: boolean;
  /** host, port, tls or adapter changed: the HTTP server must listen again (clients reconnect). */
  restartServer: boolean;
  /** cors_allowed_origins, max_http_buffer_size or auth changed: applied to the running server. */
  serverOptions: boolean;
  events: boolean;
  static: boolean;
  /** Commands watched from start-up, compared by name; rateChanged: same name, other rate. */
  watchCommands: { added: string[]; removed: string[]; rateChanged: string[] };
  watchInterval: boolean;
  callbacks: boolean;
  /** `commands`, `computed`, `commands_from` or the vehicle's model year changed. */
  commands: boolean;
  /** MQTT turned on/off, or a key marked x-restart (url, credentials, client id) changed. */
  restartMqtt: boolean;
  mqtt: boolean;
  record: boolean;
  units: boolean;
  dashboard: boolean;
}

/** True when nothing but the file name differs. */
export function isUnchanged(changes: SpecChanges): boolean {
  return changes.changed.length === 0;
}

export function diffSpecs(previous: Spec, next: Spec): SpecChanges {
  const a = canonical(previous);
  const b = canonical(next);
  const sections = (Object.keys(b) as (keyof Spec)[]).filter((k): k is SectionName => k !== 'file');
  const changed = sections.filter((section) => !deepEqual(a[section], b[section]));

  const restart = (part: string): boolean =>
    restartMarkers().some((m) => m.part === part && !deepEqual(valueAt(a, m.path), valueAt(b, m.path)));
  /** Whether a section differs in keys that are not marked for restart. */
  const liveChanged = (section: 'connection' | 'server'): boolean => {
    const marked = new Set(restartMarkers().filter((m) => m.path[0] === section && m.path.length === 2).map((m) => m.path[1]));
    const keys = new Set([...Object.keys(a[section]), ...Object.keys(b[section])]);
    return [...keys].some((key) => !marked.has(key) && !deepEqual(valueAt(a, [section, key]), valueAt(b, [section, key])));
  };

  const oldRates = a.watch.commands;
  const newRates = b.watch.commands;
  return {
    changed,
    restartConnection: restart('connection'),
    connectionOptions: liveChanged('connection'),
    restartServer: restart('server'),
    serverOptions: liveChanged('server'),
    events: changed.includes('events'),
    static: changed.includes('static'),
    watchCommands: {
      added: Object.keys(newRates).filter((name) => !(name in oldRates)),
      removed: Object.keys(oldRates).filter((name) => !(name in newRates)),
      rateChanged: Object.keys(newRates).filter((name) => name in oldRates && oldRates[name] !== newRates[name]),
    },
    watchInterval: a.watch.interval !== b.watch.interval,
    callbacks: !deepEqual(a.watch.callbacks, b.watch.callbacks),
    commands: changed.includes('commands') || changed.includes('computed') || changed.includes('commands_from') || changed.includes('vehicle'),
    restartMqtt: (a.mqtt === null) !== (b.mqtt === null) || restart('mqtt'),
    mqtt: changed.includes('mqtt'),
    record: changed.includes('record'),
    units: changed.includes('units'),
    dashboard: changed.includes('dashboard'),
  };
}

/** A copy where lists whose order means nothing are sorted, so reordering them is no change. */
function canonical(spec: Spec): Spec {
  const sorted = <T>(list: T[]): T[] => [...list].sort();
  return {
    ...spec,
    server: {
      ...spec.server,
      cors_allowed_origins: spec.server.cors_allowed_origins === '*' ? '*' : sorted(spec.server.cors_allowed_origins),
    },
    events: {
      ...spec.events,
      defaults: typeof spec.events.defaults === 'string' ? spec.events.defaults : sorted(spec.events.defaults),
      disable: sorted(spec.events.disable),
    },
    watch: {
      ...spec.watch,
      callbacks: spec.watch.callbacks.map((cb) => ({
        ...cb,
        filter: { ...cb.filter, commands: cb.filter.commands && sorted(cb.filter.commands) },
      })),
    },
    mqtt: spec.mqtt && { ...spec.mqtt, commands: spec.mqtt.commands && sorted(spec.mqtt.commands) },
  };
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Structural equality of JSON-like values; mapping key order does not matter, list order does. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  if (ak.length !== bk.length) return false;
  return ak.every((key) => Object.prototype.hasOwnProperty.call(b, key) && deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
