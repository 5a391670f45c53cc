/**
 * Custom events (`events.custom` of obdio.yaml): each one a list of actions run in order,
 * per client event, against one template context:
 *
 *   args        what the client sent: its one argument, null without one, the list with several
 *   client      { id, rooms } of the sender (rooms without its own id room; current at each use)
 *   <COMMAND>   after a `query`: the response encoding (RPM.value, RPM.unit...), or null when
 *               the query failed; `failures.<COMMAND>` then holds { code, message }
 *   watching    names of the watched commands (current at each use)
 *   cache       the latest watched responses by command name (current at each use)
 *   ...         whatever `set` stored; set may shadow any of the above for later actions
 *
 * Actions:
 *   query       commands (literal names or templates; a template's output is split at commas
 *               and spaces, so '{{args}}' takes "RPM" or ["RPM", "SPEED"]) queried together. A
 *               query that finds no value (no data, not connected...) binds null and does not
 *               stop the event: the following actions decide what to tell the client. A query
 *               the config forbids (clearing trouble codes without connection.allow_clear_dtc)
 *               fails the event with ACTION_FAILED naming FORBIDDEN.
 *   watch       adds commands to the watch loop (a command already watched keeps its rate);
 *   unwatch     removes them. Like the default events, both leave the loop running.
 *   emit        event (template), to: sender | all | room:<name> (template), data: a payload
 *               template (see templates.ts: JSON when it looks like JSON, else parsed when
 *               it parses, else text); no data: the event carries no argument.
 *   join/leave  puts the sender into / takes it out of a room (template).
 *   set         name -> template or literal; templates are parsed like non-JSON payloads, so
 *               `{{RPM.value}}` stores a number.
 *   if          condition template (see isTruthyCondition), then the `then` or `else` actions.
 *
 * Failures: an unknown command name answers UNKNOWN_COMMAND, an unsupported one UNSUPPORTED,
 * anything else ACTION_FAILED, all as "<event> action #<n> (<kind>): <why>" where n counts
 * from 1 and nested actions read like #3.then.1. The actions before the failing one have run;
 * those after it do not. The acknowledgement, when the client asked for one, carries the data
 * of the last emit to the sender (null when there was none).
 */
import type { Socket } from 'socket.io';
import type { ActionSpec, Spec } from '../config/spec.js';
import { isTruthyCondition } from '../config/spec.js';
import type { OBDCommand } from '../obd/command.js';
import { encodeResponse } from '../obd/encode.js';
import { ClientError, type ClientErrorCode } from '../api/client-error.js';
import type { EventCall, EventHandler } from '../api/event-table.js';
import type { ObdService } from '../api/obd-service.js';
import {
  compilePayload,
  compileTemplate,
  TemplateError,
  type PayloadTemplate,
  type Template,
  type TemplateContext,
} from '../templates/templates.js';

/** What actions send through besides the sender's socket; Socket.IO's Server fits. */
export interface ActionTarget {
  emit(event: string, ...args: unknown[]): unknown;
  to(room: string): { emit(event: string, ...args: unknown[]): unknown };
  /** The connected sockets, so no client can join another client's own room. */
  sockets: { sockets: { has(id: string): boolean } };
}

/** More names than this in one action is a mistake or an attack, not a use. */
const MAX_NAMES_PER_ACTION = 64;
const MAX_ROOM_LENGTH = 200;

type Names = { kind: 'literal'; names: string[] } | { kind: 'template'; templates: Template[] };

type Step = { label: string } & (
  | { kind: 'query' | 'watch' | 'unwatch'; names: Names }
  | { kind: 'emit'; event: Template; to: Template; data: PayloadTemplate | null }
  | { kind: 'join' | 'leave'; room: Template }
  | { kind: 'set'; values: Array<[name: string, value: PayloadTemplate | string | number | boolean | null]> }
  | { kind: 'if'; condition: Template; then: Step[]; else: Step[] }
);

/** A failure inside one action, before the event name and action number are put in front. */
class StepError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The handlers of `spec.events.custom`, templates compiled now (once per reload). A custom
 * event named like a default event replaces it when the gateway merges this map after the
 * defaults. Never throws: a template that cannot compile fails the event that uses it.
 */
export function compileCustomEvents(spec: Spec, service: ObdService, io: ActionTarget): Map<string, EventHandler> {
  const handlers = new Map<string, EventHandler>();
  for (const [event, actions] of Object.entries(spec.events.custom)) {
    const steps = compileSteps(actions, '');
    handlers.set(event, (call) => runEvent(event, steps, call, service, io));
  }
  return handlers;
}

