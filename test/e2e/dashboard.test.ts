import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { ObdioStatus } from '../../src/events.js';
import type { Gateway } from '../../src/gateway.js';
import { launchBrowser, pageErrors, screenshot } from '../helpers/browser.js';
import { startDashboardRig, type DashboardRig } from '../helpers/dashboard-rig.js';
import { connect, startGateway } from '../helpers/gateway.js';

/** Generous: a slow CI machine starts chromium and the simulator in parallel. */
const WAIT = { timeout: 15000 };

const CONFIG = `
watch:
  commands: [RPM, SPEED, COOLANT_TEMP, THROTTLE_POS, ENGINE_LOAD, INTAKE_TEMP, MAF, FUEL_LEVEL]
  interval: 0.05
`;

/** The text of `selector` once it matches `pattern`. */
async function textMatching(page: Page, selector: string, pattern: RegExp, timeout = WAIT.timeout): Promise<string> {
  const handle = await page.waitForFunction(
    ({ selector, source, flags }) => {
      const text = document.querySelector(selector)?.textContent ?? '';
      return new RegExp(source, flags).test(text) ? text : false;
    },
    { selector, source: pattern.source, flags: pattern.flags },
    { timeout },
  );
  return (await handle.jsonValue()) as string;
}

/**
 * Runs `check` until it passes (10 tries): for made-up statuses pushed to the page, which the
 * gateway's own pushes (the battery voltage changed) may overwrite at any moment.
 */
async function eventually(check: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await check();
    } catch (error) {
      if (attempt >= 10) throw error;
    }
  }
}

