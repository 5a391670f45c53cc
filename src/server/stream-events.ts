import type { ObdService } from '../api/obd-service.js';
import { checkArguments } from '../api/default-events.js';
import type { EventHandler } from '../api/event-table.js';

/** The room whose sockets receive every watched response on `obdio:value`. */
export const VALUES_ROOM = 'obdio:values';

/**
 * Events of the gateway's own (not the reference's) for clients that want the raw stream
 * without depending on the user's watch callbacks, such as the dashboard.
 */
export function streamEventHandlers(service: ObdService): Map<string, EventHandler> {
  return new Map<string, EventHandler>([
    [
      'obdio:subscribe',
      async ({ socket, event, args, ack }) => {
        checkArguments(event, 'none', args);
        await socket.join(VALUES_ROOM);
        ack?.(true);
      },
    ],
    [
      'obdio:unsubscribe',
      async ({ socket, event, args, ack }) => {
        checkArguments(event, 'none', args);
        await socket.leave(VALUES_ROOM);
        ack?.(true);
      },
    ],
    [
      'obdio:watching',
      ({ socket, event, args, ack }) => {
        checkArguments(event, 'none', args);
        const list = service.scheduler.watchList().map(({ cmd, rate }) => ({ name: cmd.name, rate }));
        socket.emit(event, list);
        ack?.(list);
      },
    ],
  ]);
}
