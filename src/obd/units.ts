/**
 * Display units. Values are decoded in python-OBD's (metric) units; a client that asked for
 * imperial gets the common quantities converted, with pint's names for the new units. Every
 * other unit is left as it is.
 */
import type { OBDResponse } from './command.js';
import { PY_TYPE } from './python-types.js';

export type UnitSystem = 'metric' | 'imperial';

export interface Displayed {
  value: unknown;
  unit: string | null;
}

const KM_PER_MILE = 1.609344;
const PA_PER_PSI = 6894.757293168361; // pound-force per square inch, as pint defines it
const LITERS_PER_GALLON = 3.785411784; // US liquid gallon (pint's "gallon")

const IMPERIAL: ReadonlyMap<string, readonly [unit: string, convert: (v: number) => number]> = new Map([
  ['kilometer_per_hour', ['mile_per_hour', (v: number) => v / KM_PER_MILE]],
  ['degree_Celsius', ['degree_Fahrenheit', (v: number) => (v * 9) / 5 + 32]],
  ['kilometer', ['mile', (v: number) => v / KM_PER_MILE]],
  ['kilopascal', ['pound_force_per_square_inch', (v: number) => (v * 1000) / PA_PER_PSI]],
  ['pascal', ['pound_force_per_square_inch', (v: number) => v / PA_PER_PSI]],
  ['liter', ['gallon', (v: number) => v / LITERS_PER_GALLON]],
  ['lph', ['gallon_per_hour', (v: number) => v / LITERS_PER_GALLON]],
] as const);

/** Converts a number, or every number of an array or record (multi-sensor values); null stays null. */
function convertValue(value: unknown, convert: (v: number) => number): unknown {
  if (typeof value === 'number') return convert(value);
  if (Array.isArray(value)) return value.map((v) => convertValue(v, convert));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[key] = convertValue(v, convert);
    return out;
  }
  return value;
}

/** A mode 06 test converts its value, min and max by its own unit. */
function convertMonitorTest(test: unknown): unknown {
  if (test === null || typeof test !== 'object') return test;
  const t = test as Record<string, unknown>;
  const conversion = typeof t.unit === 'string' ? IMPERIAL.get(t.unit) : undefined;
  if (conversion === undefined) return test;
  const [unit, convert] = conversion;
  return { ...t, value: convertValue(t.value, convert), min: convertValue(t.min, convert), max: convertValue(t.max, convert), unit };
}

/** The value in the chosen system; metric is python-OBD's own, so it is returned unchanged. */
export function convertForDisplay(value: unknown, unit: string | null, system: UnitSystem): Displayed {
  if (system === 'metric' || unit === null || value === null) return { value, unit };
  if (unit === PY_TYPE.monitor) {
    return { value: Array.isArray(value) ? value.map(convertMonitorTest) : value, unit };
  }
  const conversion = IMPERIAL.get(unit);
  if (conversion === undefined) return { value, unit };
  return { value: convertValue(value, conversion[1]), unit: conversion[0] };
}

/**
 * The response as a client of `system` sees it: value and unit converted, everything else kept.
 * Metric returns the response itself, so the default costs nothing on the streaming path.
 */
export function toDisplayUnits(response: OBDResponse, system: UnitSystem): OBDResponse {
  if (system === 'metric' || response.value === null) return response;
  const shown = convertForDisplay(response.value, response.unit, system);
  if (shown.value === response.value && shown.unit === response.unit) return response;
  return { ...response, value: shown.value, unit: shown.unit };
}
