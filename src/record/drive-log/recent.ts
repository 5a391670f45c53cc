/**
 * The latest rows in memory, for GET /log/recent.csv: a ring of at most `capacity` rows, each
 * with the columns it was made with, so a reload that changes the columns keeps what came before.
 */
import { csvHeader, csvLine, type Row } from './csv.js';

interface KeptRow extends Row {
  columns: readonly string[];
}

/** Bound on rows held, whatever log.recent and log.every say (a day at one row per second). */
export const MAX_RECENT_ROWS = 86_400;

export class RecentRows {
  private rows: KeptRow[] = [];
  private start = 0;

  constructor(private capacity: number) {}

  setCapacity(capacity: number): void {
    const rows = this.ordered().slice(-capacity || this.rows.length);
    this.capacity = capacity;
    this.rows = capacity > 0 ? rows : [];
    this.start = 0;
  }

  get size(): number {
    return this.rows.length;
  }

  add(row: Row, columns: readonly string[]): void {
    if (this.capacity <= 0) return;
    const kept = { ...row, cells: [...row.cells], columns };
    if (this.rows.length < this.capacity) this.rows.push(kept);
    else {
      this.rows[this.start] = kept;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  /** Rows from `since` (ms since the epoch) on, as CSV under `columns` (cells of other columns are left out). */
  csv(since: number, columns: readonly string[], units: ReadonlyMap<string, string>): string {
    let text = csvHeader(columns, units);
    for (const row of this.ordered()) {
      if (row.time < since) continue;
      const values = new Map(row.columns.map((name, i) => [name, row.cells[i]]));
      text += csvLine([new Date(row.time).toISOString(), ...columns.map((name) => values.get(name) ?? null)]);
    }
    return text;
  }

  private ordered(): KeptRow[] {
    return [...this.rows.slice(this.start), ...this.rows.slice(0, this.start)];
  }
}
