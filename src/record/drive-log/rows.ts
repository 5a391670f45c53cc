/**
 * Turns the stream of values into rows: one row per period of `every` ms, each cell the latest
 * value of its column received in that period. A row is complete when a value of a later period
 * arrives, or when flush() is called (the drive ended); a period with no value writes nothing.
 */
import type { Row } from './csv.js';

export class RowBuilder {
  private readonly index: Map<string, number>;
  private period: number | null = null;
  private cells: unknown[] = [];
  private filled = false;
  /** The unit of each column, from its latest value. */
  readonly units = new Map<string, string>();

  constructor(
    readonly columns: readonly string[],
    private readonly every: number,
    private readonly emit: (row: Row) => void,
  ) {
    this.index = new Map(columns.map((name, i) => [name, i]));
  }

  has(command: string): boolean {
    return this.index.has(command);
  }

  /** Adds one value (null: the command answered without one), received at `t` ms. */
  push(command: string, value: unknown, unit: string | null, t: number): void {
    const i = this.index.get(command);
    if (i === undefined) return;
    const period = Math.floor(t / this.every);
    if (this.period !== null && period !== this.period) this.flush();
    if (this.period === null) {
      this.period = period;
      this.cells = new Array<unknown>(this.columns.length).fill(null);
    }
    if (value === null) return;
    this.cells[i] = value;
    this.filled = true;
    if (unit !== null) this.units.set(command, unit);
  }

  /** Emits the row being filled, if it has a value. */
  flush(): void {
    if (this.period !== null && this.filled) this.emit({ time: this.period * this.every, cells: this.cells });
    this.period = null;
    this.filled = false;
  }
}
