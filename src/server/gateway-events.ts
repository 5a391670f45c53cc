/**
 * Events of the gateway's own that go beyond the reference's API. `obdio:dtcs` reads every
 * kind of trouble code grouped per ECU (the reference's GET_DTC merges all ECUs into one list,
 * so a client cannot tell the engine's codes from the gearbox's) and the freeze frame with its
 * frame number.
 */
import type { OBDCommand, OBDResponse } from '../obd/command.js';
import { GET_DTC } from '../obd/commands/mode03.js';
import { GET_CURRENT_DTC } from '../obd/commands/mode07.js';
import { GET_PERMANENT_DTC } from '../obd/commands/mode0a.js';
import { FREEZE_FRAME_DTC, freezeFramesByEcu, groupDtcsByEcu, type EcuDtcs, type EcuFreezeFrame } from '../obd/dtc-groups.js';
import type { ObdService } from '../api/obd-service.js';
import { ClientError } from '../api/client-error.js';
import { checkArguments } from '../api/default-events.js';
import type { EventHandler } from '../api/event-table.js';
import { isTripFigure, resetComputed } from '../obd/computed.js';

export interface GatewayEventContext {
  service: ObdService;
}

/** The `obdio:dtcs` reply. */
export interface DtcReport {
  /** Mode 03: confirmed codes. */
  stored: EcuDtcs[];
  /** Mode 07: codes of the current or last driving cycle. */
  pending: EcuDtcs[];
  /** Mode 0A: codes a clear cannot erase (cars from about 2010 on). */
  permanent: EcuDtcs[];
  /** Mode 02 PID 02 of frame 00, per ECU that keeps one. */
  freeze_frame: EcuFreezeFrame[];
}

export function gatewayEventHandlers(ctx: GatewayEventContext): Map<string, EventHandler> {
  return new Map<string, EventHandler>([
    [
      'obdio:dtcs',
      async ({ socket, event, args, ack }) => {
        checkArguments(event, 'none', args);
        const report = await readDtcs(ctx.service);
        socket.emit(event, report);
        ack?.(report);
      },
    ],
    [
      'obdio:trip_reset',
      async ({ socket, event, args, ack }) => {
        // No argument: every trip figure (computed integrate and average commands).
        const names = args.length === 0 ? null : (checkArguments(event, 'names', args) as string[]);
        const commands = names
          ? names.map((name) => {
              const cmd = ctx.service.command(name);
              if (!cmd || !isTripFigure(cmd))
                throw new ClientError('UNKNOWN_COMMAND', `${event}: ${name} is not a computed integrate or average command`);
              return cmd;
            })
          : ctx.service.commands.customCommands();
        const reset = resetComputed(commands);
        socket.emit(event, reset);
        ack?.(reset);
      },
    ],
  ]);
}

/** Reads the four answers one after the other, each taking its turn with the watch loop. */
export async function readDtcs(service: ObdService): Promise<DtcReport> {
  if (!service.isConnected) throw new ClientError('NOT_CONNECTED', 'no connection to the car: trouble codes cannot be read');
  const stored = await ask(service, GET_DTC);
  const pending = await ask(service, GET_CURRENT_DTC);
  const permanent = await ask(service, GET_PERMANENT_DTC);
  const freeze = await ask(service, FREEZE_FRAME_DTC);
  return {
    stored: stored ? groupDtcsByEcu(stored) : [],
    pending: pending ? groupDtcsByEcu(pending) : [],
    permanent: permanent ? groupDtcsByEcu(permanent) : [],
    freeze_frame: freeze ? freezeFramesByEcu(freeze) : [],
  };
}

/**
 * Asks on the bus (force: mode 0A and the freeze frame request are not in the supported set,
 * like python-OBD's force=True). NO DATA means no ECU has any: null, read as empty.
 */
async function ask(service: ObdService, cmd: OBDCommand): Promise<OBDResponse | null> {
  const { response, failure } = await service.scheduler.query(cmd, true);
  if (!failure) return response;
  if (failure.code === 'NO_DATA') return response.messages.length > 0 ? response : null;
  throw new ClientError(failure.code === 'NOT_CONNECTED' ? 'NOT_CONNECTED' : 'ADAPTER_ERROR', failure.message);
}