describe('the dashboard in chromium, against the gateway on the simulator', () => {
  let rig: DashboardRig;
  let file: string;
  let gateway: Gateway;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  before(async () => {
    rig = await startDashboardRig(CONFIG);
    ({ file, gateway, browser, page, errors } = rig);
    await page.goto(`${gateway.url}/`);
  });
  after(() => rig?.close());

  test('connects and shows the adapter state, protocol and voltage', async () => {
    await textMatching(page, '#conn-state', /^connected/);
    assert.equal(await textMatching(page, '#protocol', /ISO/), 'ISO 15765-4 (CAN 11/500)');
    // The simulated adapter answers ATRV with a battery voltage (12-15 V).
    const voltage = await textMatching(page, '#voltage', /V$/);
    const volts = Number.parseFloat(voltage);
    assert.ok(volts > 11 && volts < 16, voltage);
  });

  test('a tile per watched command, with units; the RPM gauge moves within seconds', async () => {
    await page.waitForSelector('.tile[data-command="FUEL_LEVEL"]', WAIT);
    const names = await page.$$eval('.tile', (tiles) => tiles.map((t) => (t as HTMLElement).dataset.command));
    assert.deepEqual(names, ['RPM', 'SPEED', 'COOLANT_TEMP', 'THROTTLE_POS', 'ENGINE_LOAD', 'INTAKE_TEMP', 'MAF', 'FUEL_LEVEL']);
    assert.equal(await textMatching(page, '.tile[data-command="RPM"] .unit', /./), 'rpm');
    assert.equal(await textMatching(page, '.tile[data-command="COOLANT_TEMP"] .unit', /./), '°C');
    const first = await textMatching(page, '.tile[data-command="RPM"] .value', /^\d+$/);
    await page.waitForFunction(
      (before) => {
        const now = document.querySelector('.tile[data-command="RPM"] .value')?.textContent;
        return now !== before && /^\d+$/.test(now ?? '');
      },
      first,
      WAIT,
    );
  });

  test('the chart draws RPM and SPEED, and its data grows', async () => {
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#chart')?.dataset.points) > 5, null, WAIT);
    const before = Number(await page.getAttribute('#chart', 'data-points'));
    await page.waitForFunction((n) => Number(document.querySelector<HTMLElement>('#chart')?.dataset.points) > n, before, WAIT);
    const labels = await page.$$eval('#chart .u-legend .u-series:not(:first-child) .u-label', (els) => els.map((e) => e.textContent));
    assert.deepEqual(labels, ['RPM rpm', 'SPEED km/h']);
    // Pixels of the series colours on the canvas: the lines are drawn, not only the axes.
    const coloured = await page.$eval('#chart canvas', (canvas) => {
      const c = canvas as HTMLCanvasElement;
      const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
      let count = 0;
      for (let i = 0; i < data.length; i += 4) {
        // #4fb3ff (RPM): strongly blue, unlike the grey grid and text.
        if (data[i + 3]! > 200 && data[i + 2]! > 200 && data[i]! < 140) count++;
      }
      return count;
    });
    assert.ok(coloured > 20, `${coloured} series pixels`);
  });

  test("the trouble codes list the simulator's codes with their descriptions, per ECU", async () => {
    await page.waitForSelector('#dtcs li[data-code="P0741"]', WAIT);
    const stored = await page.$$eval('#dtcs [data-kind="stored"] li', (items) =>
      items.map((li) => [li.querySelector('.code')?.textContent, li.querySelector('.desc')?.textContent]),
    );
    // The simulator's engine stores P0104 and P0420, its gearbox P0741; descriptions as
    // python-OBD's DTC table words them.
    assert.deepEqual(stored.sort(), [
      ['P0104', 'Mass or Volume Air Flow Circuit Intermittent'],
      ['P0420', 'Catalyst System Efficiency Below Threshold'],
      ['P0741', 'Torque Converter Clutch Circuit Performance or Stuck Off'],
    ]);
    const pending = await page.$$eval('#dtcs [data-kind="pending"] li .code', (els) => els.map((e) => e.textContent));
    assert.deepEqual(pending, ['P0171']);
    // Grouped per ECU by obdio:dtcs; a gateway without it gets one group from `query GET_DTC`.
    const client = await connect(gateway);
    const grouped = (await client.emitWithAck('obdio:dtcs')) as { error?: { code: string } };
    client.disconnect();
    const groups = await page.$$eval('#dtcs [data-kind="stored"] .dtc-ecu', (els) =>
      els.map((e) => [e.textContent, Array.from(e.nextElementSibling!.querySelectorAll('.code'), (c) => c.textContent)]),
    );
    if (grouped.error?.code === 'UNKNOWN_EVENT') {
      assert.deepEqual(
        groups.map(([ecu]) => ecu),
        ['All ECUs'],
      );
    } else {
      assert.deepEqual(groups, [
        ['Engine ECU · 7E8', ['P0104', 'P0420']],
        ['Transmission ECU · 7E9', ['P0741']],
      ]);
    }
  });

  test('the command browser: filter, tap to query, watch and unwatch', async () => {
    await page.waitForSelector('#commands li[data-command="BAROMETRIC_PRESSURE"]', WAIT);
    await page.fill('#command-filter', 'barometric');
    const visible = await page.$$eval('#commands li:not([hidden])', (items) => items.map((li) => (li as HTMLElement).dataset.command));
    assert.deepEqual(visible, ['BAROMETRIC_PRESSURE', 'DTC_BAROMETRIC_PRESSURE']);
    const row = '#commands li[data-command="BAROMETRIC_PRESSURE"]';
    await page.click(`${row} .query`);
    const result = await textMatching(page, `${row} .result`, /kPa$/);
    const kpa = Number.parseFloat(result);
    assert.ok(kpa > 60 && kpa < 110, result); // sea level to high mountain passes

    await page.click(`${row} .watch`);
    await page.waitForSelector('.tile[data-command="BAROMETRIC_PRESSURE"]', WAIT);
    await textMatching(page, '.tile[data-command="BAROMETRIC_PRESSURE"] .value', /^\d+$/);
    assert.equal(await textMatching(page, `${row} .watch`, /watch/i), 'Unwatch');
    await page.click(`${row} .watch`);
    await page.waitForSelector('.tile[data-command="BAROMETRIC_PRESSURE"]', { ...WAIT, state: 'detached' });
    await page.fill('#command-filter', '');
  });

  test('a desktop screenshot for the reviewer', async () => {
    await screenshot(page, 'dashboard-desktop.png');
  });

  test('an invalid save of the config shows its error at file:line:col; a valid one clears it', async () => {
    await textMatching(page, '#config-status', /start-up/);
    const invalid = 'watch:\n  commands: [RPM, SPEEED]\n';
    await writeFile(file, invalid);
    // Line 2, at the bad name: the column is where SPEEED starts in the text written.
    const col = invalid.split('\n')[1]!.indexOf('SPEEED') + 1;
    const shown = await textMatching(page, '#config-status', /SPEEED/);
    assert.ok(shown.includes(`${file}:2:${col}`), shown);
    assert.match(shown, /previous configuration keeps running/);
    await screenshot(page, 'dashboard-config-error.png');

    await writeFile(file, CONFIG);
    await textMatching(page, '#config-status', /Reloaded|nothing changed/);
  });

  test('on a phone-sized screen: one column, nothing wider than the screen', async () => {
    const phone = await browser.newPage({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      colorScheme: 'dark',
    });
    const phoneErrors = pageErrors(phone);
    try {
      await phone.goto(`${gateway.url}/`);
      await textMatching(phone, '.tile[data-command="SPEED"] .value', /^\d+$/);
      await phone.waitForFunction(() => Number(document.querySelector<HTMLElement>('#chart')?.dataset.points) > 3, null, WAIT);
      const widths = await phone.evaluate(() => ({
        page: document.documentElement.scrollWidth,
        chart: document.querySelector('#chart canvas')!.getBoundingClientRect().right,
      }));
      assert.ok(widths.page <= 390 && widths.chart <= 390, JSON.stringify(widths));
      const [live, chart] = await Promise.all(
        ['#live', '#chart-panel'].map((s) => phone.$eval(s, (el) => el.getBoundingClientRect().toJSON())),
      );
      assert.ok(chart.top >= live.bottom, 'the chart sits below the tiles');
      await screenshot(phone, 'dashboard-phone.png');
      assert.deepEqual(phoneErrors, []);
    } finally {
      await phone.close();
    }
  });

  test('the units switch shows imperial values and back', async () => {
    await page.click('#units');
    assert.equal(await textMatching(page, '.tile[data-command="SPEED"] .unit', /mph/), 'mph');
    assert.equal(await textMatching(page, '.tile[data-command="COOLANT_TEMP"] .unit', /°F/), '°F');
    await page.click('#units');
    assert.equal(await textMatching(page, '.tile[data-command="SPEED"] .unit', /km/), 'km/h');
  });

  test('obdio:status pushed by the gateway drives the header (state, retry, error, VIN)', async () => {
    const base: ObdioStatus = {
      state: 'disconnected',
      status: 'Not Connected',
      protocol_name: '',
      protocol_id: '',
      port_name: '/dev/ttyUSB0',
      voltage: null,
      vin: null,
      paused: false,
    };
    const retrying: ObdioStatus = { ...base, state: 'retrying', retry_in: 4200, error: 'no adapter on /dev/ttyUSB0' };
    await eventually(async () => {
      gateway.sockets.io.emit('obdio:status', retrying);
      assert.equal(await textMatching(page, '#conn-state', /retrying/, 1000), 'retrying in 5 s — no adapter on /dev/ttyUSB0');
      assert.equal(await page.getAttribute('#conn-dot', 'data-state'), 'retrying');
      assert.equal(await page.textContent('#port'), '/dev/ttyUSB0');
    });
    const connected: ObdioStatus = {
      ...base,
      state: 'connected',
      status: 'Car Connected',
      protocol_name: 'ISO 15765-4 (CAN 11/500)',
      protocol_id: '6',
      port_name: 'sim',
      voltage: 12.64,
      vin: '1SDVM3GTXHB000001',
    };
    await eventually(async () => {
      gateway.sockets.io.emit('obdio:status', connected);
      assert.equal(await textMatching(page, '#vin', /1SD/, 1000), '1SDVM3GTXHB000001');
      assert.equal(await textMatching(page, '#conn-state', /^connected$/, 1000), 'connected');
    });
  });

  test('no script errors on the page', () => {
    assert.deepEqual(errors, []);
  });
});

