/**
 * Polling rate of 8 custom commands over 2 ECU headers (4 on 7E4, 4 on 7E2, watched
 * alternately, interval 0), with the scheduler's header grouping on and off, on the in-process
 * simulator and on a real pty (socat) with the simulator serving the other end.
 *
 *   node --import tsx bench/custom-commands.ts         (BENCH_SECONDS=3 by default)
 *
 * bench/run.ts can call measureCustomCommands(link, port, rows) next to its other figures.
 */
import { cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import { io as connectClient } from 'socket.io-client';
import { Gateway } from '../src/gateway.js';
import { parseConfig } from '../src/load-config.js';
import type { SimEcuData } from '../src/sim/custom-ecus.js';
import { serveSimulator } from '../src/sim/serve.js';
import { openPtyPair } from '../test/helpers/pty.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

import type { Row } from './row.js';

/** The two simulated ECUs' answers: 4 DIDs each, 2 data bytes after the echo. */
const REPLIES: Record<string, Record<string, string>> = {
  '7E4': { '220101': '0E11', '220102': '0E12', '220103': '0E13', '220104': '0E14' },
  '7E2': { '220201': '0121', '220202': '0122', '220203': '0123', '220204': '0124' },
};

/** The same answers as simulator options, for a simulator served on a pty. */
export const BENCH_ECUS: SimEcuData = Object.fromEntries(
  Object.entries(REPLIES).map(([header, requests]) => [
    header,
    Object.fromEntries(
      Object.entries(requests).map(([request, hex]) => [
        request,
        [{ kind: 'bytes' as const, bytes: (hex.match(/../g) ?? []).map((b) => parseInt(b, 16)) }],
      ]),
    ),
  ]),
);

/** Watched alternately, so without grouping every request changes the header. */
const NAMES = [1, 2, 3, 4].flatMap((i) => [`BMS_${i}`, `VCU_${i}`]);

function yaml(port: string): string {
  const commands = [1, 2, 3, 4]
    .map(
      (i) =>
        `  BMS_${i}: { request: "22010${i}", header: "7E4", equation: "(A*256+B)/10", unit: volt }\n  VCU_${i}: { request: "22020${i}", header: "7E2", equation: "A*256+B" }`,
    )
    .join('\n');
  const ecus = Object.entries(REPLIES)
    .map(
      ([header, requests]) =>
        `      "${header}": { ${Object.entries(requests)
          .map(([r, hex]) => `"${r}": "${hex}"`)
          .join(', ')} }`,
    )
    .join('\n');
  return `
connection:
  port: "${port}"
  baudrate: 38400
  sim:
    ecus:
${ecus}
commands:
${commands}
watch:
  commands: [${NAMES.join(', ')}]
  interval: 0
  callbacks: [{ emit: { event: watch_result } }]
`;
}

/** Values per second one client receives from the 8 custom commands, grouping on or off. */
async function customRate(port: string, group: boolean, seconds: number): Promise<{ rate: number; perCommand: number[] }> {
  const loaded = parseConfig(yaml(port), null);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const spec = { ...loaded.spec, server: { ...loaded.spec.server, port: 0 } };
  const gateway = await Gateway.start(spec, { registry: loaded.registry });
  await gateway.ready();
  if (!gateway.service.isConnected) throw new Error(`no car on ${port}: ${gateway.service.status}`);
  gateway.service.scheduler.groupHeaders = group;
  const socket = connectClient(gateway.url, { transports: ['websocket'], forceNew: true, reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  await new Promise((r) => setTimeout(r, 300)); // warm-up
  const counts = new Map<string, number>();
  socket.on('watch_result', (r: { command: { name: string }; value: unknown }) => {
    if (r.value !== null) counts.set(r.command.name, (counts.get(r.command.name) ?? 0) + 1);
  });
  const start = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const elapsed = (performance.now() - start) / 1000;
  socket.disconnect();
  await gateway.stop();
  const perCommand = NAMES.map((name) => (counts.get(name) ?? 0) / elapsed);
  return { rate: perCommand.reduce((a, b) => a + b, 0), perCommand };
}

/**
 * Both settings twice, in alternating order, after a throwaway warm-up run: the first second
 * of a process is slow (JIT), which would otherwise favour whichever setting runs last.
 */
export async function measureCustomCommands(link: string, port: string, rows: Row[]): Promise<void> {
  await customRate(port, true, 1);
  const runs: Record<'off' | 'on', Array<{ rate: number; perCommand: number[] }>> = { off: [], on: [] };
  for (const group of [false, true, true, false]) runs[group ? 'on' : 'off'].push(await customRate(port, group, SECONDS));
  for (const setting of ['off', 'on'] as const) {
    const [a, b] = runs[setting];
    rows.push({ link, figure: `values/s, 8 custom cmds on 2 headers, grouping ${setting}`, value: ((a!.rate + b!.rate) / 2).toFixed(0) });
    const slowest = Math.min(...a!.perCommand.map((v, i) => (v + b!.perCommand[i]!) / 2));
    rows.push({ link, figure: `  slowest of the 8 (values/s), grouping ${setting}`, value: slowest.toFixed(1) });
  }
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  await measureCustomCommands('sim', 'sim', rows);
  const pty = await openPtyPair();
  const sim = await serveSimulator(pty.a, { baudRate: 38400, ecus: BENCH_ECUS });
  try {
    await measureCustomCommands('pty', pty.b, rows);
  } finally {
    await sim.close();
    await pty.close();
  }
  const width = Math.max(...rows.map((r) => r.figure.length));
  console.log(
    `custom commands bench — ${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, ${SECONDS}s per figure`,
  );
  console.log(`| link | ${'figure'.padEnd(width)} | value |`);
  console.log(`|------|${'-'.repeat(width + 2)}|-------|`);
  for (const row of rows) console.log(`| ${row.link.padEnd(4)} | ${row.figure.padEnd(width)} | ${row.value.padStart(5)} |`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
