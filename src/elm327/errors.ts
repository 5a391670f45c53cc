/**
 * Errors of the ELM327 layer. Each has a stable code the OBD layer and the reconnect logic
 * can branch on, and a message a user can act on.
 */

export type ElmErrorCode =
  | 'TIMEOUT'
  | 'NO_DATA'
  | 'CAN_ERROR'
  | 'BUS_INIT_ERROR'
  | 'BUS_ERROR'
  | 'BUS_BUSY'
  | 'DATA_ERROR'
  | 'BUFFER_FULL'
  | 'STOPPED'
  | 'UNABLE_TO_CONNECT'
  | 'UNKNOWN_COMMAND'
  | 'NOT_CONNECTED'
  | 'CLOSED'
  | 'LOST'
  | 'QUEUE_FULL';

export class ElmError extends Error {
  constructor(
    readonly code: ElmErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ElmError';
  }
}
