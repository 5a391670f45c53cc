/**
 * Drive logs end to end: the gateway on the simulator served over TCP (so the test can turn the
 * car's ignition off and on), the CSV files it writes, GET /log/recent.csv, the obdio_value
 * gauges, and the dashboard's download link in Debian chromium.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Gateway } from '../../src/gateway.js';
import { serveSimulator, type SimulatorServer } from '../../src/sim/serve.js';
import { DRIVE_FILE } from '../../src/record/drive-log/drive-files.js';
import { launchBrowser, pageErrors } from '../helpers/browser.js';
import { startGateway } from '../helpers/gateway.js';

const COLUMNS = 'time,RPM [revolutions_per_minute],SPEED [kilometer_per_hour],COOLANT_TEMP [degree_Celsius]';
/** An ISO time, then three cells: a number, or empty when the command gave no value in the row's period. */
const ROW = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z(,(-?\d+(\.\d+)?)?){3}$/;
const COMPLETE_ROW = /^[^,]+(,-?\d+(\.\d+)?){3}$/;

/** Waits (polling) until `check` returns a value that is not undefined; fails after `ms`. */
async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${debugState ? `; ${await debugState()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let debugState: (() => Promise<string>) | null = null;

/** `name{labels}` -> value, from a Prometheus text exposition. */
async function metrics(gateway: Gateway): Promise<Map<string, number>> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  const result = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) result.set(match[1]!, Number(match[2]));
  }
  return result;
}

async function driveFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  return (await readdir(dir)).filter((name) => DRIVE_FILE.test(name)).sort();
}

/** A file's data rows, after checking its header. */
async function rowsOf(file: string): Promise<string[]> {
  const [header, ...rows] = (await readFile(file, 'utf8')).split('\r\n');
  assert.equal(header, COLUMNS);
  assert.equal(rows.pop(), '', 'the file ends with a complete line');
  return rows;
}

describe('drive logs on the simulator', () => {
  let sim: SimulatorServer;
  let gateway: Gateway;
  let dir: string;
  let csvDir: string;

  const config = (prometheus: boolean) => `
connection: { port: '${sim.address}', reconnect: { min_delay: 0.05, max_delay: 0.2 } }
watch: { commands: [RPM, SPEED, COOLANT_TEMP], interval: 0.05 }
log: { csv: '${csvDir}', every: 0.2s, grace: 0.6s, keep: 2, prometheus: ${prometheus} }
`;
  const driving = async () => (await metrics(gateway)).get('obdio_drive_log_driving');
  const drives = async () => (await metrics(gateway)).get('obdio_drive_log_drives_total');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'obdio-drive-log-'));
    csvDir = join(dir, 'drives');
    sim = await serveSimulator('tcp://127.0.0.1:0');
    gateway = await startGateway(config(true));
    debugState = async () =>
      JSON.stringify([...(await metrics(gateway))].filter(([k]) => /drive_log|adapter_state|reconnects|values_total|errors_total/.test(k)));
  });
  after(async () => {
    await gateway?.stop();
    await sim?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a drive starts, its rows are written; the ignition off closes the file; the next drive gets a new file', async () => {
    const [first] = await until('the first drive file', async () =>
      (await driveFiles(csvDir)).length === 1 ? driveFiles(csvDir) : undefined,
    );
    assert.equal(await driving(), 1);
    await until('a few rows', async () => ((await readFile(join(csvDir, first!), 'utf8')).split('\r\n').length > 5 ? true : undefined));

    sim.elm.setIgnition(false);
    await until('the drive to end', async () => ((await driving()) === 0 ? true : undefined));
    const rows = await rowsOf(join(csvDir, first!));
    assert.ok(rows.length >= 4, `${rows.length} rows`);
    for (const row of rows) assert.match(row, ROW);
    assert.ok(
      rows.some((row) => COMPLETE_ROW.test(row)),
      'rows with every command',
    );
    const times = rows.map((row) => Date.parse(row.split(',')[0]!));
    assert.deepEqual(
      [...times].sort((a, b) => a - b),
      times,
      'rows in time order',
    );
    assert.ok(
      times.every((t, i) => i === 0 || t - times[i - 1]! >= 200),
      'one row per 0.2 s period at most',
    );
    const closedSize = (await readFile(join(csvDir, first!))).length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await readFile(join(csvDir, first!))).length, closedSize, 'nothing written after the drive ended');

    sim.elm.setIgnition(true);
    const names = await until('a second drive file', async () => {
      const found = await driveFiles(csvDir);
      return found.length === 2 ? found : undefined;
    });
    assert.equal(names[0], first);
    assert.ok(names[1]! > first!, 'named by its later start time');
    assert.equal(await drives(), 2);
  });

  test('rotation keeps the newest `keep` files', async () => {
    const before = await driveFiles(csvDir);
    for (let drive = 3; drive <= 4; drive++) {
      sim.elm.setIgnition(false);
      await until('the drive to end', async () => ((await driving()) === 0 ? true : undefined));
      const newest = (await driveFiles(csvDir)).at(-1)!;
      sim.elm.setIgnition(true);
      await until(`drive ${drive}`, async () => ((await drives()) === drive ? true : undefined));
      // A drive's file opens with its first row; wait for it, or ending the drive at once leaves no file.
      await until(`drive ${drive}'s file`, async () => ((await driveFiles(csvDir)).some((name) => name > newest) ? true : undefined));
    }
    const started = await until('the files of drives 3 and 4 only', async () => {
      const found = await driveFiles(csvDir);
      return found.length === 2 && found.every((name) => !before.includes(name)) ? found : undefined;
    });
    sim.elm.setIgnition(false);
    await until('the drive to end', async () => ((await driving()) === 0 ? true : undefined));
    const names = await driveFiles(csvDir);
    assert.deepEqual(names, started);
    for (const name of names) for (const row of await rowsOf(join(csvDir, name))) assert.match(row, ROW);
    sim.elm.setIgnition(true);
    await until('the car back', async () => ((await driving()) === 1 ? true : undefined));
  });

  test('GET /log/recent.csv: the last minutes from memory, as a CSV download; bad input is a 400', async () => {
    await until('rows in memory', async () => {
      const text = await (await fetch(`${gateway.url}/log/recent.csv?minutes=5`)).text();
      return text.split('\r\n').length > 4 ? true : undefined;
    });
    const response = await fetch(`${gateway.url}/log/recent.csv?minutes=5`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(response.headers.get('content-disposition') ?? '', /^attachment; filename="obdio-recent-[\dT-]+\.csv"$/);
    const [header, ...rows] = (await response.text()).split('\r\n');
    assert.equal(header, COLUMNS);
    assert.equal(rows.pop(), '');
    const fiveMinutesAgo = Date.now() - 5 * 60_000;
    for (const row of rows) {
      assert.match(row, ROW);
      assert.ok(Date.parse(row.split(',')[0]!) >= fiveMinutesAgo);
    }
    for (const bad of ['abc', '0', '-1', '../../etc/passwd']) {
      const refused = await fetch(`${gateway.url}/log/recent.csv?minutes=${encodeURIComponent(bad)}`);
      assert.equal(refused.status, 400, bad);
      assert.match(await refused.text(), /minutes must be a number of minutes above 0/);
    }
  });

  test('log.prometheus: obdio_value{command,unit} for each logged command; turned off on reload, no samples', async () => {
    const gauges = ['RPM",unit="revolutions_per_minute', 'SPEED",unit="kilometer_per_hour', 'COOLANT_TEMP",unit="degree_Celsius'];
    await until('a gauge per command', async () => {
      const s = await metrics(gateway);
      return gauges.every((labels) => Number.isFinite(s.get(`obdio_value{command="${labels}"}`))) ? true : undefined;
    });
    const result = await gateway.reload(config(false));
    assert.deepEqual(result, { ok: true, changed: ['log'] });
    const off = await metrics(gateway);
    assert.deepEqual(
      [...off.keys()].filter((key) => key.startsWith('obdio_value{')),
      [],
    );
    assert.ok(off.get('obdio_drive_log_rows_total')! > 0, 'the drive log counters stay');
  });

  test("the dashboard's 'CSV, last 5 min' link downloads the recent rows", async () => {
    let browser: Browser | undefined;
    try {
      browser = await launchBrowser();
      const page = await browser.newPage({ acceptDownloads: true });
      const errors = pageErrors(page);
      await page.goto(`${gateway.url}/`);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#recent-csv')]);
      assert.match(download.suggestedFilename(), /^obdio-recent-.*\.csv$/);
      const text = await readFile((await download.path())!, 'utf8');
      assert.equal(text.split('\r\n')[0], COLUMNS);
      assert.ok(text.split('\r\n').length > 3);
      assert.deepEqual(errors, []);
    } finally {
      await browser?.close();
    }
  });
});

describe("GET /log/recent.csv with server.auth.token: the car's values are the clients' only", () => {
  test('refused without the token or with a wrong one; served with ?token= or Authorization: Bearer', async () => {
    const gateway = await startGateway('server: { auth: { token: s3cret-token } }\nwatch: { commands: [RPM] }\n');
    try {
      const url = `${gateway.url}/log/recent.csv?minutes=5`;
      for (const refused of [
        await fetch(url),
        await fetch(`${url}&token=wrong`),
        await fetch(url, { headers: { Authorization: 'Bearer s3cret' } }),
      ]) {
        assert.equal(refused.status, 401);
        assert.match(await refused.text(), /unauthorized: send the gateway token/);
      }
      assert.equal((await fetch(`${url}&token=s3cret-token`)).status, 200);
      assert.equal((await fetch(url, { headers: { Authorization: 'Bearer s3cret-token' } })).status, 200);
    } finally {
      await gateway.stop();
    }
  });
});
