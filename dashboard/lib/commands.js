// The command browser: the vehicle's supported commands, filterable; tap one to query it,
// and watch or unwatch it for the live tiles.
import { request } from './client.js';
import { displayUnit, formatNumber, formatValue } from './units.js';

/** Commands whose query changes the car: asked for confirmation first. */
const DESTRUCTIVE = new Set(['CLEAR_DTC']);

export class CommandBrowser {
  constructor({ list, filter, count }, { socket, onWatchChange, system }) {
    this.list = list;
    this.filter = filter;
    this.count = count;
    this.socket = socket;
    this.onWatchChange = onWatchChange;
    this.system = system;
    this.rows = new Map();
    this.watching = new Set();
    filter.addEventListener('input', () => this.applyFilter());
  }

  /** Lists the commands (replaces the list: happens on connect, not per value). */
  setCommands(commands) {
    this.rows.clear();
    const items = commands.map((cmd) => this.row(cmd));
    this.list.replaceChildren(...items);
    this.count.textContent = commands.length ? `${commands.length} supported` : '';
    if (commands.length === 0) {
      const empty = document.createElement('li');
      empty.className = 'empty';
      empty.textContent = 'No commands yet: the adapter is not connected.';
      this.list.append(empty);
    }
    this.applyFilter();
    this.setWatching(this.watching);
  }

  setWatching(names) {
    this.watching = new Set(names);
    for (const [name, row] of this.rows) {
      const watched = this.watching.has(name);
      row.watch.textContent = watched ? 'Unwatch' : 'Watch';
      row.watch.setAttribute('aria-pressed', String(watched));
    }
  }

  row(cmd) {
    const item = document.createElement('li');
    item.dataset.command = cmd.name;
    item.dataset.search = `${cmd.name} ${cmd.desc} ${cmd.command}`.toLowerCase();
    const query = document.createElement('button');
    query.type = 'button';
    query.className = 'query';
    query.title = `Query ${cmd.name} (${cmd.command})`;
    const name = document.createElement('span');
    name.className = 'cmd-name';
    name.textContent = cmd.name;
    const desc = document.createElement('span');
    desc.className = 'cmd-desc';
    desc.textContent = cmd.desc;
    query.append(name, desc);
    const watch = document.createElement('button');
    watch.type = 'button';
    watch.className = 'chip watch';
    watch.textContent = 'Watch';
    const result = document.createElement('output');
    result.className = 'result';
    result.hidden = true;
    item.append(query, watch, result);
    query.addEventListener('click', () => this.query(cmd.name, result));
    watch.addEventListener('click', () => this.toggleWatch(cmd.name, watch, result));
    this.rows.set(cmd.name, { item, watch, result });
    return item;
  }

  async query(name, result) {
    if (DESTRUCTIVE.has(name) && !confirm(`${name} erases the car's trouble codes and freeze frame. Send it?`)) return;
    result.hidden = false;
    result.classList.remove('error');
    result.textContent = 'asking…';
    const reply = await request(this.socket, 'query', name);
    if (!reply.ok) {
      result.classList.add('error');
      result.textContent = `${reply.error.code}: ${reply.error.message}`;
    } else if (reply.value === null) {
      result.textContent = 'no data';
    } else {
      result.textContent = this.describe(reply.value);
    }
  }

  describe(response) {
    if (typeof response.value === 'number') {
      const unit = displayUnit(response.unit, this.system);
      return `${formatNumber(unit.convert(response.value))} ${unit.symbol}`.trim();
    }
    return formatValue(response.value, response.unit);
  }

  async toggleWatch(name, button, result) {
    const watched = this.watching.has(name);
    button.disabled = true;
    const reply = await request(this.socket, watched ? 'unwatch' : 'watch', [name]);
    // The reference's loop streams only once started; `start` is harmless when it already runs.
    if (reply.ok && !watched) await request(this.socket, 'start');
    button.disabled = false;
    if (!reply.ok) {
      result.hidden = false;
      result.classList.add('error');
      result.textContent = `${reply.error.code}: ${reply.error.message}`;
      return;
    }
    this.onWatchChange();
  }

  applyFilter() {
    const words = this.filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    for (const { item } of this.rows.values()) {
      const text = item.dataset.search;
      item.hidden = !words.every((w) => text.includes(w));
    }
  }
}
