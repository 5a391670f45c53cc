/**
 * Streaming as a plain obd-socketio client gets it: the config watches nothing, the client
 * connects and emits `watch` only (no `start`), and counts what arrives on the watch callback's
 * event. On a pty with the simulated adapter behind it and on Ircama's ELM327-emulator (when this
 * machine has it), each against the link bound: raw 010C requests/s through the driver alone.
 */
import { io as connectClient } from 'socket.io-client';
import { parseConfig } from '../src/load-config.js';
import { Gateway } from '../src/gateway.js';
import { serveSimulator } from '../src/sim/serve.js';
import { SerialTransport } from '../src/transport/serial.js';
import { emulatorScript, startEmulator } from '../test/helpers/elm327-emulator.js';
import { openPtyPair } from '../test/helpers/pty.js';
import { linkBound } from './link-bound.js';
import type { Row } from './row.js';

const FOUR = ['RPM', 'SPEED', 'COOLANT_TEMP', 'ENGINE_LOAD'];

/** Values/s one plain client receives after emitting only `watch(commands)`. */
async function watchOnly(port: string, commands: string[], seconds: number): Promise<number> {
  const loaded = parseConfig(
    `connection: { port: "${port}" }\nwatch: { interval: 0, callbacks: [{ emit: { event: watch_result } }] }\n`,
    null,
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const gateway = await Gateway.start({ ...loaded.spec, server: { ...loaded.spec.server, port: 0 } }, { registry: loaded.registry });
  try {
    await gateway.ready();
    if (!gateway.service.isConnected) throw new Error(`no car on ${port}: ${gateway.service.status}`);
    const socket = connectClient(gateway.url, { transports: ['websocket'], forceNew: true, reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    let count = 0;
    const first = new Promise((resolve) => socket.once('watch_result', resolve));
    socket.on('watch_result', () => count++);
    socket.emit('watch', commands);
    await first; // the stream has started: what follows is the steady rate
    count = 0;
    const start = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const rate = count / ((performance.now() - start) / 1000);
    socket.disconnect();
    return rate;
  } finally {
    await gateway.stop();
  }
}

async function measure(link: string, port: string, seconds: number, rows: Row[]): Promise<void> {
  const bound = await linkBound(new SerialTransport(port, { baudRate: 38400 }), seconds);
  rows.push({ link, figure: 'link bound: 010C1 requests/s (driver only)', value: bound.toFixed(0) });
  for (const commands of [FOUR.slice(0, 1), FOUR]) {
    const rate = await watchOnly(port, commands, seconds);
    rows.push({ link, figure: `plain client, watch only: values/s, ${commands.length} watched`, value: rate.toFixed(0) });
    rows.push({ link, figure: '  share of the link bound', value: `${((rate / bound) * 100).toFixed(0)} %` });
  }
}

export async function plainClientStreaming(rows: Row[], seconds: number): Promise<void> {
  const pty = await openPtyPair();
  const sim = await serveSimulator(pty.a, { baudRate: 38400 });
  try {
    await measure('pty', pty.b, seconds, rows);
  } finally {
    await sim.close();
    await pty.close();
  }
  if (!emulatorScript) {
    rows.push({ link: 'elm327-emulator', figure: 'not measured: ELM327-emulator not found', value: '-' });
    return;
  }
  const emulator = await startEmulator('pty');
  try {
    await measure('elm327-emulator', emulator.port, seconds, rows);
  } finally {
    await emulator.stop();
  }
}