describe('examples/public/index.html served through a static route', () => {
  let gateway: Gateway;
  let browser: Browser;

  before(async () => {
    const example = join(import.meta.dirname, '..', '..', 'examples', 'public', 'index.html');
    // The dashboard is off: the Socket.IO client must still be served for the user's page.
    gateway = await startGateway(`dashboard: false\nstatic:\n  /: ${JSON.stringify(example)}\n`);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  test('shows live RPM and SPEED, and the adapter status', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 700 } });
    const errors = pageErrors(page);
    await page.goto(`${gateway.url}/`);
    assert.equal(await textMatching(page, '#status', /Connected/), 'Car Connected');
    const first = await textMatching(page, '#RPM', /^\d+$/);
    await textMatching(page, '#SPEED', /^\d+$/);
    await page.waitForFunction((before) => document.querySelector('#RPM')?.textContent !== before, first, WAIT);
    assert.equal(await page.textContent('#error'), '');
    await screenshot(page, 'example-public.png');
    assert.deepEqual(errors, []);
  });
});

describe('a gateway with server.auth.token', () => {
  let gateway: Gateway;
  let browser: Browser;

  before(async () => {
    gateway = await startGateway('server:\n  auth:\n    token: s3cret\nwatch:\n  commands: [RPM]\n');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  test('the dashboard asks for the token, then connects with it', async () => {
    const page = await browser.newPage();
    await page.goto(`${gateway.url}/`);
    await page.waitForSelector('#token-form:not([hidden])', WAIT);
    assert.equal(await page.textContent('#conn-state'), 'gateway unreachable');
    await page.fill('#token', 's3cret');
    await page.click('#token-form button');
    await textMatching(page, '.tile[data-command="RPM"] .value', /^\d+$/);
    assert.equal(await page.isHidden('#token-form'), true);
  });
});
