/**
 * Which sections of the configuration differ: a pure function of two Specs (node-red's deploy
 * diff). What a change means for a running part is the part's own business (config/part.ts);
 * this only says what differs, for the reload's report and for parts' apply().
 */
import type { Spec } from './spec.js';

export type SectionName = Exclude<keyof Spec, 'file'>;

/** Top-level sections that differ, in Spec order; reordering lists whose order means nothing is no change. */
export function changedSections(previous: Spec, next: Spec): SectionName[] {
  const sections = (Object.keys(next) as (keyof Spec)[]).filter((k): k is SectionName => k !== 'file');
  return sections.filter((section) => differs(previous, next, (spec) => spec[section]));
}

/** Whether any of these sections differs (what a part's apply() asks first). */
export function touches(previous: Spec, next: Spec, ...sections: SectionName[]): boolean {
  return sections.some((section) => differs(previous, next, (spec) => spec[section]));
}

/** Whether the part of the specs that `select` picks differs, compared as changedSections() does. */
export function differs(previous: Spec, next: Spec, select: (spec: Spec) => unknown): boolean {
  return !deepEqual(select(canonical(previous)), select(canonical(next)));
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

/** Structural equality of JSON-like values; mapping key order does not matter, list order does. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  if (ak.length !== bk.length) return false;
  return ak.every(
    (key) =>
      Object.prototype.hasOwnProperty.call(b, key) && deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}
