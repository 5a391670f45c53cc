/**
 * The adapter goes away while a client streams, and comes back: the stream resumes with no
 * client action, and the adapter status went lost → retrying → ... → connected. Over a real
 * pty pair (socat, killed and restarted) and over TCP (the listener closed and re-opened on the
 * same port). The reconnect time after the adapter returns is printed as a test diagnostic.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Socket } from 'socket.io-client';
import type { AdapterManager, AdapterSnapshot, AdapterState } from '../../src/link/adapter-manager.js';
import type { Gateway } from '../../src/gateway.js';
import { serveSimulator, type SimulatorServer } from '../../src/sim/serve.js';
import { connect, next, startGateway } from '../helpers/gateway.js';
import { openPtyPair, type PtyPair } from '../helpers/pty.js';

interface WireResponse {
  value: unknown;
  command: { name: string };
  time: number;
}

/**
 * Broadcasts the adapter's status to clients as obdio:status, as the gateway's wiring does
 * (`adapter.onChange(s => io.emit('obdio:status', s))`); done here as well, so this test does
 * not depend on it being in place.
 */
function broadcastStatus(gateway: Gateway): { startupMs(): number } {
  const adapter = (gateway as unknown as { adapter: AdapterManager }).adapter;
  let connectingAt = 0;
  let startup = NaN;
  let previous = adapter.state;
  adapter.onChange((snapshot) => {
    gateway.sockets.io.emit('obdio:status', snapshot);
    // The start-up alone (open, ATZ..., protocol, supported commands), without the backoff wait.
    if (snapshot.state === 'connecting' && previous !== 'connecting') connectingAt = performance.now();
    if (snapshot.state === 'connected' && previous !== 'connected') startup = performance.now() - connectingAt;
    previous = snapshot.state;
  });
  return { startupMs: () => startup };
}

/** Records a client's view: the states it was told, and the values it received. */
class ClientView {
  readonly states: AdapterState[] = [];
  readonly values: WireResponse[] = [];
  readonly snapshots: AdapterSnapshot[] = [];
  constructor(readonly socket: Socket) {
    socket.on('obdio:status', (snapshot: AdapterSnapshot) => {
      this.snapshots.push(snapshot);
      if (this.states.at(-1) !== snapshot.state) this.states.push(snapshot.state);
    });
    socket.on('obdio:value', (value: WireResponse) => this.values.push(value));
  }

  /** Index of the next snapshot, to wait for states that come after it. */
  mark(): number {
    return this.snapshots.length;
  }

  /** The first snapshot in `state` at or after `from` (one already received counts). */
  state(state: AdapterState, from: number, ms = 15_000): Promise<AdapterSnapshot> {
    const seen = this.snapshots.slice(from).find((snapshot) => snapshot.state === state);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.socket.off('obdio:status', listener);
        reject(new Error(`no obdio:status ${state} within ${ms} ms; saw ${this.states.join(' → ')}`));
      }, ms);
      const listener = (snapshot: AdapterSnapshot): void => {
        if (snapshot.state !== state) return;
        clearTimeout(timer);
        this.socket.off('obdio:status', listener);
        resolve(snapshot);
      };
      this.socket.on('obdio:status', listener);
    });
  }

  /** The first value received after `since` (ms since the epoch). */
  async valueAfter(since: number, ms = 15_000): Promise<WireResponse> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.values.find((v) => v.time > since && v.value !== null);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no value after the adapter returned; states ${this.states.join(' → ')}`);
      await next(this.socket, 'obdio:value', ms).catch(() => undefined);
    }
  }
}

const YAML = (port: string): string => `
connection:
  port: '${port}'
  reconnect: { min_delay: 100ms, max_delay: 400ms }
watch:
  commands: { RPM: 20hz }
