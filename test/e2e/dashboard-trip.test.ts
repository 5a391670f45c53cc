/**
 * The dashboard's trip computer panel in chromium, against examples/trip.yaml on the
 * simulator: it lists the watched computed commands, their values arrive and follow the unit
 * switch, and "New trip" starts the trip clock again. A config without computed commands has
 * no panel.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Gateway } from '../../src/gateway.js';
import { launchBrowser, pageErrors, screenshot } from '../helpers/browser.js';
import { startGateway } from '../helpers/gateway.js';

const WAIT = { timeout: 15000 };
const EXAMPLE = readFileSync(new URL('../../examples/trip.yaml', import.meta.url), 'utf8').replace('${OBDIO_ADAPTER:-sim}', 'sim');

/** The trip panel's figure for a command, once it matches `pattern`. */
async function figure(page: Page, name: string, pattern: RegExp): Promise<string> {
  const handle = await page.waitForFunction(
    ({ name, source }) => {
      const text = document.querySelector(`#trip [data-command="${name}"] dd`)?.textContent ?? '';
      return new RegExp(source).test(text) ? text : false;
    },
    { name, source: pattern.source },
    WAIT,
  );
  return (await handle.jsonValue()) as string;
}

describe('the trip computer panel of the dashboard', () => {
  let gateway: Gateway;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  before(async () => {
    gateway = await startGateway(EXAMPLE);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    errors = pageErrors(page);
    await page.goto(`${gateway.url}/`);
  });
  after(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  test('shows the watched computed commands with their descriptions and values', async () => {
    await page.waitForSelector('#trip-panel:not([hidden])', WAIT);
    const labels = await page.$$eval('#trip dt', (els) => els.map((el) => el.textContent));
    assert.deepEqual(labels, [
      'Fuel consumption now',
      'Fuel economy now',
      'Trip distance',
      'Trip time',
      'Average speed of the trip',
      'Average fuel consumption of the trip',
      'Average fuel economy of the trip',
      'Battery power (negative while charging or regenerating)',
    ]);
    assert.match(await figure(page, 'TRIP_TIME', /^\d+(\.\d+)? s$/), / s$/);
    assert.match(await figure(page, 'TRIP_DISTANCE', /km$/), /^\d/);
    assert.match(await figure(page, 'EV_POWER', /kW$/), /^-?\d/);
    await screenshot(page, 'dashboard-trip.png');
  });

  test('the unit switch shows the trip in miles', async () => {
    await page.click('#units');
    assert.match(await figure(page, 'TRIP_DISTANCE', /mi$/), /^\d/);
    assert.match(await figure(page, 'AVERAGE_SPEED', /mph$|–/), /./);
    await page.click('#units');
    await figure(page, 'TRIP_DISTANCE', /km$/);
  });

  test('New trip starts the trip clock again', async () => {
    await figure(page, 'TRIP_TIME', /^([3-9]|\d\d+)(\.\d+)? s$/);
    await page.click('#trip-reset');
    await figure(page, 'TRIP_TIME', /^[0-2](\.\d+)? s$/);
    assert.deepEqual(errors, []);
  });

  test('a config without computed commands has no trip panel', async () => {
    const plain = await startGateway('watch:\n  commands: [RPM]\n');
    try {
      const other = await browser.newPage();
      await other.goto(`${plain.url}/`);
      await other.waitForSelector('#tiles .tile, #tiles [data-command]', WAIT);
      assert.equal(await other.$eval('#trip-panel', (el) => (el as HTMLElement).hidden), true);
      await other.close();
    } finally {
      await plain.stop();
    }
  });
});
