// The header (gateway link, adapter state, protocol, voltage) and the config reload panel.
import { bytesToText } from './units.js';

const STATE_TEXT = {
  connected: 'connected',
  connecting: 'connecting…',
  disconnected: 'not connected',
  lost: 'adapter lost',
  retrying: 'retrying',
  closed: 'closed by a client',
  offline: 'gateway unreachable',
};

/** Maps python-OBD's status strings onto the states `obdio:status` uses. */
export function stateFromStatus(status) {
  if (status === 'Car Connected') return 'connected';
  if (status === 'ELM Connected' || status === 'OBD Connected') return 'connecting';
  return 'disconnected';
}

export class StatusBar {
  constructor(els) {
    this.els = els;
  }

  /** `info`: the fields of `obdio:status` the page knows (any may be missing). */
  show(info) {
    const { dot, state, protocol, port, vin } = this.els;
    const key = info.state ?? 'connecting';
    dot.dataset.state = key;
    let text = STATE_TEXT[key] ?? key;
    if (key === 'connected' && info.status && info.status !== 'Car Connected') text = info.status;
    if (key === 'retrying' && typeof info.retry_in === 'number') text = `retrying in ${Math.ceil(info.retry_in / 1000)} s`;
    if (info.paused) text += ' (paused: low battery)';
    // `error` is the reason with its fix, as text (an object with a message is read too).
    const reason = typeof info.error === 'string' ? info.error : info.error?.message;
    if (reason && key !== 'connected') text += ` — ${reason}`;
    state.textContent = text;
    state.title = reason ?? '';
    if (info.protocol_name !== undefined) protocol.textContent = info.protocol_name || '–';
    if (info.port_name !== undefined) port.textContent = info.port_name || '–';
    if (info.vin !== undefined) vin.textContent = info.vin || '–';
    if (typeof info.voltage === 'number') this.voltage(info.voltage);
  }

  /** VIN from `query VIN` (bytes) when obdio:status does not bring it. */
  vinBytes(bytes) {
    if (Array.isArray(bytes) && bytes.length > 0) this.els.vin.textContent = bytesToText(bytes);
  }

  voltage(volts) {
    this.els.voltage.textContent = typeof volts === 'number' ? `${volts.toFixed(1)} V` : '–';
  }
}

/** Shows the last reload: ok with what changed, or every error at its file:line:col. */
export function renderConfig(container, result) {
  const time = document.createElement('time');
  time.textContent = ` at ${new Date().toLocaleTimeString()}`;
  if (result.ok) {
    const p = document.createElement('p');
    p.className = 'ok';
    p.textContent = result.changed.length ? `Reloaded: ${result.changed.join(', ')}` : 'Saved; nothing changed';
    p.append(time);
    container.replaceChildren(p);
    return;
  }
  const head = document.createElement('p');
  head.className = 'bad';
  head.textContent = 'The last save was not applied; the previous configuration keeps running.';
  head.append(time);
  const list = document.createElement('ul');
  for (const error of result.errors) {
    const item = document.createElement('li');
    const where = document.createElement('span');
    where.className = 'where';
    where.textContent = `${error.file ?? 'obdio.yaml'}:${error.line}:${error.col}`;
    item.append(where, ` ${error.message}`);
    list.append(item);
  }
  container.replaceChildren(head, list);
}
