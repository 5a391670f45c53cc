// A fixed-size table of samples over time: one time column and one column per command.
// Adding a sample never allocates, so minutes of 10 Hz data cost the same as seconds.

export class RingTable {
  constructor(capacity) {
    this.capacity = capacity;
    this.times = new Float64Array(capacity);
    this.columns = new Map();
    this.start = 0;
    this.length = 0;
  }

  /** Adds one row: `t` in seconds, `values` a Map of column name → number (missing: a gap). */
  push(t, values) {
    for (const name of values.keys()) this.column(name);
    let index;
    if (this.length < this.capacity) {
      index = (this.start + this.length) % this.capacity;
      this.length++;
    } else {
      index = this.start;
      this.start = (this.start + 1) % this.capacity;
    }
    this.times[index] = t;
    for (const [name, column] of this.columns) {
      const v = values.get(name);
      column[index] = typeof v === 'number' && Number.isFinite(v) ? v : NaN;
    }
  }

  column(name) {
    let column = this.columns.get(name);
    if (!column) {
      column = new Float64Array(this.capacity).fill(NaN);
      this.columns.set(name, column);
    }
    return column;
  }

  /**
   * uPlot's data layout for the rows since `since` (seconds): [times, ...one array per name],
   * gaps as null. `convert` turns each column's numbers into display units.
   */
  toSeries(names, since, convert = () => (v) => v) {
    let first = 0;
    while (first < this.length && this.times[(this.start + first) % this.capacity] < since) first++;
    const count = this.length - first;
    const times = new Array(count);
    const series = names.map(() => new Array(count));
    const columns = names.map((name) => this.columns.get(name));
    const converters = names.map((name) => convert(name));
    for (let i = 0; i < count; i++) {
      const index = (this.start + first + i) % this.capacity;
      times[i] = this.times[index];
      for (let s = 0; s < names.length; s++) {
        const v = columns[s] ? columns[s][index] : NaN;
        series[s][i] = Number.isNaN(v) ? null : converters[s](v);
      }
    }
    return [times, ...series];
  }
}
