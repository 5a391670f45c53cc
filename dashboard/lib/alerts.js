// The active alerts (alerts: in obdio.yaml): the list arrives on obdio:alerts when the page
// connects, then each raise and clear on obdio:alert. A gateway without alerts sends neither,
// and the panel stays hidden.
import { formatNumber } from './units.js';

export class AlertList {
  /** @param {{ panel: HTMLElement, list: HTMLElement }} elements */
  constructor(elements) {
    this.panel = elements.panel;
    this.list = elements.list;
    /** @type {Map<string, {name: string, message: string, active: boolean, since: number, value: unknown}>} */
    this.active = new Map();
  }

  /** The whole list (on connect): what is not in it is over. */
  replace(alerts) {
    this.active = new Map(alerts.filter((a) => a.active).map((a) => [a.name, a]));
    this.render();
  }

  /** One raise or clear. */
  change(alert) {
    if (alert.active) this.active.set(alert.name, alert);
    else this.active.delete(alert.name);
    this.render();
  }

  render() {
    const items = [...this.active.values()]
      .sort((a, b) => a.since - b.since)
      .map((alert) => {
        const item = document.createElement('li');
        item.dataset.alert = alert.name;
        const message = document.createElement('span');
        message.className = 'message';
        message.textContent = alert.message;
        const detail = document.createElement('span');
        detail.className = 'detail';
        detail.textContent = `${describeValue(alert.value)}since ${new Date(alert.since).toLocaleTimeString()}`;
        item.append(message, detail);
        return item;
      });
    this.list.replaceChildren(...items);
    this.panel.hidden = items.length === 0;
  }
}

/** The value that raised it, when it says something: a reading, the trouble codes, the link's state. */
function describeValue(value) {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.length ? `${value.join(', ')} · ` : '';
  if (typeof value === 'number') return `${formatNumber(value)} · `;
  return `${String(value)} · `;
}
