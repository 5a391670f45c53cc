/**
 * Cost of the drive log on the streaming path: synthetic responses of 8 commands through the
 * DriveLog part, with CSV files on, one row per 8 responses (every: 1ms on a clock that moves
 * 1 ms per pass), the recent rows and the gauges on. Prints responses per second and µs each.
 *
 *   node --import tsx bench/drive-log.ts          (BENCH_RESPONSES=400000 by default)
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ObdService } from '../src/api/obd-service.js';
import { parseConfig } from '../src/load-config.js';
import type { OBDResponse } from '../src/obd/command.js';
import { DriveLog } from '../src/record/drive-log/drive-log.js';
import { wallClock } from '../src/time/clock.js';

const RESPONSES = Number(process.env.BENCH_RESPONSES ?? 400_000);
const NAMES = ['RPM', 'SPEED', 'COOLANT_TEMP', 'THROTTLE_POS', 'ENGINE_LOAD', 'INTAKE_TEMP', 'MAF', 'FUEL_LEVEL'];

const dir = await mkdtemp(join(tmpdir(), 'obdio-bench-drive-log-'));
try {
  const loaded = parseConfig(
    `watch: { commands: [${NAMES.join(', ')}] }\nlog: { csv: '${dir}', every: 1ms, recent: 10m, prometheus: true }`,
    null,
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  let t = Date.UTC(2026, 0, 1);
  let listener: (response: OBDResponse) => void = () => undefined;
  const service = { scheduler: { onResponse: (l: typeof listener) => ((listener = l), () => undefined) } } as unknown as ObdService;
  const log = new DriveLog(loaded.spec, { service, clock: { ...wallClock, now: () => t } });
  log.start();
  const commands = NAMES.map((name) => ({ name }) as OBDResponse['command']);
  const started = performance.now();
  for (let i = 0; i < RESPONSES; i++) {
    const k = i % NAMES.length;
    if (k === 0) t++;
    listener({ command: commands[k]!, messages: [], value: 1000 + (i % 977) / 4, unit: 'revolutions_per_minute', time: t });
  }
  const ms = performance.now() - started;
  await log.stop();
  const stats = log.stats();
  const names = await readdir(dir);
  const bytes = (await Promise.all(names.map((n) => stat(join(dir, n))))).reduce((sum, s) => sum + s.size, 0);
  console.log(
    `drive log: ${RESPONSES} responses in ${ms.toFixed(0)} ms = ${Math.round(RESPONSES / (ms / 1000))} responses/s, ${((ms * 1000) / RESPONSES).toFixed(2)} µs each`,
  );
  console.log(
    `  rows written ${stats.rows}, dropped ${stats.dropped} (disk slower than the loop), ${(bytes / 1e6).toFixed(1)} MB in ${names.length} file(s), recent rows ${stats.recent_rows}`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
