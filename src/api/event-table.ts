import type { Socket } from 'socket.io';

export type Ack = (payload: unknown) => void;

/** One incoming client event, as the dispatcher hands it to a handler. */
export interface EventCall {
  socket: Socket;
  event: string;
  /** What the client sent, the acknowledgement callback removed. */
  args: unknown[];
  ack?: Ack;
}

/**
 * Handles one client event. It replies itself (socket.emit / ack); a thrown ClientError is
 * answered on `obdio:error` and the ack by the dispatcher, anything else as INTERNAL.
 */
export type EventHandler = (call: EventCall) => unknown;

/**
 * The events the gateway answers, rebuilt from the config on every reload: handlers by name,
 * and the names of default events the config turned off (they answer EVENT_DISABLED).
 */
export interface EventTable {
  handlers: ReadonlyMap<string, EventHandler>;
  disabled: ReadonlySet<string>;
}