`;

function inOrder(states: AdapterState[], expected: AdapterState[]): boolean {
  let at = 0;
  for (const state of states) if (state === expected[at]) at++;
  return at === expected.length;
}

describe('reconnect while a client streams', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'obdio-reconnect-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('serial: socat and the adapter killed, restarted under the same path; the stream resumes', async (t) => {
    const simSide = join(dir, 'adapter-side');
    const gatewaySide = join(dir, 'ttyOBD');
    let pair: PtyPair = await openPtyPair({ links: [simSide, gatewaySide] });
    let sim: SimulatorServer = await serveSimulator(simSide);
    const gateway = await startGateway(YAML(gatewaySide));
    const timing = broadcastStatus(gateway);
    const client = await connect(gateway);
    const view = new ClientView(client);
    const id = client.id;
    try {
      assert.equal(await client.emitWithAck('obdio:subscribe'), true);
      await view.valueAfter(0);

      // Unplugged: the simulator and socat go away (the pty links disappear with socat).
      const unplugged = view.mark();
      await sim.close();
      await pair.close();
      const lost = await view.state('lost', unplugged);
      assert.match(lost.error ?? '', /ttyOBD/);
      assert.equal(await client.emitWithAck('status'), 'Not Connected', 'status is truthful while the adapter is away');
      const retrying = await view.state('retrying', unplugged);
      assert.ok((retrying.retry_in ?? 0) >= 100, JSON.stringify(retrying));
      await new Promise((resolve) => setTimeout(resolve, 600)); // a few failed attempts (no such device)

      // Plugged in again: new /dev/pts numbers behind the same links.
      pair = await openPtyPair({ links: [simSide, gatewaySide] });
      const returning = view.mark();
      sim = await serveSimulator(simSide);
      const back = Date.now();
      const connected = await view.state('connected', returning);
      const connectedAfter = Date.now() - back;
      const value = await view.valueAfter(back);
      t.diagnostic(
        `serial: connected ${connectedAfter} ms and first value ${value.time - back} ms after the adapter returned (backoff 100-400 ms; the start-up itself ${timing.startupMs().toFixed(0)} ms)`,
      );

      assert.equal(connected.status, 'Car Connected');
      assert.equal(client.id, id, 'the same client connection, no client action');
      assert.ok(inOrder(view.states, ['lost', 'retrying', 'connecting', 'connected']), view.states.join(' → '));
      assert.equal(value.command.name, 'RPM');
    } finally {
      client.disconnect();
      await gateway.stop();
      await sim.close();
      await pair.close();
    }
  });

  test('serial, idle: an unplugged adapter is reported lost at once, with no request in flight', async () => {
    const simSide = join(dir, 'idle-adapter-side');
    const gatewaySide = join(dir, 'ttyIdle');
    const pair = await openPtyPair({ links: [simSide, gatewaySide] });
    const sim = await serveSimulator(simSide);
    // Nothing watched and no voltage reads: the gateway writes nothing once connected.
    const gateway = await startGateway(`connection: { port: '${gatewaySide}', check_voltage: false }\nwatch: { commands: [] }\n`);
    broadcastStatus(gateway);
    const client = await connect(gateway);
    const view = new ClientView(client);
    try {
      // The status of the moment came with the connection, before the view listened: ask instead.
      for (let i = 0; i < 200 && (await client.emitWithAck('status')) !== 'Car Connected'; i++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      const unplugged = view.mark();
      await pair.close();
      const lost = await view.state('lost', unplugged, 3000);
      assert.match(lost.error ?? '', /ttyIdle/);
    } finally {
      client.disconnect();
      await gateway.stop();
      await sim.close();
      await pair.close();
    }
  });

  test('tcp: the listener closed and re-opened on the same port; a hung adapter is reopened too', async (t) => {
    let sim = await serveSimulator('tcp://127.0.0.1:0');
    const address = sim.address;
    const gateway = await startGateway(YAML(address));
    const timing = broadcastStatus(gateway);
    const client = await connect(gateway);
    const view = new ClientView(client);
    try {
      assert.equal(await client.emitWithAck('obdio:subscribe'), true);
      await view.valueAfter(0);

      const closing = view.mark();
      await sim.close();
      await view.state('lost', closing);
      await view.state('retrying', closing);
      await new Promise((resolve) => setTimeout(resolve, 300)); // refused attempts meanwhile
      const returning = view.mark();
      sim = await serveSimulator(address);
      const back = Date.now();
      await view.state('connected', returning);
      const connectedAfter = Date.now() - back;
      const value = await view.valueAfter(back);
      t.diagnostic(
        `tcp: connected ${connectedAfter} ms and first value ${value.time - back} ms after the adapter returned (backoff 100-400 ms; the start-up itself ${timing.startupMs().toFixed(0)} ms)`,
      );
      assert.ok(inOrder(view.states, ['lost', 'retrying', 'connecting', 'connected']), view.states.join(' → '));

      // The adapter hangs: the link stays up, nothing answers.
      const hanging = view.mark();
      sim.elm.silent();
      const hung = await view.state('lost', hanging);
      assert.match(hung.error ?? '', /requests in a row: the adapter seems hung/);
      const waking = view.mark();
      sim.elm.wake();
      const woke = Date.now();
      await view.state('connected', waking);
      await view.valueAfter(woke);
      const after = view.snapshots.slice(hanging).map((snapshot) => snapshot.state);
      assert.ok(inOrder(after, ['lost', 'retrying', 'connecting', 'connected']), after.join(' → '));
    } finally {
      client.disconnect();
      await gateway.stop();
      await sim.close();
    }
  });
});
