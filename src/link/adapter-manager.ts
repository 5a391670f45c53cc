import type { Logger } from 'pino';
import type { ConnectionSpec } from '../config/spec.js';
import type { ObdStatus, StartupTimeouts } from '../elm327/driver.js';
import { commandByName } from '../obd/commands/index.js';
import { ObdConnection, type ObdConnectionOptions } from '../obd/connection.js';
import { explainConnectFailure, type ConnectFailure } from './advice.js';
import { backoffDelay } from './backoff.js';
import { findSerialPorts } from './find-ports.js';
import { HangDetectingElm327 } from './hang-detect.js';
import { LowVoltageGuard } from './low-voltage.js';
import { createTransport } from './open-transport.js';
import type { Transport } from '../transport/transport.js';
import type { ObdService } from '../api/obd-service.js';
import { realClock, unrefTimer, type Clock } from '../time/clock.js';

/**
 * The ELM327's own wait for a car's answer before it prints NO DATA (ATST's default, about
 * 200 ms). The host waits that long plus `connection.timeout`, so a silent ECU reads as NO DATA
 * rather than as a timeout that would need a resync.
 */
const ADAPTER_NO_DATA_WAIT_MS = 200;

/**
 * Where the link to the adapter stands. disconnected → connecting → connected; when the adapter
 * goes away: lost → retrying (a backoff wait) → connecting → ... until it answers again; closed
 * once stopped (shutdown, config change) or when a client sent `close`.
 */
export type AdapterState = 'disconnected' | 'connecting' | 'connected' | 'lost' | 'retrying' | 'closed';

/** What clients see of the adapter (`obdio:status`), on every change. */
export interface AdapterSnapshot {
  state: AdapterState;
  /** python-OBD's status of the current session ("Not Connected" without one). */
  status: ObdStatus;
  protocol_name: string;
  protocol_id: string;
  /** The port as configured, or the device found with `port: auto`. */
  port_name: string;
  /** The battery voltage at the OBD socket (ATRV), read at connect and every few seconds; null: unknown. */
  voltage: number | null;
  vin: string | null;
  /** Polling paused because the battery is low (connection.low_voltage). */
  paused: boolean;
  /** Why the adapter is not (fully) connected, with the fix. */
  error?: string;
  /** ms until the next connection attempt (state 'retrying'). */
  retry_in?: number;
}

export type AdapterListener = (snapshot: AdapterSnapshot) => void;

export interface AdapterManagerOptions {
  /** Opens a transport for one port (tests inject fakes); default: serial, TCP or the simulator. */
  openTransport?: (port: string, connection: ConnectionSpec) => Transport;
  /** Serial ports to try for `port: auto`, and to list when a configured one is missing. */
  findPorts?: () => Promise<string[]>;
  /** Request timeouts in a row that mean the adapter hangs (default 3). */
  hungAfterTimeouts?: number;
  /** ms between battery-voltage reads while connected (default 10 s). */
  voltageEveryMs?: number;
  /** Random numbers in [0, 1) for the backoff jitter. */
  random?: () => number;
  /** Shorter start-up waits (tests). */
  startupTimeouts?: Partial<StartupTimeouts>;
  /** Times the retry waits, the voltage reads and the outage (tests pass a virtual clock). */
  clock?: Clock;
}

/** Why a session (or the wait for a vehicle) ended. */
type SessionEnd = { reason: 'lost' | 'hung'; error: Error } | { reason: 'closed' | 'stopped' | 'retry' };

interface Live {
  session: ManagedObdConnection;
  port: string;
  ended: Promise<SessionEnd>;
  /** Set as soon as the session ends (it may end before it is even handed over). */
  endedWith: SessionEnd | null;
  end(end: SessionEnd): void;
}

/**
 * Keeps the adapter connected: opens it, runs the ELM327 start-up, loads the supported
 * commands and hands the session to the service; when the adapter goes away (the transport
 * says so, or it stops answering) it retries with backoff and hands over the new session, so
 * the scheduler's watch list and every client's stream resume by themselves. While there is no
 * session the service answers NOT_CONNECTED at once: nothing queues up.
 */
