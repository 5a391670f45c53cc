import type { Logger } from 'pino';
import type { ConnectionSpec } from './config/spec.js';
import { Elm327 } from './elm327/driver.js';
import { ObdConnection } from './obd/connection.js';
import { createTransport } from './transport/open.js';
import type { ObdService } from './watch/obd-service.js';

/**
 * The ELM327's own wait for a car's answer before it prints NO DATA (ATST's default, about
 * 200 ms). The host waits that long plus `connection.timeout`, so a silent ECU reads as NO DATA
 * rather than as a timeout that would need a resync.
 */
const ADAPTER_NO_DATA_WAIT_MS = 200;

/**
 * Opens the adapter named by `connection`, runs the ELM327 start-up and hands the OBD session
 * to the service.
 */
export class AdapterManager {
  private attempt: Promise<void> | null = null;
  private session: ObdConnection | null = null;

  constructor(
    private readonly connection: ConnectionSpec,
    private readonly service: ObdService,
    private readonly logger: Logger,
  ) {}

  /** Starts connecting in the background. */
  start(): void {
    this.attempt = this.connect();
  }

  /** Resolves when the current connection attempt has finished, however it ended. */
  async ready(): Promise<void> {
    await this.attempt;
  }

  async stop(): Promise<void> {
    await this.attempt;
    this.service.setConnection(null);
    await this.session?.close();
    this.session = null;
  }

  private async connect(): Promise<void> {
    const { connection } = this;
    const elm = new Elm327(createTransport(connection), {
      baudrate: connection.baudrate,
      protocol: connection.protocol,
      timeout: connection.timeout + ADAPTER_NO_DATA_WAIT_MS,
      checkVoltage: connection.check_voltage,
      startLowPower: connection.start_low_power,
      logger: this.logger,
    });
    try {
      await elm.connect();
    } catch (error) {
      this.logger.error({ err: error, port: connection.port }, `cannot connect to the adapter on ${connection.port}: ${(error as Error).message}`);
      return;
    }
    const session = new ObdConnection(elm, {
      fast: connection.fast,
      allowClearDtc: connection.allow_clear_dtc,
      logger: this.logger,
    });
    await session.loadSupportedCommands();
    this.session = session;
    this.service.setConnection(session);
    this.logger.info(
      { status: session.status, protocol: session.protocolName, port: connection.port },
      `${session.status}: ${session.protocolName || 'no protocol'} on ${connection.port}`,
    );
  }
}