function compileSteps(actions: readonly ActionSpec[], prefix: string): Step[] {
  return actions.map((action, i) => compileStep(action, `${prefix}${i + 1}`));
}

function compileStep(action: ActionSpec, label: string): Step {
  const text = (source: string) => compileTemplate(source, { json: false });
  switch (action.kind) {
    case 'query':
    case 'watch':
    case 'unwatch': {
      const literal = action.commands.every((name) => !name.includes('{{'));
      const names: Names = literal
        ? { kind: 'literal', names: action.commands }
        : { kind: 'template', templates: action.commands.map(text) };
      return { kind: action.kind, label, names };
    }
    case 'emit':
      return {
        kind: 'emit',
        label,
        event: text(action.event),
        to: text(action.to),
        data: action.data === null ? null : compilePayload(action.data),
      };
    case 'join':
    case 'leave':
      return { kind: action.kind, label, room: text(action.room) };
    case 'set':
      return {
        kind: 'set',
        label,
        values: Object.entries(action.values).map(([name, value]) => [
          name,
          typeof value === 'string' && value.includes('{{') ? text(value) : value,
        ]),
      };
    case 'if':
      return {
        kind: 'if',
        label,
        condition: text(action.condition),
        then: compileSteps(action.then, `${label}.then.`),
        else: compileSteps(action.else, `${label}.else.`),
      };
  }
}

/** What one run of a custom event carries from action to action. */
interface Run {
  event: string;
  socket: Socket;
  context: TemplateContext;
  service: ObdService;
  io: ActionTarget;
  /** The data of the last emit to the sender: what the acknowledgement carries. */
  reply: unknown;
}

async function runEvent(event: string, steps: Step[], call: EventCall, service: ObdService, io: ActionTarget): Promise<void> {
  const { socket, args } = call;
  const run: Run = { event, socket, service, io, reply: null, context: initialContext(socket, args, service) };
  await runSteps(steps, run);
  call.ack?.(run.reply);
}

function initialContext(socket: Socket, args: unknown[], service: ObdService): TemplateContext {
  const scheduler = service.scheduler;
  return {
    args: args.length === 0 ? null : args.length === 1 ? args[0] : args,
    client: {
      id: socket.id,
      get rooms(): string[] {
        return [...socket.rooms].filter((room) => room !== socket.id);
      },
    },
    get watching(): string[] {
      return scheduler.watched().map((cmd) => cmd.name);
    },
    get cache(): Record<string, unknown> {
      const cache: Record<string, unknown> = {};
      for (const cmd of scheduler.watched()) {
        const latest = scheduler.latest(cmd);
        if (latest) cache[cmd.name] = encodeResponse(latest);
      }
      return cache;
    },
    failures: {},
  };
}

async function runSteps(steps: readonly Step[], run: Run): Promise<void> {
  for (const step of steps) {
    try {
      await runStep(step, run);
    } catch (error) {
      if (error instanceof ClientError) throw error; // a nested action's, already labelled
      const code = error instanceof StepError ? error.code : 'ACTION_FAILED';
      const why = error instanceof Error ? error.message : String(error);
      throw new ClientError(code, `${run.event} action #${step.label} (${step.kind}): ${why}`);
    }
  }
}