export class AdapterManager {
  private current: AdapterSnapshot;
  private readonly listeners = new Set<AdapterListener>();
  private readonly guard: LowVoltageGuard | null;
  private readonly hungAfter: number;
  private readonly voltageEveryMs: number;
  private loop: Promise<void> | null = null;
  private stopped = false;
  /** The driver of an attempt in progress, closed by stop() to cut the start-up short. */
  private connecting: HangDetectingElm327 | null = null;
  private live: Live | null = null;
  private cancelSleep: (() => void) | null = null;
  private firstAttempt: Promise<void>;
  private firstAttemptDone!: () => void;
  /** Failures logged since the last good connection: each is logged once, not on every retry. */
  private readonly reported = new Set<string>();
  private lostAt: number | null = null;
  private readonly clock: Clock;

  constructor(
    private readonly connection: ConnectionSpec,
    private readonly service: ObdService,
    private readonly logger: Logger,
    private readonly options: AdapterManagerOptions = {},
  ) {
    this.current = {
      state: 'disconnected',
      status: 'Not Connected',
      protocol_name: '',
      protocol_id: '',
      port_name: connection.port,
      voltage: null,
      vin: null,
      paused: false,
    };
    this.guard = connection.low_voltage ? new LowVoltageGuard(connection.low_voltage) : null;
    this.hungAfter = options.hungAfterTimeouts ?? 3;
    this.voltageEveryMs = options.voltageEveryMs ?? 10_000;
    this.clock = options.clock ?? realClock;
    this.firstAttempt = new Promise((resolve) => (this.firstAttemptDone = resolve));
  }

  get state(): AdapterState {
    return this.current.state;
  }

  snapshot(): AdapterSnapshot {
    return { ...this.current };
  }

