import type { OBDCommand } from '../obd/command.js';
import type { EventHandler } from './event-table.js';
import { encodeCommand, encodeResponse } from '../obd/encode.js';
import type { UnitSystem } from '../obd/units.js';
import type { ObdService } from './obd-service.js';
import { ClientError } from './client-error.js';

/** What a default event gets besides its arguments. */
export interface DefaultEventContext {
  service: ObdService;
  /** Sends an event to every connected client (for `close` → `obd_closed`). */
  broadcast(event: string, ...args: unknown[]): void;
  /** The config's `units`: values (and unit names) in responses; metric when absent. */
  units?: UnitSystem;
}

/** The argument a default event takes, as in the reference's table. */
type Params = 'none' | 'name' | 'names' | 'text';

interface DefaultEvent {
  params: Params;
  /** Whether the reference answers on the same event name (getters do; watch/start/... don't). */
  replies: boolean;
  run(ctx: DefaultEventContext, arg: unknown): unknown;
}

/**
 * The reference's default events (python-OBD's API). Arguments are checked before anything
 * runs, so a bad request changes nothing and the client hears exactly why.
 */
export const DEFAULT_EVENTS: Readonly<Record<string, DefaultEvent>> = {
  status: { params: 'none', replies: true, run: ({ service }) => service.status },
  is_connected: { params: 'none', replies: true, run: ({ service }) => service.isConnected },
  protocol_name: { params: 'none', replies: true, run: ({ service }) => service.protocolName },
  protocol_id: { params: 'none', replies: true, run: ({ service }) => service.protocolId },
  port_name: { params: 'none', replies: true, run: ({ service }) => (service.status === 'Not Connected' ? '' : service.portName) },
  has_name: { params: 'text', replies: true, run: ({ service }, name) => service.command(name as string) !== undefined },
  supports: {
    params: 'name',
    replies: true,
    run: ({ service }, name) => service.supports(lookup(service, name as string)),
  },
  supported_commands: {
    params: 'none',
    replies: true,
    run: ({ service }) => service.supportedCommands().map(encodeCommand),
  },
  query: {
    params: 'name',
    replies: true,
    run: async ({ service, units }, name) => {
      const { response, failure } = await service.query(lookup(service, name as string));
      if (failure) throw new QueryFailed(failure.code, failure.message);
      // An answer without a value (a clear that worked) is null on the wire, as the reference sends it.
      return response.value === null ? null : encodeResponse(response, { units });
    },
  },
  start: { params: 'none', replies: false, run: ({ service }) => service.scheduler.start() },
  stop: { params: 'none', replies: false, run: ({ service }) => service.scheduler.stop() },
  watch: {
    params: 'names',
    replies: false,
    run: ({ service }, names) => {
      const commands = (names as string[]).map((name) => lookup(service, name));
      const unsupported = commands.filter((cmd) => !service.isQueryable(cmd));
      if (unsupported.length > 0 && service.isConnected) {
        throw new ClientError('UNSUPPORTED', `not supported by this vehicle: ${unsupported.map((c) => c.name).join(', ')}`);
      }
      service.watch(commands);
    },
  },
  unwatch: {
    params: 'names',
    replies: false,
    run: ({ service }, names) => {
      service.unwatch((names as string[]).map((name) => lookup(service, name)));
    },
  },
  unwatch_all: { params: 'none', replies: false, run: ({ service }) => service.unwatchAll() },
  close: {
    params: 'none',
    replies: false,
    run: async ({ service, broadcast }) => {
      await service.close();
      broadcast('obd_closed');
    },
  },
};

/**
 * The handlers of the default events: each checks its arguments, runs, and answers on its own
 * event name (getters) and on the acknowledgement (all: events without a reply ack null).
 */
export function defaultEventHandlers(ctx: DefaultEventContext, names: Iterable<string>): Map<string, EventHandler> {
  const handlers = new Map<string, EventHandler>();
  for (const name of names) {
    const definition = Object.hasOwn(DEFAULT_EVENTS, name) ? DEFAULT_EVENTS[name] : undefined;
    if (!definition) continue;
    handlers.set(name, async ({ socket, event, args, ack }) => {
      const arg = checkArguments(event, definition.params, args);
      try {
        const reply = await definition.run(ctx, arg);
        if (definition.replies) socket.emit(event, reply);
        ack?.(definition.replies ? reply : null);
      } catch (error) {
        // A query that found no value still answers null on its own event, as the reference does.
        if (error instanceof QueryFailed) socket.emit(event, null);
        throw error;
      }
    });
  }
  return handlers;
}

/**
 * A query that reached the adapter but produced no value. The reply event still carries
 * `null` (what reference clients expect); the error goes to `obdio:error` and the ack.
 */
export class QueryFailed extends ClientError {}

/** Checks the arguments a client sent against what the event takes; returns the one argument. */
export function checkArguments(event: string, params: Params, args: unknown[]): unknown {
  if (params === 'none') {
    if (args.length > 0) throw new ClientError('TOO_MANY_ARGUMENTS', `${event} takes no argument, got ${args.length}`);
    return undefined;
  }
  if (args.length === 0) throw new ClientError('MISSING_ARGUMENT', missingMessage(event, params));
  if (args.length > 1) throw new ClientError('TOO_MANY_ARGUMENTS', `${event} takes one argument, got ${args.length}`);
  const [arg] = args;
  if (params === 'names') {
    const names = typeof arg === 'string' ? [arg] : arg;
    if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string')) {
      throw new ClientError('BAD_ARGUMENT', `${event} takes a list of command names such as ["RPM", "SPEED"], got ${describe(arg)}`);
    }
    return names;
  }
  if (typeof arg !== 'string') {
    throw new ClientError('BAD_ARGUMENT', `${event} takes a command name such as "RPM", got ${describe(arg)}`);
  }
  return arg;
}

function missingMessage(event: string, params: Params): string {
  return params === 'names'
    ? `${event} needs a list of command names such as ["RPM", "SPEED"]`
    : `${event} needs a command name such as "RPM"`;
}

/** Finds a command by exact name, or says which name was probably meant. */
export function lookup(service: ObdService, name: string): OBDCommand {
  const cmd = service.command(name);
  if (cmd) return cmd;
  const upper = name.trim().toUpperCase();
  const hint = upper !== name && service.command(upper) ? ` (names are case-sensitive: did you mean '${upper}'?)` : '';
  throw new ClientError('UNKNOWN_COMMAND', `unknown command '${name.length > 64 ? name.slice(0, 64) + '…' : name}'${hint}`);
}

/** A short, safe description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
