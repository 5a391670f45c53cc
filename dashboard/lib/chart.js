// The time-series chart: samples go into a ring buffer as they arrive; uPlot redraws from it
// a few times a second, and only while the page is visible (it draws in animation frames).
import { onNextFrame } from './frame.js';
import { RingTable } from './ring.js';
import { displayUnit, formatNumber } from './units.js';

export const SERIES_COLORS = ['#4fb3ff', '#ffb347', '#3ccf7a', '#ff6b9a', '#b48cff', '#e8d84b', '#5ee6d9', '#ff8f5e'];
/** One row per 100 ms at most: 10 Hz, the fastest useful rate for a person watching. */
const SAMPLE_MS = 100;
/** Redraws per second, at most: smooth enough, and cheap on a phone. */
const DRAW_MS = 250;
/** A value older than this is not carried into new rows (the command stopped answering). */
const HOLD_MS = 3000;

export class Chart {
  constructor(container, { windowSeconds = 300 } = {}) {
    this.container = container;
    this.windowSeconds = windowSeconds;
    this.ring = new RingTable(Math.ceil((windowSeconds * 1000) / SAMPLE_MS) + 50);
    this.latest = new Map(); // name → { value, unit, at }
    this.selected = [];
    this.system = 'metric';
    this.plot = null;
    this.lastRow = 0;
    this.lastDraw = 0;
    this.drawTimer = null;
    this.draw = () => this.redraw();
    this.rebuildJob = () => this.rebuild();
    this.hint = document.createElement('p');
    this.hint.className = 'empty';
    this.hint.textContent = 'Tap a live value to chart it.';
    container.append(this.hint);
    new ResizeObserver(() => this.resize()).observe(container);
  }

  /** Records a numeric value as it arrives. */
  record(name, value, unit) {
    const now = Date.now();
    const unitKnown = this.latest.has(name);
    this.latest.set(name, { value, unit, at: now });
    // A series charted before its first value had no unit for its label and scale yet.
    if (!unitKnown && this.selected.includes(name)) onNextFrame(this.rebuildJob);
    if (now - this.lastRow < SAMPLE_MS) return;
    this.lastRow = now;
    const row = new Map();
    for (const [key, sample] of this.latest) {
      if (now - sample.at <= HOLD_MS) row.set(key, sample.value);
    }
    this.ring.push(now / 1000, row);
    if (this.plot) onNextFrame(this.draw);
  }

  /** The commands to chart, in order; each gets the colour of its position. */
  setSelected(names) {
    this.selected = names.slice(0, SERIES_COLORS.length);
    this.rebuild();
  }

  colors() {
    return new Map(this.selected.map((name, i) => [name, SERIES_COLORS[i]]));
  }

  setUnits(system) {
    this.system = system;
    this.rebuild();
  }

  rebuild() {
    this.plot?.destroy();
    this.plot = null;
    this.hint.hidden = this.selected.length > 0;
    if (this.selected.length === 0) return;
    const style = getComputedStyle(document.documentElement);
    const muted = style.getPropertyValue('--muted').trim() || '#888';
    const line = style.getPropertyValue('--line').trim() || '#333';
    // Series with the same displayed unit share a scale; the first two scales get an axis each.
    const scaleOf = (name) => {
      const symbol = displayUnit(this.latest.get(name)?.unit, this.system).symbol;
      return symbol ? `u:${symbol}` : `n:${name}`;
    };
    const scales = [...new Set(this.selected.map(scaleOf))];
    const axis = (scale, side) => ({
      scale,
      side,
      stroke: muted,
      grid: { show: side === 3, stroke: line, width: 1 },
      ticks: { stroke: line, width: 1 },
      size: 52,
    });
    const opts = {
      ...this.size(),
      scales: { x: { time: true } },
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
      series: [
        {},
        ...this.selected.map((name, i) => ({
          label: `${name} ${displayUnit(this.latest.get(name)?.unit, this.system).symbol}`.trim(),
          scale: scaleOf(name),
          stroke: SERIES_COLORS[i],
          width: 1.5,
          spanGaps: false,
          points: { show: false },
          value: (u, v) => (v == null ? '–' : formatNumber(v)),
        })),
      ],
      axes: [
        { stroke: muted, grid: { stroke: line, width: 1 }, ticks: { stroke: line, width: 1 } },
        ...scales.slice(0, 2).map((scale, i) => axis(scale, i === 0 ? 3 : 1)),
      ],
    };
    this.plot = new globalThis.uPlot(opts, this.data(), this.container);
    this.lastDraw = performance.now();
  }

  data() {
    const convert = (name) => displayUnit(this.latest.get(name)?.unit, this.system).convert;
    return this.ring.toSeries(this.selected, Date.now() / 1000 - this.windowSeconds, convert);
  }

  redraw() {
    if (!this.plot) return;
    const now = performance.now();
    const wait = DRAW_MS - (now - this.lastDraw);
    if (wait > 0) {
      // Too soon: draw once more later so the newest samples still show.
      this.drawTimer ??= setTimeout(() => {
        this.drawTimer = null;
        onNextFrame(this.draw);
      }, wait);
      return;
    }
    this.lastDraw = now;
    const data = this.data();
    this.plot.setData(data);
    this.container.dataset.points = String(data[0].length);
  }

  size() {
    const width = Math.max(240, this.container.clientWidth);
    return { width, height: Math.round(Math.min(320, Math.max(180, width * 0.42))) };
  }

  resize() {
    if (this.plot) this.plot.setSize(this.size());
  }
}
