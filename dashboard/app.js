// obdio-gateway's dashboard. It talks to the gateway only through public Socket.IO events, so
// it is also an example client:
//   obdio:subscribe → every watched value arrives on obdio:value
//   obdio:status / obdio:config → pushed on connect and on every change
//   obdio:alerts (on connect) / obdio:alert → the active alerts
//   obdio:watching, obdio:dtcs, supported_commands, query, watch, unwatch → asked with acks
// Events an older gateway lacks answer UNKNOWN_EVENT; the page then falls back to the
// reference's events (status, protocol_name, query GET_DTC) and polls.
import { connectGateway, isMissingEvent, rememberToken, request, withToken } from './lib/client.js';
import { Chart } from './lib/chart.js';
import { CommandBrowser } from './lib/commands.js';
import { readDtcs, renderDtcs } from './lib/dtcs.js';
import { StatusBar, renderConfig, stateFromStatus } from './lib/status.js';
import { Tiles } from './lib/tiles.js';
import { AlertList } from './lib/alerts.js';
import { TripPanel } from './lib/trip.js';

const POLL_MS = 3000;
const VOLTAGE_MS = 5000;
const CHART_KEY = 'obdio.chart';
const UNITS_KEY = 'obdio.units';
/** Commands charted until the user picks: these first, if watched, else the first numeric ones. */
const PREFERRED_CHART = ['RPM', 'SPEED'];

const $ = (id) => document.getElementById(id);

const page = {
  socket: null,
  system: 'metric',
  adapterState: null,
  /** Whether the gateway pushes obdio:status (then there is nothing to poll). */
  statusPushed: false,
  /** Whether obdio:watching answers; without it, tiles appear as values arrive. */
  watchListKnown: false,
  supported: null,
  userChart: null,
  hasValues: false,
};

