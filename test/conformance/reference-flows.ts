/**
 * The obd-socketio README's flows as its users' clients run them, and what the reference does
 * after each (../shared/spec/wire-notes.md): `watch` alone streams, `unwatch` keeps the rest
 * streaming, `stop`/`start` pause and resume, `unwatch_all` stops until the next `watch` or
 * `start`, `close` broadcasts `obd_closed`. Two runners produce the same report: Python's
 * python-socketio client (clients/reference_flows.py) and socket.io-client v4 (runJsFlows); one
 * function judges both, so the two clients are held to one contract.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import type { EncodedCommand as WireCommand, EncodedResponse as WireResponse } from '../../src/obd/encode.js';

/** The reference's encodings, as the gateway types them (obd/encode.ts). */
export type { EncodedCommand as WireCommand, EncodedResponse as WireResponse } from '../../src/obd/encode.js';

interface Getters {
  status: string;
  is_connected: boolean;
  protocol_name: string;
  protocol_id: string;
  port_name: string;
  supported_commands: WireCommand[];
  has_name: { RPM: boolean; rpm: boolean };
  supports: { RPM: boolean };
  query_rpm: WireResponse | null;
}

/** What a client saw; `null` in a name → value map means the name never arrived. */
export interface FlowReport {
  client: string;
  getters: Getters;
  watch_alone: Record<'RPM' | 'SPEED', WireResponse | null>;
  watch_alone_other_client: Record<'RPM' | 'SPEED', WireResponse | null>;
  query_watched: WireResponse | null;
  after_unwatch: string[];
  after_stop: string[];
  after_start: Record<'RPM', WireResponse | null>;
  after_unwatch_all: string[];
  start_with_nothing_watched: string[];
  watch_again: Record<'SPEED', WireResponse | null>;
  close: { sender: boolean; other: boolean };
  getters_after_close: Getters;
}

export interface FlowOptions {
  url: string;
  /** The event the config's watch callback emits every response on. */
  valueEvent: string;
  /** A supported command nobody watches: querying it waits for the request in flight. */
  barrier: string;
  /** How long "nothing streams any more" is watched for, in seconds. */
  quietSeconds: number;
}

const TIMEOUT_MS = 30_000;
const pythonRunner = fileURLToPath(new URL('./clients/reference_flows.py', import.meta.url));

/** Debian's python3 (python3-socketio is a Debian package; another python3 on PATH may lack it). */
export const PYTHON = '/usr/bin/python3';

/** Runs the flows with python-socketio's client in a Python process; resolves with its report. */
export function runPythonFlows(options: FlowOptions): Promise<FlowReport> {
  const args = [pythonRunner, options.url, options.valueEvent, options.barrier, String(options.quietSeconds)];
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`python client exited ${code}:\n${stderr}`));
      try {
        resolve(JSON.parse(stdout) as FlowReport);
      } catch {
        reject(new Error(`python client printed no report:\n${stdout}\n${stderr}`));
      }
    });
  });
}

/** One socket.io-client v4 connection used as an obd-socketio client: replies on the event's own name. */
class JsClient {
  readonly values: WireResponse[] = [];
  private readonly waiters = new Set<() => void>();
  closed: Promise<boolean>;

  private constructor(
    readonly socket: Socket,
    private readonly options: FlowOptions,
  ) {
    socket.on(options.valueEvent, (value: WireResponse) => {
      this.values.push(value);
      for (const wake of this.waiters) wake();
    });
    this.closed = new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), TIMEOUT_MS);
      socket.once('obd_closed', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  static async connect(options: FlowOptions): Promise<JsClient> {
    const socket = io(options.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return new JsClient(socket, options);
  }

  request<T>(event: string, ...args: unknown[]): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to '${event}' within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      this.socket.once(event, (reply: T) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.socket.emit(event, ...args);
    });
  }

  async waitForNames<N extends string>(mark: number, wanted: N[]): Promise<Record<N, WireResponse | null>> {
    const firstOfEach = (): Record<N, WireResponse | null> => {
      const first = Object.fromEntries(wanted.map((name) => [name, null])) as Record<N, WireResponse | null>;
      for (const value of this.values.slice(mark)) {
        const name = value.command.name as N;
        if (wanted.includes(name) && first[name] === null) first[name] = value;
      }
      return first;
    };
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const first = firstOfEach();
      if (wanted.every((name) => first[name] !== null) || Date.now() >= deadline) return first;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, deadline - Date.now());
        this.waiters.add(wake);
      });
    }
  }

  /** The names still streaming after the last change (see settle in the Python runner). */
  async quietNames(): Promise<string[]> {
    await this.request('query', this.options.barrier);
    const mark = this.values.length;
    await new Promise((resolve) => setTimeout(resolve, this.options.quietSeconds * 1000));
    return this.values.slice(mark).map((value) => value.command.name);
  }

  async getters(): Promise<Getters> {
    const getter = <T>(event: string) => this.request<T>(event);
    return {
      status: await getter('status'),
      is_connected: await getter('is_connected'),
      protocol_name: await getter('protocol_name'),
      protocol_id: await getter('protocol_id'),
      port_name: await getter('port_name'),
      supported_commands: await getter('supported_commands'),
      has_name: { RPM: await this.request('has_name', 'RPM'), rpm: await this.request('has_name', 'rpm') },
      supports: { RPM: await this.request('supports', 'RPM') },
      query_rpm: await this.request('query', 'RPM'),
    };
  }
}