async function runStep(step: Step, run: Run): Promise<void> {
  const { context, service, socket, io } = run;
  switch (step.kind) {
    case 'query': {
      const commands = resolveCommands(step.names, run);
      const results = await Promise.all(commands.map((cmd) => service.query(cmd)));
      // Missing data is the template's to handle; a request the config forbids is not data.
      const refused = results.find((result) => result.failure?.code === 'FORBIDDEN')?.failure;
      if (refused) throw new StepError('ACTION_FAILED', `FORBIDDEN: ${refused.message}`);
      const failures = context.failures as Record<string, unknown>;
      commands.forEach((cmd, i) => {
        const { response, failure } = results[i];
        bind(context, cmd.name, failure ? null : encodeResponse(response));
        if (failure) failures[cmd.name] = { code: failure.code, message: failure.message };
        else delete failures[cmd.name];
      });
      return;
    }
    case 'watch': {
      const commands = resolveCommands(step.names, run);
      const unsupported = commands.filter((cmd) => !service.isQueryable(cmd));
      if (unsupported.length > 0 && service.isConnected) {
        throw new StepError('UNSUPPORTED', `not supported by this vehicle: ${unsupported.map((c) => c.name).join(', ')}`);
      }
      service.watch(commands);
      return;
    }
    case 'unwatch':
      service.unwatch(resolveCommands(step.names, run));
      return;
    case 'emit': {
      const event = render(step.event, context, 'event').trim();
      if (event === '') throw new StepError('ACTION_FAILED', `the event name '${step.event.source}' rendered empty`);
      const to = render(step.to, context, 'to').trim();
      const payload = step.data === null ? [] : [payloadOf(step.data, context, 'data')];
      if (to === 'sender') {
        socket.emit(event, ...payload);
        run.reply = payload.length > 0 ? payload[0] : null;
      } else if (to === 'all') {
        io.emit(event, ...payload);
      } else if (to.startsWith('room:') && to.length > 'room:'.length) {
        io.to(to.slice('room:'.length)).emit(event, ...payload);
      } else {
        throw new StepError('ACTION_FAILED', `to must be sender, all or room:<name>, got '${clip(to)}'`);
      }
      return;
    }
    case 'join':
    case 'leave': {
      const room = checkRoom(render(step.room, context, step.kind).trim(), run);
      if (step.kind === 'join') await socket.join(room);
      else await socket.leave(room);
      return;
    }
    case 'set':
      for (const [name, value] of step.values) {
        bind(context, name, typeof value === 'object' && value !== null ? payloadOf(value, context, name) : value);
      }
      return;
    case 'if': {
      const holds = isTruthyCondition(render(step.condition, context, 'if'));
      await runSteps(holds ? step.then : step.else, run);
      return;
    }
  }
}

/** Defines instead of assigning: `set` may replace the getters (watching, cache), and a key like __proto__ stays a plain key. */
function bind(context: TemplateContext, name: string, value: unknown): void {
  Object.defineProperty(context, name, { value, writable: true, enumerable: true, configurable: true });
}

function render(template: Template, context: TemplateContext, what: string): string {
  try {
    return template.text(context);
  } catch (error) {
    throw new StepError('ACTION_FAILED', `${what}: ${(error as Error).message}`);
  }
}

function payloadOf(template: PayloadTemplate, context: TemplateContext, what: string): unknown {
  try {
    return template.value(context);
  } catch (error) {
    throw new StepError('ACTION_FAILED', `${what}: ${error instanceof TemplateError ? error.message : String(error)}`);
  }
}

function resolveCommands(names: Names, run: Run): OBDCommand[] {
  let list: string[];
  if (names.kind === 'literal') {
    list = names.names;
  } else {
    list = names.templates
      .flatMap((template) => render(template, run.context, 'command names').split(/[\s,]+/))
      .filter((name) => name !== '');
    if (list.length === 0) {
      const sources = names.templates.map((t) => `'${t.source}'`).join(', ');
      throw new StepError(
        'ACTION_FAILED',
        `no command names: ${sources} rendered empty (does the client send them, e.g. "RPM" or ["RPM", "SPEED"]?)`,
      );
    }
  }
  if (list.length > MAX_NAMES_PER_ACTION) {
    throw new StepError('BAD_ARGUMENT', `too many command names (${list.length}; at most ${MAX_NAMES_PER_ACTION})`);
  }
  return [...new Set(list)].map((name) => {
    const cmd = run.service.command(name);
    if (cmd) return cmd;
    const upper = name.trim().toUpperCase();
    const hint = upper !== name && run.service.command(upper) ? ` (names are case-sensitive: did you mean '${upper}'?)` : '';
    throw new StepError('UNKNOWN_COMMAND', `unknown command '${clip(name)}'${hint}`);
  });
}

/** Rooms come from templates, often from what the client sent: keep them sane and private rooms private. */
function checkRoom(room: string, run: Run): string {
  if (room === '') throw new StepError('ACTION_FAILED', 'the room name rendered empty');
  if (room.length > MAX_ROOM_LENGTH) throw new StepError('ACTION_FAILED', `the room name is longer than ${MAX_ROOM_LENGTH} characters`);
  if (room !== run.socket.id && run.io.sockets.sockets.has(room)) {
    throw new StepError('ACTION_FAILED', `'${clip(room)}' is another client's own room`);
  }
  return room;
}

function clip(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}
