/**
 * CSV as spreadsheets and pandas read it (RFC 4180): fields separated by commas, lines by CRLF,
 * a field quoted when it holds a comma, a quote or a line break, quotes inside doubled.
 */

/** One cell: numbers as numbers, empty for no value, text quoted when it must be (never as a formula), anything else as JSON. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const raw = typeof value === 'string' ? value : typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  // A text cell a spreadsheet would run as a formula (=, +, -, @) is kept as text (OWASP's advice).
  const text = /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(fields: readonly unknown[]): string {
  return fields.map(csvField).join(',') + '\r\n';
}

/** The header row: `time`, then each command with its unit in brackets when known ("RPM [revolutions_per_minute]"). */
export function csvHeader(columns: readonly string[], units: ReadonlyMap<string, string>): string {
  return csvLine(['time', ...columns.map((name) => (units.has(name) ? `${name} [${units.get(name)}]` : name))]);
}

/** A row: its ISO time, then the cells. */
export function csvRow(row: Row): string {
  return csvLine([new Date(row.time).toISOString(), ...row.cells]);
}

export interface Row {
  /** Start of the row's period, ms since the epoch. */
  time: number;
  /** One value per column (null: none in the period). */
  cells: unknown[];
}
