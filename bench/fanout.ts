/**
 * Fan-out: one gateway (the built CLI in its own process, on the simulator) sends RPM, SPEED,
 * COOLANT_TEMP and ENGINE_LOAD at 10 Hz to many Socket.IO clients. The clients live in a few
 * child processes (bench/fanout-clients.ts) and a prober in this process asks `query` meanwhile,
 * so the figures are the gateway's: the share of its values each client received, the query's
 * round trip, the gateway's RSS and CPU.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { io as connectClient } from 'socket.io-client';
import { cpuSeconds, rssMb, runGateway } from './process.js';
import type { Row } from './row.js';

const COMMANDS = ['RPM', 'SPEED', 'COOLANT_TEMP', 'ENGINE_LOAD'];
const HZ = 10;
const CLIENT_PROCESSES = 4;
/** Long enough for a p95 of the query to rest on a couple of hundred samples. */
const MIN_WINDOW_S = 10;
const QUERY_EVERY_MS = 50;
/** Values decoded near the window's end still travel: wait this long before counting. */
const GRACE_MS = 1500;

/** What a car gateway serving a thousand screens must hold (issue 16). */
const TARGET = { share: 0.9, queryP95Ms: 20, rssMb: 150 };

const CLIENTS = new URL('./fanout-clients.ts', import.meta.url).pathname;

interface ClientReport {
  counts: number[];
  keys: string[];
}

function ask<T>(child: ChildProcess, message: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (answer: T & { error?: string }) => (answer.error ? reject(new Error(answer.error)) : resolve(answer)));
    child.send(message as object);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function fanOut(rows: Row[], clients: number, seconds: number): Promise<void> {
  const windowMs = Math.max(MIN_WINDOW_S, seconds) * 1000;
  const rates = COMMANDS.map((name) => `    ${name}: ${HZ}hz`).join('\n');
  const gateway = await runGateway(`watch:\n  commands:\n${rates}\n  callbacks: [{ emit: { event: v } }]\n`);
  const children = Array.from({ length: CLIENT_PROCESSES }, () => fork(CLIENTS, { execArgv: ['--import', 'tsx'], stdio: 'inherit' }));
  const prober = connectClient(gateway.url, { transports: ['websocket'], forceNew: true, reconnection: false });
  try {
    const share = Math.ceil(clients / CLIENT_PROCESSES);
    await Promise.all(
      children.map((child, i) => ask(child, { url: gateway.url, count: Math.min(share, clients - i * share), event: 'v' })),
    );
    await new Promise<void>((resolve, reject) => {
      if (prober.connected) return resolve();
      prober.once('connect', resolve);
      prober.once('connect_error', reject);
    });
    await new Promise((r) => setTimeout(r, 1000)); // the handshakes' garbage collected, the stream steady

    const pid = gateway.child.pid!;
    const cpuBefore = cpuSeconds(pid);
    let peakRss = 0;
    const samples: number[] = [];
    const from = Date.now();
    const until = performance.now() + windowMs;
    while (performance.now() < until) {
      peakRss = Math.max(peakRss, rssMb(pid));
      const start = performance.now();
      const answer = (await prober.timeout(5000).emitWithAck('query', 'RPM')) as { value?: unknown; error?: unknown };
      samples.push(performance.now() - start);
      if (answer?.error) throw new Error(`query failed: ${JSON.stringify(answer.error)}`);
      await new Promise((r) => setTimeout(r, QUERY_EVERY_MS));
    }
    const to = Date.now();
    const cpu = ((cpuSeconds(pid) - cpuBefore) / (windowMs / 1000)) * 100;
    await new Promise((r) => setTimeout(r, GRACE_MS));

    const reports = await Promise.all(children.map((child) => ask<ClientReport>(child, { window: [from, to] })));
    const counts = reports.flatMap((r) => r.counts).sort((a, b) => a - b);
    const sent = new Set(reports.flatMap((r) => r.keys)).size;
    samples.sort((a, b) => a - b);
    const label = `${clients} clients × ${COMMANDS.length} cmds @ ${HZ} Hz`;
    rows.push({
      link: 'proc',
      figure: `${label}: values sent per client per s (of ${COMMANDS.length * HZ})`,
      value: (sent / ((to - from) / 1000)).toFixed(1),
    });
    rows.push({ link: 'proc', figure: '  share of them received, worst client', value: `${((counts[0]! / sent) * 100).toFixed(1)} %` });
    rows.push({
      link: 'proc',
      figure: '  share of them received, median client',
      value: `${((percentile(counts, 50) / sent) * 100).toFixed(1)} %`,
    });
    for (const p of [50, 95])
      rows.push({ link: 'proc', figure: `  query round trip p${p} (ms)`, value: percentile(samples, p).toFixed(1) });
    rows.push({ link: 'proc', figure: '  gateway RSS peak (MB)', value: peakRss.toFixed(1) });
    rows.push({ link: 'proc', figure: '  gateway CPU', value: `${cpu.toFixed(0)} %` });
    const met = counts[0]! / sent >= TARGET.share && percentile(samples, 95) < TARGET.queryP95Ms && peakRss < TARGET.rssMb;
    const targets = `every client ≥ ${TARGET.share * 100} %, p95 < ${TARGET.queryP95Ms} ms, RSS < ${TARGET.rssMb} MB`;
    rows.push({ link: 'proc', figure: `  targets (${targets})`, value: met ? 'met' : 'NOT met' });
  } finally {
    prober.disconnect();
    for (const child of children) child.kill();
    await gateway.stop();
  }
}

// Alone: `node --import tsx bench/fanout.ts [clients]` after `npm run build`.
if (import.meta.url === `file://${process.argv[1]}`) {
  const rows: Row[] = [];
  await fanOut(rows, Number(process.argv[2] ?? 1000), Number(process.env.BENCH_SECONDS ?? 10));
  for (const row of rows) console.log(`${row.figure.padEnd(60)} ${row.value}`);
}
