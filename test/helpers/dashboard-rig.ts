/**
 * The dashboard's test bench: a gateway on the simulator started from a config saved in a
 * fresh folder (so a test can save it again and watch the page follow), and a chromium page.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Gateway } from '../../src/gateway.js';
import { launchBrowser, pageErrors } from './browser.js';
import { startGateway } from './gateway.js';

export interface DashboardRig {
  dir: string;
  /** The saved config: write it to reload the gateway. */
  file: string;
  gateway: Gateway;
  browser: Browser;
  page: Page;
  /** Errors the page reported (console errors, uncaught exceptions). */
  errors: string[];
  close(): Promise<void>;
}

export async function startDashboardRig(config: string): Promise<DashboardRig> {
  const dir = await mkdtemp(join(tmpdir(), 'obdio-dashboard-'));
  const file = join(dir, 'obdio.yaml');
  await writeFile(file, config);
  const gateway = await startGateway(config, file);
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, colorScheme: 'dark' });
  return {
    dir,
    file,
    gateway,
    browser,
    page,
    errors: pageErrors(page),
    async close() {
      await browser.close();
      await gateway.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