async function main() {
  const settings = await fetch('dashboard.json')
    .then((r) => (r.ok ? r.json() : {}))
    .catch(() => ({}));
  page.system = localStorage.getItem(UNITS_KEY) ?? settings.units ?? 'metric';
  page.userChart = readStoredChart();

  const status = new StatusBar({
    dot: $('conn-dot'),
    state: $('conn-state'),
    protocol: $('protocol'),
    voltage: $('voltage'),
    port: $('port'),
    vin: $('vin'),
  });
  const chart = new Chart($('chart'));
  chart.system = page.system;
  const tiles = new Tiles($('tiles'), { onToggle: (name) => toggleChart(name) });
  tiles.system = page.system;
  const socket = connectGateway();
  page.socket = socket;
  const trip = new TripPanel({ panel: $('trip-panel'), list: $('trip'), reset: $('trip-reset') }, settings.trip ?? [], {
    onReset: async () => {
      const result = await request(socket, 'obdio:trip_reset');
      if (!result.ok) banner(`A new trip could not start: ${result.error.message}`);
    },
  });
  trip.setUnits(page.system);
  const browser = new CommandBrowser(
    { list: $('commands'), filter: $('command-filter'), count: $('commands-count') },
    { socket, system: page.system, onWatchChange: () => refreshWatching() },
  );

  function toggleChart(name) {
    const current = chart.selected;
    const next = current.includes(name) ? current.filter((n) => n !== name) : [...current, name];
    page.userChart = next;
    localStorage.setItem(CHART_KEY, JSON.stringify(next));
    applyChart(next);
  }

  function applyChart(names) {
    chart.setSelected(names);
    tiles.setCharted(chart.colors());
  }

  /** Until the user picks, chart RPM and SPEED (or the first two numeric values) when they come. */
  function autoChart(name) {
    if (page.userChart || chart.selected.includes(name) || chart.selected.length >= 2) return;
    const preferred = PREFERRED_CHART.filter((n) => tiles.names.includes(n));
    if (preferred.length > 0 && !preferred.includes(name)) return;
    // Keep the watch list's order whichever value came first, so colours stay put across reloads.
    const order = preferred.length > 0 ? preferred : tiles.names;
    applyChart([...chart.selected, name].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
  }

  // ---- streaming values ----
  socket.on('obdio:value', (response) => {
    const name = response.command.name;
    if (name === 'ELM_VOLTAGE') status.voltage(response.value);
    trip.update(response);
    if (!page.watchListKnown) {
      tiles.tile(name);
    } else if (!tiles.names.includes(name)) {
      // Another client watched it (or this value was in flight during an unwatch): ask again.
      void refreshWatching();
      return;
    }
    tiles.update(response);
    if (typeof response.value === 'number') {
      chart.record(name, response.value, response.unit);
      autoChart(name);
    }
    if (!page.hasValues) {
      page.hasValues = true;
      $('tiles-empty').hidden = true;
    }
  });

  let watchingRequest = null;
  /** One `obdio:watching` request at a time, however many asked for it meanwhile. */
  function refreshWatching() {
    watchingRequest ??= askWatching().finally(() => (watchingRequest = null));
    return watchingRequest;
  }

  async function askWatching() {
    const result = await request(socket, 'obdio:watching');
    if (!result.ok) {
      if (isMissingEvent(result)) page.watchListKnown = false;
      return;
    }
    page.watchListKnown = true;
    const names = result.value.map((w) => w.name);
    tiles.setWatched(names);
    browser.setWatching(names);
    $('tiles-empty').hidden = names.length > 0;
    $('watch-note').textContent = names.length ? `${names.length} watched` : '';
    if (page.userChart) {
      const kept = page.userChart.filter((n) => names.includes(n));
      if (kept.length !== chart.selected.length) applyChart(kept);
    } else {
      const kept = chart.selected.filter((n) => names.includes(n));
      if (kept.length !== chart.selected.length) applyChart(kept);
    }
    tiles.setCharted(chart.colors());
  }

  // ---- adapter state ----
  socket.on('obdio:status', (info) => {
    page.statusPushed = true;
    status.show(info);
    adapterState(info.state);
  });
  socket.on('obd_closed', () => {
    status.show({ state: 'closed' });
    adapterState('closed');
  });

  async function pollStatus() {
    const [st, protocol, port] = await Promise.all([
      request(socket, 'status'),
      request(socket, 'protocol_name'),
      request(socket, 'port_name'),
    ]);
    if (page.statusPushed || !st.ok) return;
    const state = stateFromStatus(st.value);
    status.show({
      state,
      status: st.value,
      protocol_name: protocol.ok ? protocol.value : undefined,
      port_name: port.ok ? port.value : undefined,
    });
    adapterState(state);
  }

  /** On every change into "connected": the car may be another one, so read everything again. */
  function adapterState(state) {
    const was = page.adapterState;
    page.adapterState = state;
    if (state === 'connected' && was !== 'connected') {
      void loadSupported();
      void loadDtcs();
      void refreshWatching();
      void readVoltage();
      if (!page.statusPushed) void readVin();
    }
  }

  async function readVin() {
    const result = await request(socket, 'query', 'VIN');
    if (result.ok && result.value) status.vinBytes(result.value.value);
  }

  async function loadSupported() {
    const result = await request(socket, 'supported_commands');
    if (!result.ok) return;
    page.supported = new Set(result.value.map((c) => c.name));
    browser.setCommands(result.value);
  }

  async function loadDtcs() {
    const button = $('dtc-refresh');
    button.disabled = true;
    renderDtcs($('dtcs'), await readDtcs(socket, page.supported));
    button.disabled = false;
  }
  $('dtc-refresh').addEventListener('click', () => void loadDtcs());
  // A gateway may also push a new report by itself (after a clear, say).
  socket.on('obdio:dtcs', (report) => renderDtcs($('dtcs'), { report, notes: [] }));

  async function readVoltage() {
    if (page.adapterState !== 'connected' || tiles.names.includes('ELM_VOLTAGE')) return;
    const result = await request(socket, 'query', 'ELM_VOLTAGE');
    if (result.ok && result.value) status.voltage(result.value.value);
  }

  // ---- alerts ----
  const alerts = new AlertList({ panel: $('alerts-panel'), list: $('alerts') });
  socket.on('obdio:alerts', (list) => alerts.replace(list));
  socket.on('obdio:alert', (alert) => alerts.change(alert));

  // ---- config reloads ----
  socket.on('obdio:config', (result) => renderConfig($('config-status'), result));

  // ---- the link to the gateway ----
  socket.on('connect', async () => {
    banner(null);
    $('token-form').hidden = true;
    page.adapterState = null;
    await refreshWatching();
    const subscribed = await request(socket, 'obdio:subscribe');
    if (!subscribed.ok) banner(`Live values are unavailable: ${subscribed.error.message}`);
    if (!page.statusPushed) await pollStatus();
  });
  socket.on('disconnect', (reason) => {
    status.show({ state: 'offline' });
    page.adapterState = null;
    page.statusPushed = false;
    if (reason !== 'io client disconnect') banner('Lost the connection to the gateway; reconnecting…');
  });
  socket.on('connect_error', (error) => {
    status.show({ state: 'offline' });
    if (/unauthorized/i.test(error.message)) {
      banner(null);
      $('token-form').hidden = false;
      $('token').focus();
    } else {
      banner(`Cannot reach the gateway (${error.message}); retrying…`);
    }
  });
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    rememberToken($('token').value);
    socket.connect();
  });
  // The download of the last minutes carries the token too (with server.auth.token set).
  const recentCsv = $('recent-csv');
  const recentHref = recentCsv.getAttribute('href');
  recentCsv.addEventListener('click', () => {
    recentCsv.href = withToken(recentHref);
  });

  // ---- units ----
  const unitsButton = $('units');
  unitsButton.textContent = page.system;
  unitsButton.addEventListener('click', () => {
    page.system = page.system === 'metric' ? 'imperial' : 'metric';
    localStorage.setItem(UNITS_KEY, page.system);
    unitsButton.textContent = page.system;
    browser.system = page.system;
    tiles.setUnits(page.system);
    chart.setUnits(page.system);
    trip.setUnits(page.system);
  });

  if (page.userChart) applyChart(page.userChart);
  setInterval(() => {
    if (!socket.connected) return;
    void refreshWatching();
    if (!page.statusPushed) void pollStatus();
  }, POLL_MS);
  setInterval(() => socket.connected && void readVoltage(), VOLTAGE_MS);
}

function readStoredChart() {
  try {
    const stored = JSON.parse(localStorage.getItem(CHART_KEY) ?? 'null');
    return Array.isArray(stored) && stored.every((n) => typeof n === 'string') ? stored : null;
  } catch {
    return null;
  }
}

function banner(text) {
  const el = $('banner');
  el.hidden = text === null;
  el.textContent = text ?? '';
}

main().catch((error) => banner(`The dashboard failed to start: ${error.message}`));