  /** Called with a new snapshot on every change; returns a function that removes the listener. */
  onChange(listener: AdapterListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts connecting (and reconnecting) in the background. */
  start(): void {
    if (this.loop || this.stopped) return;
    this.loop = this.run().catch((error: unknown) => {
      // The loop handles every adapter failure itself; reaching here is a bug, not a car problem.
      this.logger.error({ err: error }, `adapter supervision stopped unexpectedly: ${(error as Error).message}`);
    });
  }

  /** Resolves when the first connection attempt has finished, however it ended. */
  async ready(): Promise<void> {
    if (!this.loop) return;
    await Promise.race([this.firstAttempt, this.loop]);
  }

  /**
   * Stops for good: no more retries, the session closes, state 'closed'. An attempt that is
   * stuck in the transport (a TCP connect to a vanished host) is not waited for beyond a
   * bound; it closes its own link when it returns.
   */
  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.cancelSleep?.();
      this.live?.end({ reason: 'stopped' });
      void this.connecting?.close().catch(() => undefined);
      this.service.scheduler.setPaused(false);
      this.update({ state: 'closed', retry_in: undefined });
    }
    if (this.loop) await Promise.race([this.loop, this.bound(1500)]);
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      this.update({ state: 'connecting', retry_in: undefined });
      const live = await this.connectOnce();
      this.firstAttemptDone();
      if (this.stopped) {
        await live?.session.closeByManager();
        break;
      }
      if (live) {
        const complete = live.session.isConnected;
        if (complete) attempt = 0;
        const end = await this.serve(live, complete ? null : backoffDelay(attempt++, this.range(), this.options.random));
        if (end.reason === 'stopped' || end.reason === 'closed') break;
        if (end.reason === 'retry') continue;
      }
      const wait = backoffDelay(attempt++, this.range(), this.options.random);
      this.update({ state: 'retrying', retry_in: wait });
      this.logger.debug(`retrying the adapter in ${seconds(wait)}`);
      await this.sleep(wait);
    }
  }

  /** One pass over the port(s): a session when an ELM327 answered, else null (the failure is recorded). */
  private async connectOnce(): Promise<Live | null> {
    if (this.connection.port !== 'auto') return this.tryPort(this.connection.port, false);
    const ports = await this.findPorts();
    if (ports.length === 0) {
      this.fail({
        code: 'ENOENT',
        message:
          'port auto: no serial adapter found (looked for /dev/ttyUSB*, /dev/ttyACM*, /dev/rfcomm*, /dev/serial/by-id). Fix: plug the adapter in, or set connection.port',
      });
      return null;
    }
    // Said once; while retrying the same scan would repeat it every few seconds.
    if (this.reported.size === 0) this.logger.info(`port auto: trying ${ports.join(', ')}`);
    else this.logger.debug(`port auto: trying ${ports.join(', ')}`);
    for (const port of ports) {
      if (this.stopped) return null;
      const live = await this.tryPort(port, true);
      if (live) return live;
    }
    return null;
  }

  private async tryPort(port: string, scanning: boolean): Promise<Live | null> {
    const { connection } = this;
    let transport: Transport;
    try {
      transport = (this.options.openTransport ?? defaultTransport)(port, connection);
    } catch (error) {
      this.fail(explainConnectFailure(error, port));
      return null;
    }
    const elm = new HangDetectingElm327(
      transport,
      {
        baudrate: connection.baudrate,
        protocol: connection.protocol,
        // The adapter's own wait for the car (ATST, or its ~200 ms default) comes on top of the link's.
        timeout: connection.timeout + (connection.adapter_timing.st ?? ADAPTER_NO_DATA_WAIT_MS),
        checkVoltage: connection.check_voltage,
        startLowPower: connection.start_low_power,
        tuning: {
          adaptiveTiming: connection.adapter_timing.at,
          responseTimeoutMs: connection.adapter_timing.st,
          headers: connection.headers,
          upgradeBaudrate: connection.upgrade_baudrate,
        },
        logger: this.driverLogger(),
        startupTimeouts: this.options.startupTimeouts,
      },
      this.hungAfter,
    );
    // Listen before anything can go wrong: a loss during the command loading must not be missed.
    let resolveEnded!: (end: SessionEnd) => void;
    const ended = new Promise<SessionEnd>((resolve) => (resolveEnded = resolve));
    let endedWith: SessionEnd | null = null;
    const end = (reason: SessionEnd): void => {
      endedWith ??= reason;
      resolveEnded(reason);
    };
    elm.onLost((error) => end({ reason: 'lost', error }));
    elm.onHung((count) => end({ reason: 'hung', error: new Error(`no answer to ${count} requests in a row: the adapter seems hung`) }));

    this.connecting = elm;
    try {
      await elm.connect();
    } catch (error) {
      if (this.stopped) return null;
      const missing = (error as { code?: unknown }).code === 'ENOENT' && !scanning;
      this.fail(explainConnectFailure(error, port, missing ? await this.findPorts() : null));
      return null;
    } finally {
      this.connecting = null;
    }

    const options: ObdConnectionOptions = {
      fast: connection.fast,
      allowClearDtc: connection.allow_clear_dtc,
      logger: this.logger,
      clock: transport.clock,
    };
    const session = new ManagedObdConnection(elm, options, () => end({ reason: 'closed' }));
    const live: Live = {
      session,
      port,
      ended,
      end,
      get endedWith() {
        return endedWith;
      },
    };
    if (this.stopped) {
      await session.closeByManager();
      return null;
    }
    let vin: string | null = null;
    if (session.isConnected) {
      await session.loadSupportedCommands();
      vin = await readVin(session);
    }
    const voltage = await this.readVoltageFrom(session);
    this.update({ port_name: port, vin, voltage });
    return live;
  }

  /**
   * Hands the session to the service and waits until it ends. A session that reached the
   * adapter but not the car (ignition off) is kept for `retryAfter` ms, so status and voltage
   * stay truthful meanwhile, then the whole start-up runs again.
   */
  private async serve(live: Live, retryAfter: number | null): Promise<SessionEnd> {
    const { session, port } = live;
    this.live = live;
    this.service.portName = port;
    // Paused first: a session handed over unpaused would start polling at once.
    this.service.scheduler.setPaused(this.guard?.paused ?? false);
    this.service.setConnection(session);
    const stopVoltage = this.pollVoltage();

    let end: SessionEnd;
    if (live.endedWith) {
      // Gone already while its commands loaded: not announced as connected at all.
      end = live.endedWith;
    } else if (retryAfter === null) {
      const outage = this.lostAt === null ? null : this.clock.now() - this.lostAt;
      this.lostAt = null;
      this.reported.clear();
      this.update({ state: 'connected', error: undefined, retry_in: undefined });
      this.logSummary(session, port, outage);
      end = await live.ended;
    } else {
      this.fail(noVehicle(session, port));
      this.update({ state: 'retrying', retry_in: retryAfter });
      end = await Promise.race([live.ended, this.sleep(retryAfter).then((): SessionEnd => ({ reason: 'retry' }))]);
    }

    stopVoltage();
    this.live = null;
    this.service.setConnection(null);
    this.service.scheduler.setPaused(false);
    if (end.reason === 'closed') {
      this.stopped = true;
      this.logger.info('a client closed the adapter connection; not reconnecting (a config change reopens it)');
      this.update({ state: 'closed', error: undefined });
      return end;
    }
    if (end.reason === 'lost' || end.reason === 'hung') {
      this.lostAt = this.clock.now();
      const message = `${port}: ${end.error.message}`;
      this.reported.add(message);
      this.logger.warn(`adapter lost (${message}); streams resume when it is back`);
      this.update({ state: 'lost', error: message, voltage: null });
    }
    // Closing a hung adapter's port can itself hang; the next attempt does not wait for it.
    await Promise.race([session.closeByManager().catch(() => undefined), this.bound(1000)]);
    return end;
  }

  /** Reads the battery voltage every few seconds through the scheduler, between polls; returns the stop. */
  private pollVoltage(): () => void {
    let timer: unknown;
    const next = (): void => {
      timer = this.clock.setTimeout(() => {
        next();
        void this.readVoltage();
      }, this.voltageEveryMs);
      unrefTimer(timer);
    };
    next();
    return () => this.clock.clearTimeout(timer);
  }

  private async readVoltage(): Promise<void> {
    if (!this.wantsVoltage()) return;
    const cmd = commandByName('ELM_VOLTAGE');
    if (!cmd) return;
    const { response } = await this.service.scheduler.query(cmd, true);
    if (typeof response.value === 'number') this.noteVoltage(response.value);
  }

  private async readVoltageFrom(session: ObdConnection): Promise<number | null> {
    if (!this.wantsVoltage()) return null;
    const cmd = commandByName('ELM_VOLTAGE');
    if (!cmd) return null;
    const { response } = await session.query(cmd, true);
    if (typeof response.value !== 'number') return null;
    this.guard?.reset();
    this.noteVoltage(response.value);
    return response.value;
  }

  private wantsVoltage(): boolean {
    return this.connection.check_voltage || this.guard !== null;
  }

  private noteVoltage(volts: number): void {
    const verdict = this.guard?.update(volts) ?? null;
    const limits = this.connection.low_voltage;
    if (verdict === 'pause' && limits) {
      this.logger.warn(
        `battery at ${volts.toFixed(1)} V (below ${limits.pause_below} V, engine off?): polling paused until it rises above ${limits.resume_above} V`,
      );
    } else if (verdict === 'resume') {
      this.logger.info(`battery at ${volts.toFixed(1)} V: polling resumed`);
    }
    if (verdict !== null && this.live) this.service.scheduler.setPaused(verdict === 'pause');
    // Tenths of a volt are what a person reads; finer changes would only chatter on the wire.
    const rounded = Math.round(volts * 100) / 100;
    const previous = this.current.voltage;
    const changed = previous === null || Math.abs(previous - rounded) >= 0.1;
    this.update({ ...(changed ? { voltage: rounded } : {}), paused: this.guard?.paused ?? false });
  }

  /**
   * The start-up's progress lines (baud rates, protocols) for the first attempt; while
   * retrying, only its warnings, or a car whose adapter is unplugged prints the same lines
   * every few seconds for hours. At debug level everything is kept.
   */
  private driverLogger(): Logger {
    if (this.reported.size === 0 || this.logger.isLevelEnabled('debug')) return this.logger;
    return this.logger.child({}, { level: 'warn' });
  }

  private async findPorts(): Promise<string[]> {
    try {
      return await (this.options.findPorts ?? findSerialPorts)();
    } catch {
      return [];
    }
  }

  private range(): { min: number; max: number } {
    return { min: this.connection.reconnect.min_delay, max: this.connection.reconnect.max_delay };
  }

  /** Records a failed attempt; each distinct reason is logged once until the adapter is back. */
  private fail(failure: ConnectFailure): void {
    if (this.reported.has(failure.message)) {
      this.logger.debug({ code: failure.code }, `still ${failure.message}`);
    } else {
      const first = this.reported.size === 0;
      this.reported.add(failure.message);
      this.logger.error({ code: failure.code }, failure.message);
      if (first) {
        this.logger.info(
          `will keep trying every ${seconds(this.connection.reconnect.min_delay)} to ${seconds(this.connection.reconnect.max_delay)}`,
        );
      }
    }
    this.update({ error: failure.message });
  }

  private logSummary(session: ObdConnection, port: string, outage: number | null): void {
    const parts = [
      session.elm.version || 'ELM327',
      session.protocolName,
      this.current.vin ? `VIN ${this.current.vin}` : null,
      `${session.supportedCommands.size} supported commands`,
      this.current.voltage === null ? null : `${this.current.voltage.toFixed(1)} V`,
      this.current.paused ? 'polling paused (low battery)' : null,
    ].filter((part): part is string => Boolean(part));
    const lead = outage === null ? `adapter ready on ${port}` : `adapter back on ${port} after ${seconds(outage)}`;
    this.logger.info(
      {
        port,
        version: session.elm.version,
        protocol: session.protocolName,
        vin: this.current.vin,
        commands: session.supportedCommands.size,
      },
      `${lead}: ${parts.join(', ')}`,
    );
  }

  private update(changes: Partial<AdapterSnapshot>): void {
    const next: AdapterSnapshot = {
      ...this.current,
      ...changes,
      status: this.service.status,
      protocol_name: this.service.protocolName,
      protocol_id: this.service.protocolId,
    };
    if (next.error === undefined) delete next.error;
    if (next.retry_in === undefined || next.state !== 'retrying') delete next.retry_in;
    if (this.stopped && next.state !== 'closed') next.state = 'closed';
    if (sameSnapshot(this.current, next)) return;
    this.current = next;
    for (const listener of this.listeners) {
      try {
        listener({ ...next });
      } catch (error) {
        this.logger.error({ err: error }, 'adapter status listener failed');
      }
    }
  }

  /** A bound on a wait that might never end (a hung close); it does not hold the process. */
  private bound(ms: number): Promise<void> {
    return new Promise((resolve) => unrefTimer(this.clock.setTimeout(resolve, ms)));
  }

  /** Waits, unless stop() cuts it short (there is one wait at a time). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      // stop() may have come between the loop's check and this sleep: it must not hold the process.
      if (this.stopped) return resolve();
      const done = (): void => {
        this.clock.clearTimeout(timer);
        if (this.cancelSleep === done) this.cancelSleep = null;
        resolve();
      };
      const timer = this.clock.setTimeout(done, ms);
      this.cancelSleep = done;
    });
  }
}

/** An OBD session that tells the manager when someone else (a client's `close`) closes it. */
class ManagedObdConnection extends ObdConnection {
  private closingOurselves = false;

