/**
 * What a client is told when its request cannot be served: a stable code to match on and a
 * message a person can act on. Never a stack trace.
 */
export type ClientErrorCode =
  | 'UNKNOWN_EVENT'
  | 'EVENT_DISABLED'
  | 'UNKNOWN_COMMAND'
  | 'BAD_ARGUMENT'
  | 'MISSING_ARGUMENT'
  | 'TOO_MANY_ARGUMENTS'
  | 'UNSUPPORTED'
  | 'NOT_CONNECTED'
  | 'NO_DATA'
  | 'ADAPTER_ERROR'
  | 'FORBIDDEN'
  | 'ACTION_FAILED'
  | 'INTERNAL';

export class ClientError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ClientError';
  }

  toJSON(): { code: ClientErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}
