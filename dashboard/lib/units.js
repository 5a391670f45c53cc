// Unit names on the wire are python-OBD's pint names ("revolutions_per_minute"); people read
// symbols. The page shows the system the user picks, converting whichever the wire carries.

// Shared with the gateway's `unit` template helper (src/templates/templates.ts).
import SYMBOLS from './unit-symbols.json' with { type: 'json' };

const KM_PER_MILE = 1.609344;
const PA_PER_PSI = 6894.757293168361;
const LITERS_PER_GALLON = 3.785411784; // US gallon

// The quantities the gateway itself converts for `units: imperial` (src/obd/units.ts), with
// pint's names on both sides, so the page can show either system whichever the wire carries.
const PAIRS = [
  // [metric unit, imperial unit, metric → imperial, imperial → metric]
  ['kilometer_per_hour', 'mile_per_hour', (v) => v / KM_PER_MILE, (v) => v * KM_PER_MILE],
  ['kilometer', 'mile', (v) => v / KM_PER_MILE, (v) => v * KM_PER_MILE],
  ['degree_Celsius', 'degree_Fahrenheit', (v) => (v * 9) / 5 + 32, (v) => ((v - 32) * 5) / 9],
  ['kilopascal', 'pound_force_per_square_inch', (v) => (v * 1000) / PA_PER_PSI, (v) => (v * PA_PER_PSI) / 1000],
  ['pascal', 'pound_force_per_square_inch', (v) => v / PA_PER_PSI, (v) => (v * PA_PER_PSI) / 1000],
  ['liter', 'gallon', (v) => v / LITERS_PER_GALLON, (v) => v * LITERS_PER_GALLON],
  ['lph', 'gallon_per_hour', (v) => v / LITERS_PER_GALLON, (v) => v * LITERS_PER_GALLON],
];
const TO_IMPERIAL = new Map(PAIRS.map(([metric, imperial, convert]) => [metric, [imperial, convert]]));
// psi back to metric reads as kPa (the first pair that names it).
const TO_METRIC = new Map([...PAIRS].reverse().map(([metric, imperial, , back]) => [imperial, [metric, back]]));

/** A unit for display in `system`: its symbol and how to turn a wire number into the displayed one. */
export function displayUnit(unit, system) {
  if (unit == null || unit.startsWith('<class')) return { symbol: '', convert: identity };
  const pair = (system === 'imperial' ? TO_IMPERIAL : TO_METRIC).get(unit);
  if (pair) return { symbol: symbolOf(pair[0]), convert: pair[1] };
  return { symbol: symbolOf(unit), convert: identity };
}

function symbolOf(unit) {
  return Object.hasOwn(SYMBOLS, unit) ? SYMBOLS[unit] : unit.replaceAll('_', ' ');
}

function identity(v) {
  return v;
}

/** A number with as many decimals as its size deserves: 2431 rpm, 87.5 %, 0.98 λ. */
export function formatNumber(value) {
  if (!Number.isFinite(value)) return '–';
  const size = Math.abs(value);
  const decimals = size >= 100 || Number.isInteger(value) ? 0 : size >= 10 ? 1 : 2;
  return value.toFixed(decimals);
}

/** Anything a response can carry, as short text: DTC pairs, status objects, byte arrays... */
export function formatValue(value, unit) {
  if (value === null || value === undefined) return 'no data';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return value || '""';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (unit === "<class 'bytearray'>" && Array.isArray(value)) return bytesToText(value);
  if (Array.isArray(value) && value.every(isDtcPair)) {
    return value.length === 0 ? 'none' : value.map(([code, desc]) => `${code} ${desc}`).join('\n');
  }
  // FUEL_STATUS and friends: a tuple of texts, the empty ones meaning "no second system".
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.filter(Boolean).join(' / ') || 'none';
  // STATUS, Protocol, a StatusTest...: "MIL: yes · DTC_COUNT: 2 · ignition_type: spark".
  if (isPlainObject(value) && Object.values(value).every((v) => v === null || typeof v !== 'object')) {
    return Object.entries(value)
      .map(([k, v]) => `${k}: ${formatValue(v, null)}`)
      .join(' · ');
  }
  const text = JSON.stringify(value);
  return text.length > 400 ? text.slice(0, 400) + '…' : text;
}

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDtcPair(item) {
  return Array.isArray(item) && item.length === 2 && typeof item[0] === 'string' && typeof item[1] === 'string';
}

/** VIN and calibration ids come as byte arrays; printable ASCII reads better as text. */
export function bytesToText(bytes) {
  const printable = bytes.every((b) => b === 0 || (b >= 0x20 && b < 0x7f));
  if (!printable) return bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return String.fromCharCode(...bytes.filter((b) => b !== 0));
}

// Gauge ranges in python-OBD's units, for the commands people watch most; others range
// themselves from the values seen.
const RANGES = {
  RPM: [0, 8000],
  SPEED: [0, 200],
  COOLANT_TEMP: [-40, 130],
  OIL_TEMP: [-40, 150],
  INTAKE_TEMP: [-40, 80],
  AMBIANT_AIR_TEMP: [-40, 60],
  ELM_VOLTAGE: [8, 16],
  CONTROL_MODULE_VOLTAGE: [8, 16],
  INTAKE_PRESSURE: [0, 255],
  BAROMETRIC_PRESSURE: [0, 255],
  TIMING_ADVANCE: [-64, 64],
  MAF: [0, 200],
};

/** [min, max] of a gauge in wire units, or null when it should range itself. */
export function gaugeRange(name, unit) {
  if (Object.hasOwn(RANGES, name)) return RANGES[name];
  if (unit === 'percent') return name.includes('TRIM') ? [-100, 100] : [0, 100];
  return null;
}