  constructor(
    elm: HangDetectingElm327,
    options: ObdConnectionOptions,
    private readonly onForeignClose: () => void,
  ) {
    super(elm, options);
  }

  override async close(): Promise<void> {
    if (!this.closingOurselves) this.onForeignClose();
    await super.close();
  }

  async closeByManager(): Promise<void> {
    this.closingOurselves = true;
    await super.close();
  }
}

function defaultTransport(port: string, connection: ConnectionSpec): Transport {
  return createTransport({ ...connection, port });
}

function noVehicle(session: ObdConnection, port: string): ConnectFailure {
  const message =
    session.status === 'OBD Connected'
      ? `${port}: the adapter answers, but the vehicle does not (ignition off?)`
      : `${port}: the adapter answers, but does not reach the vehicle (is it plugged into the car, ignition on?)`;
  return { code: 'NO_VEHICLE', message };
}

/** The VIN as text, when the car tells it (mode 09 PID 02). */
async function readVin(session: ObdConnection): Promise<string | null> {
  const cmd = commandByName('VIN');
  if (!cmd || !session.isQueryable(cmd)) return null;
  const { response } = await session.query(cmd);
  const value = response.value;
  let text: string | null = null;
  if (typeof value === 'string') text = value;
  else if (value instanceof Uint8Array || (Array.isArray(value) && value.every((b) => typeof b === 'number'))) {
    text = Buffer.from(value as ArrayLike<number>).toString('latin1');
  }
  // Some ECUs pad the VIN with NULs or spaces.
  const vin = text?.replace(/[^\x21-\x7e]/g, '') ?? '';
  return vin.length > 0 ? vin : null;
}

function sameSnapshot(a: AdapterSnapshot, b: AdapterSnapshot): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof AdapterSnapshot>;
  for (const key of keys) if (a[key] !== b[key]) return false;
  return true;
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
