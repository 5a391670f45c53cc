/**
 * The dashboard lists the active alerts, in chromium against the gateway on the simulator:
 * those active when the page connects (obdio:alerts), one raised by a config save while the
 * page is open, and one cleared when a save removes its rule (obdio:alert).
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { Gateway } from '../../src/gateway.js';
import { screenshot } from '../helpers/browser.js';
import { startDashboardRig, type DashboardRig } from '../helpers/dashboard-rig.js';

const WAIT = { timeout: 15000 };

const CONFIG = `
watch:
  commands: [RPM]
alerts:
  dtc_every: 1s
  rules:
    LOW_BATTERY: { battery: { below: 30 }, message: Battery low }
    CHECK_ENGINE: { dtc: any, message: Trouble code stored }
`;

describe('the dashboard lists active alerts', () => {
  let rig: DashboardRig;
  let file: string;
  let gateway: Gateway;
  let page: Page;
  let errors: string[];

  before(async () => {
    rig = await startDashboardRig(CONFIG);
    ({ file, gateway, page, errors } = rig);
  });
  after(() => rig?.close());

  test('the alerts active when the page opens, with their message and value', async () => {
    // Both raised before the page connects: it learns them from the list sent on connect.
    for (let i = 0; i < 200 && gateway.alerts.active().length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(gateway.alerts.active().length, 2);
    await page.goto(`${gateway.url}/`);
    await page.waitForSelector('#alerts-panel:not([hidden]) li[data-alert="CHECK_ENGINE"]', WAIT);
    const battery = await page.textContent('#alerts li[data-alert="LOW_BATTERY"]');
    assert.match(battery ?? '', /Battery low.*\d+(\.\d+)? · since/);
    const codes = await page.textContent('#alerts li[data-alert="CHECK_ENGINE"]');
    assert.match(codes ?? '', /Trouble code stored.*P0104/);
    await screenshot(page, 'dashboard-alerts.png');
  });

  test('raised and cleared live as the config changes', async () => {
    await writeFile(file, `${CONFIG}    RUNNING: { when: RPM > 100, message: Engine running }\n`);
    await page.waitForSelector('#alerts li[data-alert="RUNNING"]', WAIT);
    // Removing a rule clears its alert: the page drops it, keeps the others.
    await writeFile(file, CONFIG.replace(/ {4}CHECK_ENGINE.*\n/, ''));
    await page.waitForSelector('#alerts li[data-alert="CHECK_ENGINE"]', { ...WAIT, state: 'detached' });
    assert.ok(await page.$('#alerts li[data-alert="LOW_BATTERY"]'));
    assert.equal(await page.$('#alerts li[data-alert="RUNNING"]'), null);
    assert.deepEqual(errors, []);
  });
});
