// One tile per watched command: built once, then each frame changes only the text and the
// gauge arc of the tiles whose value changed.
import { onNextFrame } from './frame.js';
import { displayUnit, formatNumber, formatValue, gaugeRange } from './units.js';

const SVG = 'http://www.w3.org/2000/svg';
const ARC = 'M10 52 A40 40 0 0 1 90 52';
/** A tile without a value for this long is shown as stale (the command stopped answering). */
const STALE_MS = 5000;

export class Tiles {
  constructor(container, { onToggle }) {
    this.container = container;
    this.onToggle = onToggle;
    this.tiles = new Map();
    this.pending = new Map();
    this.system = 'metric';
    this.flush = () => this.render();
    setInterval(() => this.markStale(), 1000);
  }

  get names() {
    return [...this.tiles.keys()];
  }

  /** Makes the tiles match the watch list, keeping the values of tiles that stay. */
  setWatched(names) {
    for (const [name, tile] of this.tiles) {
      if (!names.includes(name)) {
        tile.root.remove();
        this.tiles.delete(name);
      }
    }
    for (const name of names) this.tile(name);
    // Values can arrive before the list does: put the tiles in the watch list's order.
    const current = [...this.container.children].map((el) => el.dataset.command);
    if (current.join() !== names.join()) {
      for (const name of names) this.container.append(this.tiles.get(name).root);
    }
  }

  update(response) {
    this.pending.set(response.command.name, response);
    onNextFrame(this.flush);
  }

  setUnits(system) {
    this.system = system;
    for (const tile of this.tiles.values()) {
      tile.unit = undefined; // re-derive the symbol and conversion on the next value
      if (tile.last) this.pending.set(tile.name, tile.last);
    }
    onNextFrame(this.flush);
  }

  /** Marks the charted tiles and gives each its series colour. */
  setCharted(colors) {
    for (const [name, tile] of this.tiles) {
      const color = colors.get(name);
      tile.root.setAttribute('aria-pressed', String(color !== undefined));
      tile.root.style.setProperty('--series', color ?? '');
    }
  }

  /** Numeric tiles in watch order: the chart's candidates. */
  isNumeric(name) {
    return this.tiles.get(name)?.numeric ?? false;
  }

  tile(name) {
    let tile = this.tiles.get(name);
    if (tile) return tile;
    const root = document.createElement('button');
    root.type = 'button';
    root.className = 'tile';
    root.dataset.command = name;
    root.setAttribute('aria-pressed', 'false');
    root.title = `${name}: tap to chart`;
    const label = span('name', name);
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'gauge');
    svg.setAttribute('viewBox', '0 0 100 58');
    svg.setAttribute('aria-hidden', 'true');
    const track = arcPath('track');
    const arc = arcPath('arc');
    svg.append(track, arc);
    const value = span('value', '–');
    const unit = span('unit', '');
    const reading = span('reading');
    reading.append(value, unit);
    root.append(label, svg, reading);
    root.addEventListener('click', () => this.onToggle(name));
    tile = { name, root, arc, value, unit: undefined, unitEl: unit, numeric: false, min: Infinity, max: -Infinity, last: null, seen: 0 };
    this.tiles.set(name, tile);
    this.container.append(root);
    return tile;
  }

  render() {
    for (const response of this.pending.values()) {
      const tile = this.tiles.get(response.command.name);
      if (tile) this.paint(tile, response);
    }
    this.pending.clear();
  }

  paint(tile, response) {
    tile.last = response;
    tile.seen = performance.now();
    tile.root.classList.remove('stale');
    const numeric = typeof response.value === 'number';
    if (numeric !== tile.numeric || tile.unit === undefined) {
      tile.numeric = numeric;
      tile.root.classList.toggle('text', !numeric);
      tile.unit = displayUnit(response.unit, this.system);
      tile.unitEl.textContent = numeric ? tile.unit.symbol : '';
      tile.root.title = `${response.command.desc} (${response.command.name}): tap to chart`;
    }
    if (!numeric) {
      tile.value.textContent = formatValue(response.value, response.unit);
      return;
    }
    tile.value.textContent = formatNumber(tile.unit.convert(response.value));
    // Known ranges are in python-OBD's metric units, whatever units the gateway sends.
    const known = gaugeRange(tile.name, response.unit);
    const value = known ? displayUnit(response.unit, 'metric').convert(response.value) : response.value;
    const range = known ?? this.autoRange(tile, value);
    const fraction = Math.min(1, Math.max(0, (value - range[0]) / (range[1] - range[0] || 1)));
    tile.arc.setAttribute('stroke-dashoffset', String(100 - fraction * 100));
  }

  /** Ranges from 0 (or the lowest value seen) to a round number above the highest seen. */
  autoRange(tile, value) {
    tile.min = Math.min(tile.min, value, 0);
    tile.max = Math.max(tile.max, value);
    const top = tile.max <= 0 ? 1 : niceCeiling(tile.max * 1.1);
    return [tile.min, top];
  }

  markStale() {
    const now = performance.now();
    for (const tile of this.tiles.values()) {
      if (tile.last && now - tile.seen > STALE_MS) tile.root.classList.add('stale');
    }
  }
}

function niceCeiling(x) {
  const step = 10 ** Math.floor(Math.log10(x));
  return Math.ceil(x / step) * step;
}

function span(className, text = '') {
  const el = document.createElement('span');
  el.className = className;
  el.textContent = text;
  return el;
}

function arcPath(className) {
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('class', className);
  path.setAttribute('d', ARC);
  path.setAttribute('fill', 'none');
  path.setAttribute('stroke-width', '9');
  path.setAttribute('stroke-linecap', 'round');
  path.setAttribute('pathLength', '100');
  if (className === 'arc') {
    path.setAttribute('stroke-dasharray', '100 100');
    path.setAttribute('stroke-dashoffset', '100');
  }
  return path;
}
