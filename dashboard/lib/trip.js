// The trip computer: the config's computed commands (obdio.yaml `computed:`, listed in
// dashboard.json) as one compact panel, with a button that starts a new trip
// (`obdio:trip_reset`: every integrate and average starts again).
import { displayUnit, formatNumber } from './units.js';

export class TripPanel {
  /** `commands`: [{name, desc}] in the config's order. */
  constructor({ panel, list, reset }, commands, { onReset }) {
    this.rows = new Map();
    this.system = 'metric';
    panel.hidden = commands.length === 0;
    for (const { name, desc } of commands) {
      const row = document.createElement('div');
      row.dataset.command = name;
      const term = document.createElement('dt');
      term.textContent = desc || name;
      term.title = name;
      const value = document.createElement('dd');
      value.textContent = '–';
      row.append(term, value);
      list.append(row);
      this.rows.set(name, { value, last: null });
    }
    reset.addEventListener('click', () => onReset());
  }

  has(name) {
    return this.rows.has(name);
  }

  update(response) {
    const row = this.rows.get(response.command.name);
    if (!row) return;
    row.last = response;
    this.render(row);
  }

  setUnits(system) {
    this.system = system;
    for (const row of this.rows.values()) this.render(row);
  }

  render(row) {
    const response = row.last;
    if (!response) return;
    if (typeof response.value !== 'number') {
      row.value.textContent = '–';
      return;
    }
    const { symbol, convert } = displayUnit(response.unit, this.system);
    row.value.textContent = `${formatNumber(convert(response.value))}${symbol ? ` ${symbol}` : ''}`;
  }
}
