import type { Logger } from 'pino';
import type { ObdStatus } from '../elm327/driver.js';
import type { OBDCommand, OBDResponse } from '../obd/command.js';
import { CommandRegistry, isCustomCommand } from '../obd/registry.js';
import { nullResponse, type ObdConnection, type QueryResult } from '../obd/connection.js';
import { rebindWatched } from '../watch/custom-commands.js';
import { Scheduler } from '../watch/scheduler.js';

/**
 * Everything clients may ask of the vehicle, independent of how they ask (Socket.IO events,
 * custom actions, MQTT). The adapter session behind it can be replaced (reconnect, config
 * change) while clients, watch list and streams stay.
 */
export class ObdService {
  readonly scheduler: Scheduler;
  private connection: ObdConnection | null = null;
  /** Built-in and custom commands by name; replaced on reload (setRegistry). */
  private registry = CommandRegistry.builtinOnly();

  constructor(
    /** The port as configured ("sim", "/dev/ttyUSB0", "tcp://..."): what `port_name` answers. */
    public portName: string,
    interval: number,
    readonly logger?: Logger,
  ) {
    this.scheduler = new Scheduler(interval, logger);
  }

  setConnection(connection: ObdConnection | null): void {
    this.connection = connection;
    this.scheduler.setConnection(connection);
  }

  get status(): ObdStatus {
    return this.connection?.status ?? 'Not Connected';
  }
  get isConnected(): boolean {
    return this.connection?.isConnected ?? false;
  }
  get protocolName(): string {
    return this.connection?.protocolName ?? '';
  }
  get protocolId(): string {
    return this.connection?.protocolId ?? '';
  }

  /** Looks a command up by its exact (case-sensitive) python-OBD name. */
  command(name: string): OBDCommand | undefined {
    return this.registry.byName(name);
  }

  get commands(): CommandRegistry {
    return this.registry;
  }

  /**
   * Swaps the command table (start-up, reload). Watched commands follow their new definition;
   * custom commands that are gone stop being watched. Returns whether a custom command changed.
   */
  setRegistry(next: CommandRegistry): boolean {
    const previous = this.registry;
    this.registry = next.keepingCommandsOf(previous);
    return rebindWatched(this.scheduler, previous, this.registry);
  }

  /** Custom commands cannot be found in the car's PID bitmaps: they count as supported while the car is connected. */
  supports(cmd: OBDCommand): boolean {
    if (isCustomCommand(cmd)) return this.isConnected;
    return this.connection?.supports(cmd) ?? false;
  }

  /** Whether a watch or query of this command would be sent (supported; mode 06 only on CAN). */
  isQueryable(cmd: OBDCommand): boolean {
    if (isCustomCommand(cmd)) return this.isConnected;
    return this.connection?.isQueryable(cmd) ?? false;
  }

  supportedCommands(): OBDCommand[] {
    if (!this.connection?.isConnected) return [];
    // A built-in command replaced by a custom one (override: true) is listed once, as the custom one.
    const builtins = [...this.connection.supportedCommands].filter((cmd) => this.registry.byName(cmd.name) === cmd);
    return [...builtins, ...this.registry.customCommands()];
  }

  /**
   * A watched command answers from its latest value without bus traffic, like the reference,
   * while that value is being kept fresh (streaming, connected, not paused); any other command
   * is asked on the bus once (the reference answered null instead).
   */
  async query(cmd: OBDCommand): Promise<QueryResult> {
    const latest = this.scheduler.latest(cmd);
    const fresh = this.scheduler.running && !this.scheduler.paused && this.isConnected;
    if (latest && fresh) return { response: latest };
    // Custom commands skip the bitmap check (force) while the car is connected: see supports().
    return this.scheduler.query(cmd, isCustomCommand(cmd) && this.isConnected);
  }

  /**
   * The reference's loop contract, for every client: obd-socketio's `watch` and `unwatch` are
   * stop, change, start, so the loop runs afterwards (with nothing left it idles); `unwatch_all`
   * leaves it stopped until the next `watch` or `start`. Unlike the reference the change lands on
   * the next poll without stopping anyone. A command already watched (at a rate the config set)
   * keeps its rate.
   */
  watch(commands: readonly OBDCommand[]): void {
    for (const cmd of commands) if (!this.scheduler.isWatched(cmd)) this.scheduler.watch(cmd);
    this.scheduler.start();
  }

  unwatch(commands: readonly OBDCommand[]): void {
    for (const cmd of commands) this.scheduler.unwatch(cmd);
    this.scheduler.start();
  }

  unwatchAll(): void {
    this.scheduler.unwatchAll();
    this.scheduler.stop();
  }

  latest(cmd: OBDCommand): OBDResponse {
    return this.scheduler.latest(cmd) ?? nullResponse(cmd);
  }

  async close(): Promise<void> {
    this.scheduler.stop();
    const connection = this.connection;
    this.setConnection(null);
    await connection?.close();
  }
}