/** The same flows as the Python runner, with socket.io-client v4. */
export async function runJsFlows(options: FlowOptions): Promise<FlowReport> {
  const a = await JsClient.connect(options);
  const b = await JsClient.connect(options);
  try {
    const getters = await a.getters();
    let markA = a.values.length;
    const markB = b.values.length;
    a.socket.emit('watch', ['RPM', 'SPEED']);
    const watchAlone = await a.waitForNames(markA, ['RPM', 'SPEED']);
    const watchAloneOther = await b.waitForNames(markB, ['RPM', 'SPEED']);
    const queryWatched = await a.request<WireResponse | null>('query', 'RPM');
    a.socket.emit('unwatch', ['SPEED']);
    const afterUnwatch = await a.quietNames();
    a.socket.emit('stop');
    const afterStop = await a.quietNames();
    markA = a.values.length;
    a.socket.emit('start');
    const afterStart = await a.waitForNames(markA, ['RPM']);
    a.socket.emit('unwatch_all');
    const afterUnwatchAll = await a.quietNames();
    a.socket.emit('start');
    const startWithNothing = await a.quietNames();
    markA = a.values.length;
    a.socket.emit('watch', ['SPEED']);
    const watchAgain = await a.waitForNames(markA, ['SPEED']);
    a.socket.emit('close');
    const close = { sender: await a.closed, other: await b.closed };
    return {
      client: 'socket.io-client',
      getters,
      watch_alone: watchAlone,
      watch_alone_other_client: watchAloneOther,
      query_watched: queryWatched,
      after_unwatch: afterUnwatch,
      after_stop: afterStop,
      after_start: afterStart,
      after_unwatch_all: afterUnwatchAll,
      start_with_nothing_watched: startWithNothing,
      watch_again: watchAgain,
      close,
      getters_after_close: await b.getters(),
    };
  } finally {
    a.socket.disconnect();
    b.socket.disconnect();
  }
}

/** What the adapter behind the gateway reports, for the getters. */
export interface Target {
  portName: string;
  protocolName: string;
  protocolId: string;
}

/** Judges a report against the reference's behaviour (and the gateway's documented additions). */
export function assertReferenceBehaviour(report: FlowReport, target: Target): void {
  const who = report.client;
  const g = report.getters;
  assert.equal(g.status, 'Car Connected', `${who}: status`);
  assert.equal(g.is_connected, true, `${who}: is_connected`);
  assert.equal(g.protocol_name, target.protocolName, `${who}: protocol_name`);
  assert.equal(g.protocol_id, target.protocolId, `${who}: protocol_id`);
  assert.equal(g.port_name, target.portName, `${who}: port_name`);
  assert.deepEqual(g.has_name, { RPM: true, rpm: false }, `${who}: has_name is case-sensitive`);
  assert.deepEqual(g.supports, { RPM: true }, `${who}: supports`);
  assert.ok(g.supported_commands.length > 10, `${who}: supported_commands lists the car's commands`);
  for (const cmd of g.supported_commands) {
    assert.deepEqual(
      Object.keys(cmd).sort(),
      ['bytes', 'command', 'desc', 'ecu', 'fast', 'name'],
      `${who}: command encoding of ${cmd.name}`,
    );
  }
  assert.ok(
    g.supported_commands.some((cmd) => cmd.name === 'RPM' && cmd.command === '010C'),
    `${who}: RPM is 010C`,
  );
  // Unlike the reference (null), an unwatched command is asked of the car once.
  assertResponse(g.query_rpm, 'RPM', 'revolutions_per_minute', `${who}: query of an unwatched command`);

  assertResponse(report.watch_alone.RPM, 'RPM', 'revolutions_per_minute', `${who}: watch alone streams RPM`);
  assertResponse(report.watch_alone.SPEED, 'SPEED', 'kilometer_per_hour', `${who}: watch alone streams SPEED`);
  assertResponse(report.watch_alone_other_client.RPM, 'RPM', 'revolutions_per_minute', `${who}: the stream reaches every client`);
  assertResponse(report.query_watched, 'RPM', 'revolutions_per_minute', `${who}: query of a watched command`);
  assert.ok(!report.after_unwatch.includes('SPEED'), `${who}: SPEED still streamed after unwatch: ${report.after_unwatch}`);
  assert.ok(report.after_unwatch.includes('RPM'), `${who}: unwatch stopped what is left: ${report.after_unwatch}`);
  assert.deepEqual(report.after_stop, [], `${who}: values after stop`);
  assertResponse(report.after_start.RPM, 'RPM', 'revolutions_per_minute', `${who}: start resumes the stream`);
  assert.deepEqual(report.after_unwatch_all, [], `${who}: values after unwatch_all`);
  assert.deepEqual(report.start_with_nothing_watched, [], `${who}: start with nothing watched streams nothing`);
  assertResponse(report.watch_again.SPEED, 'SPEED', 'kilometer_per_hour', `${who}: watch after unwatch_all streams again`);
  assert.deepEqual(report.close, { sender: true, other: true }, `${who}: close broadcasts obd_closed to every client`);

  const closed = report.getters_after_close;
  assert.equal(closed.status, 'Not Connected', `${who}: status after close`);
  assert.equal(closed.is_connected, false, `${who}: is_connected after close`);
  assert.deepEqual([closed.protocol_name, closed.protocol_id, closed.port_name], ['', '', ''], `${who}: strings after close`);
  assert.deepEqual(closed.supported_commands, [], `${who}: supported_commands after close`);
  assert.equal(closed.query_rpm, null, `${who}: query after close`);
}

function assertResponse(response: WireResponse | null, name: string, unit: string, what: string): void {
  assert.ok(response, `${what}: nothing arrived`);
  assert.equal(response.command.name, name, what);
  assert.equal(response.unit, unit, what);
  assert.equal(typeof response.value, 'number', what);
  assert.equal(typeof response.time, 'number', what);
}
